"""Opaque `next_token`s: the last key, encrypted and bound to caller and list.

A token minted for one caller's list cannot be replayed by another caller or
against another list, and reveals none of the keys inside it.
"""

from __future__ import annotations

import base64
import hashlib
import json
from decimal import Decimal
from functools import lru_cache

from ..errors import ValidationFailed
from ..runtime_values import secret_page_token_key


@lru_cache(maxsize=4)
def _fernet(secret: str):
    """The secret's first line signs new tokens; every line opens one (rotation: two keys valid).

    `python -m schedules keys rotate|promote|retire page-token` (docs/operations.md, Rotate secrets).
    """
    from cryptography.fernet import Fernet, MultiFernet

    keys = [line.strip() for line in secret.splitlines() if line.strip()] or [secret]
    return MultiFernet([Fernet(base64.urlsafe_b64encode(hashlib.sha256(k.encode()).digest())) for k in keys])


def _default(value):
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(type(value))


def encode(last_key: dict | None, *, caller: str, scope: str) -> str | None:
    if not last_key:
        return None
    payload = json.dumps({"k": last_key, "c": caller, "s": scope}, default=_default, separators=(",", ":"))
    return _fernet(secret_page_token_key()).encrypt(payload.encode()).decode()


def decode(token: str | None, *, caller: str, scope: str) -> dict | None:
    if not token:
        return None
    from cryptography.fernet import InvalidToken

    try:
        payload = json.loads(_fernet(secret_page_token_key()).decrypt(token.encode(), ttl=86400))
    except (InvalidToken, ValueError):
        raise ValidationFailed.field("next_token", "invalid or expired page token") from None
    if payload.get("c") != caller or payload.get("s") != scope:
        raise ValidationFailed.field("next_token", "page token belongs to another list")
    return payload["k"]
