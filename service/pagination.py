"""Keyset pages behind opaque, signed cursors: stable while rows are added."""
from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Callable, Sequence

import sqlalchemy as sa
from flask import current_app
from itsdangerous import BadData, URLSafeSerializer

from .errors import Invalid
from .extensions import db


def _serializer(kind: str) -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=f"cursor:{kind}")


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return {"t": value.isoformat()}
    if isinstance(value, uuid.UUID):
        return {"u": str(value)}
    return value


def _typed(value: Any) -> Any:
    if isinstance(value, dict) and "t" in value:
        return dt.datetime.fromisoformat(value["t"])
    if isinstance(value, dict) and "u" in value:
        return uuid.UUID(value["u"])
    return value


def decode(kind: str, cursor: str, width: int) -> list:
    try:
        values = _serializer(kind).loads(cursor)
        if not isinstance(values, list) or len(values) != width:
            raise ValueError
        return [_typed(v) for v in values]
    except (BadData, ValueError, TypeError, KeyError):
        raise Invalid({"cursor": ["Not a cursor this list gave out."]}) from None


def page(kind: str, query: sa.Select, keys: Sequence[sa.ColumnElement], *, descending: bool,
         limit: int, cursor: str | None, key_of: Callable[[Any], Sequence],
         rows: bool = False) -> tuple[list, str | None]:
    """Return one page of `query` ordered by `keys`, and the cursor of the next page.

    With `rows`, the page holds whole result rows rather than the first entity of each.
    """
    if cursor:
        after = decode(kind, cursor, len(keys))
        row, mark = sa.tuple_(*keys), sa.tuple_(*[sa.literal(v, k.type) for v, k in zip(after, keys)])
        query = query.where(row < mark if descending else row > mark)
    order = [k.desc() if descending else k.asc() for k in keys]
    query = query.order_by(*order).limit(limit + 1)
    items = list(db.session.execute(query).all() if rows else db.session.scalars(query))
    next_cursor = None
    if len(items) > limit:
        items = items[:limit]
        next_cursor = _serializer(kind).dumps([_plain(v) for v in key_of(items[-1])])
    return items, next_cursor
