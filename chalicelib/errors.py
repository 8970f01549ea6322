"""Domain exceptions and their single mapping to HTTP error responses.

Domain and storage code raise these; only `to_http` turns them into a status
and the one error envelope every client sees:
    {"error": {"code": ..., "message": ..., "details": [...]}}
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    status = 400
    code = "bad_request"
    retry_after: int | None = None  # seconds, sent as Retry-After on 429/503 and "still in progress"

    def __init__(
        self, message: str, *, details: list[dict[str, Any]] | None = None, extra: dict[str, Any] | None = None
    ):
        super().__init__(message)
        self.message = message
        self.details = details or []
        self.extra = extra or {}


class ValidationFailed(DomainError):
    """Bad input. `details` name each failing field: [{"field", "message"}]."""

    status = 400
    code = "validation_error"

    @classmethod
    def field(cls, field: str, message: str) -> ValidationFailed:
        return cls(f"{field}: {message}", details=[{"field": field, "message": message}])


class Unauthenticated(DomainError):
    status = 401
    code = "unauthenticated"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class NotFound(DomainError):
    status = 404
    code = "not_found"

    @classmethod
    def reference(cls, field: str, what: str) -> NotFound:
        """An id named in a body that is unknown *or outside the caller's scope*: the same answer for
        both, so a reference cannot probe another branch (issue 16 §5)."""
        return cls(f"{field}: unknown {what}", details=[{"field": field, "message": f"unknown {what}"}])


class Conflict(DomainError):
    status = 409
    code = "conflict"


class InProgress(Conflict):
    """The same submission (caller, resource, Idempotency-Key) is still being processed: retry it shortly."""

    code = "in_progress"
    retry_after = 1


class PayloadTooLarge(DomainError):
    status = 413
    code = "payload_too_large"


class Unprocessable(DomainError):
    """Well-formed input that the rules refuse (e.g. amending a signed week)."""

    status = 422
    code = "unprocessable"


class TooManyRequests(DomainError):
    status = 429
    code = "too_many_requests"
    retry_after = 1


class ConditionFailed(Conflict):
    """A conditional write lost: the key exists or the state moved on. `item`: the item that refused it,
    when the write asked for it (storage/items.put_new(return_old=True)), else None."""

    code = "condition_failed"
    item: dict | None = None


class Unavailable(DomainError):
    status = 503
    code = "unavailable"
    retry_after = 1


def envelope(code: str, message: str, details: list | None = None, **extra: Any) -> dict:
    body: dict[str, Any] = {"code": code, "message": message, "details": details or []}
    body.update(extra)
    return {"error": body}


def to_http(err: DomainError) -> tuple[int, dict]:
    return err.status, envelope(err.code, err.message, err.details, **err.extra)


def http_headers(err: DomainError) -> dict[str, str]:
    """Headers that go with the error: Retry-After for what a client should retry."""
    return {"Retry-After": str(err.retry_after)} if err.retry_after is not None else {}


def from_pydantic(exc, prefix: str = "") -> ValidationFailed:
    """pydantic's ValidationError -> ValidationFailed naming each field."""
    details = []
    for e in exc.errors(include_url=False, include_input=False):
        loc = ".".join(str(p) for p in e.get("loc", ()) if p != "__root__")
        field = f"{prefix}{loc}" if loc else prefix.rstrip(".") or "body"
        details.append({"field": field, "message": e.get("msg", "invalid"), "type": e.get("type")})
    first = details[0] if details else {"field": "body", "message": "invalid"}
    return ValidationFailed(f"{first['field']}: {first['message']}", details=details)
