"""Pushing urgent flags to the clinic: an outbox written with the flag, delivered by a worker."""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import random
import time
import urllib.error
import urllib.request
import uuid

import sqlalchemy as sa
from flask import current_app

from . import clock
from .extensions import db
from .models import Flag, Patient, WebhookEvent

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 10
RETRY_FOR = dt.timedelta(hours=24)
MAX_BACKOFF_SECONDS = 3600
# A claimed event is hidden from other workers this long: longer than one delivery can take.
LEASE = dt.timedelta(seconds=TIMEOUT_SECONDS * 6)


def enabled() -> bool:
    return bool(current_app.config.get("BACLOWATCH_WEBHOOK_URL"))


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).isoformat()


def record(flag: Flag, patient: Patient, kind: str) -> WebhookEvent | None:
    """Write an event for the flag in the current transaction (the caller commits)."""
    if not enabled():
        return None
    now = clock.now()
    event_id = uuid.uuid4()
    body = {"id": str(event_id), "type": kind, "created_at": _iso(now), "data": {
        "flag_id": str(flag.id), "patient_id": str(patient.id), "patient_reference": patient.reference,
        "rule": flag.rule, "severity": flag.severity, "title": flag.title,
        "first_seen_at": _iso(flag.first_seen_at), "last_seen_at": _iso(flag.last_seen_at)}}
    event = WebhookEvent(id=event_id, type=kind, flag_id=flag.id, body=json.dumps(body), status="pending",
                         attempts=0, created_at=now, next_attempt_at=now, give_up_at=now + RETRY_FOR)
    db.session.add(event)
    return event


def escalate_due(now: dt.datetime) -> int:
    """Write `flag.escalated` once for each urgent flag left open past the window."""
    cutoff = now - dt.timedelta(minutes=int(current_app.config["BACLOWATCH_ESCALATE_AFTER_MINUTES"]))
    due = db.session.execute(
        sa.select(Flag, Patient).join(Patient, Patient.id == Flag.patient_id)
        .where(Flag.status == "open", Flag.severity == "urgent", Flag.escalated_at.is_(None),
               Flag.urgent_at <= cutoff)).all()
    made = 0
    for flag, patient in due:
        # The conditional update lets exactly one worker escalate a flag.
        won = db.session.execute(
            sa.update(Flag).where(Flag.id == flag.id, Flag.escalated_at.is_(None))
            .values(escalated_at=now).execution_options(synchronize_session=False)).rowcount
        if won == 1:
            record(flag, patient, "flag.escalated")
            made += 1
    db.session.commit()
    return made


def claim(now: dt.datetime) -> WebhookEvent | None:
    """Take the next due event for this worker; others skip it until its lease ends."""
    event = db.session.scalars(
        sa.select(WebhookEvent).where(WebhookEvent.status == "pending", WebhookEvent.next_attempt_at <= now)
        .order_by(WebhookEvent.next_attempt_at, WebhookEvent.id).limit(1)
        .with_for_update(skip_locked=True)).first()
    if event is not None:
        event.next_attempt_at = now + LEASE
    db.session.commit()
    return event


def signature(secret: str, timestamp: int, body: str) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.{body}".encode(), hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a 3xx is an answer that did not take the event: following it would GET elsewhere


_OPENER = urllib.request.build_opener(_NoRedirects)


def post(event: WebhookEvent) -> str | None:
    """POST the event; return None when the receiver took it, else why not."""
    request = urllib.request.Request(current_app.config["BACLOWATCH_WEBHOOK_URL"], data=event.body.encode(),
                                     method="POST")
    request.add_header("Content-Type", "application/json")
    request.add_header("User-Agent", "Baclowatch-Webhooks")
    request.add_header("Baclowatch-Event-Id", str(event.id))
    secret = current_app.config.get("BACLOWATCH_WEBHOOK_SECRET")
    if secret:
        request.add_header("Baclowatch-Signature", signature(secret, int(time.time()), event.body))
    try:
        with _OPENER.open(request, timeout=TIMEOUT_SECONDS) as answer:
            return None if 200 <= answer.status < 300 else f"HTTP {answer.status}"
    except urllib.error.HTTPError as error:
        return f"HTTP {error.code}"
    except (urllib.error.URLError, OSError, ValueError) as error:
        reason = getattr(error, "reason", error)
        return f"{type(reason).__name__}: {reason}"[:300]


def backoff(attempts: int) -> float:
    """Seconds before the next try: exponential from the base, capped at an hour, with jitter
    that only ever adds (the first retry never comes before the base)."""
    base = float(current_app.config["WEBHOOK_BACKOFF_SECONDS"])
    delay = base * 2 ** max(0, attempts - 1) * random.uniform(1, 1.25)
    # At the cap the jitter goes below it, so events failed together do not retry together.
    return delay if delay <= MAX_BACKOFF_SECONDS else random.uniform(0.8, 1) * MAX_BACKOFF_SECONDS


def deliver(event: WebhookEvent) -> str:
    """Try one delivery and record what came of it; return the event's status."""
    error = post(event)
    now = clock.now()
    event.attempts += 1
    if error is None:
        event.status, event.delivered_at, event.last_error = "delivered", now, None
    else:
        event.last_error = error
        if now >= event.give_up_at:
            event.status = "failed"
        else:
            event.next_attempt_at = now + dt.timedelta(seconds=backoff(event.attempts))
    db.session.commit()
    log.info("webhook %s %s attempt %d: %s", event.id, event.type, event.attempts, error or "delivered")
    return event.status


def run_round(now: dt.datetime | None = None) -> dict:
    """Escalate what is due, then deliver every event due now, once each."""
    now = now or clock.now()
    counts = {"escalated": escalate_due(now), "delivered": 0, "retrying": 0, "failed": 0}
    while (event := claim(now)) is not None:
        status = deliver(event)
        counts["retrying" if status == "pending" else status] += 1
    return counts


def status() -> dict:
    counts = dict(db.session.execute(
        sa.select(WebhookEvent.status, sa.func.count()).group_by(WebhookEvent.status)).all())
    oldest = db.session.scalars(
        sa.select(WebhookEvent).where(WebhookEvent.status == "pending")
        .order_by(WebhookEvent.created_at).limit(1)).first()
    return {"pending": counts.get("pending", 0), "delivered": counts.get("delivered", 0),
            "failed": counts.get("failed", 0),
            "oldest_pending": None if oldest is None else {
                "id": str(oldest.id), "type": oldest.type, "created_at": _iso(oldest.created_at),
                "attempts": oldest.attempts, "last_error": oldest.last_error}}


def retry(include_failed: bool) -> int:
    """Make pending events due now, and failed ones too with `include_failed` (with 24 h more)."""
    now = clock.now()
    statuses = ("pending", "failed") if include_failed else ("pending",)
    changed = db.session.execute(
        sa.update(WebhookEvent).where(WebhookEvent.status.in_(statuses))
        .values(status="pending", next_attempt_at=now, give_up_at=now + RETRY_FOR)
        .execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    return changed
