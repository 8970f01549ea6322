"""The submission a write belongs to, so the data itself recognises a retry.

The route layer binds the current request's submission: with an Idempotency-Key,
its scope is the caller, the method, the resource path and the key; without one,
a fresh random scope. Domain code derives record ids from it (`record_id`) and
stamps records with it (`stamp`), and writes them conditionally: when the
conditional write loses to a record that carries this submission's stamp, the
write already happened (a lost response, a retry after a 5xx) and `replay_of`
hands back that record as the first result instead of a refusal. The
idempotency table is then an optimisation, not the only guard.
"""

from __future__ import annotations

import hashlib
import uuid
from contextvars import ContextVar
from dataclasses import dataclass

from .errors import Unprocessable

STAMP = "submission_ref"


@dataclass(frozen=True)
class Submission:
    scope: str  # caller|METHOD /resource/path|key, or a random scope without a key
    body_hash: str
    keyed: bool


_current: ContextVar[Submission | None] = ContextVar("fielddesk_submission", default=None)


def bind(scope: str | None, body_hash: str = "") -> object:
    """Bind the request's submission; returns the token for `unbind`."""
    if scope is None:
        return _current.set(Submission(scope=uuid.uuid4().hex, body_hash=body_hash, keyed=False))
    return _current.set(Submission(scope=scope, body_hash=body_hash, keyed=True))


def unbind(token) -> None:
    _current.reset(token)


def current() -> Submission:
    sub = _current.get()
    if sub is None:  # a job or a domain test: every call is its own submission
        sub = Submission(scope=uuid.uuid4().hex, body_hash="", keyed=False)
        _current.set(sub)
    return sub


def record_id(kind: str, length: int = 32) -> str:
    """The id of the `kind` record this submission creates: the same on every retry with the same key."""
    sub = current()
    if not sub.keyed:
        return uuid.uuid4().hex[:length]
    return hashlib.sha256(f"{kind}|{sub.scope}".encode()).hexdigest()[:length]


def _ref(sub: Submission) -> str:
    return hashlib.sha256(f"{sub.scope}|{sub.body_hash}".encode()).hexdigest()[:32]


def ref() -> str:
    """This submission's reference (body included), for a record that carries it under another name."""
    return _ref(current())


def is_keyed() -> bool:
    return current().keyed


def stamp() -> dict:
    """Attributes a record created by this submission carries (not rendered: response models ignore them)."""
    return {STAMP: _ref(current())}


def replay_of(existing: dict | None) -> dict | None:
    """`existing` if this submission wrote it; None if someone else did; 422 for a key reused with another body."""
    if not existing:
        return None
    sub = current()
    if existing.get(STAMP) == _ref(sub):
        return existing
    if sub.keyed:
        raise Unprocessable(
            "Idempotency-Key was already used with a different body",
            details=[{"field": "Idempotency-Key", "message": "reused with a different body"}],
        )
    return None
