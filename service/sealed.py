"""Secrets the service must read back (a clinic's webhook secret), kept encrypted at rest.

A hash would not do: the secret signs every body sent. The key is derived from SECRET_KEY, so a
copy of the database alone does not give the secrets away; changing SECRET_KEY makes them
unreadable, and each clinic's admin sets its secret again.
"""
from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from flask import current_app

__all__ = ["InvalidToken", "seal", "unseal"]


def _fernet() -> Fernet:
    key = hashlib.sha256(b"baclowatch sealed secrets\0" + current_app.config["SECRET_KEY"].encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def seal(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def unseal(sealed: str) -> str:
    """The secret; InvalidToken when it was sealed under another SECRET_KEY."""
    return _fernet().decrypt(sealed.encode()).decode()
