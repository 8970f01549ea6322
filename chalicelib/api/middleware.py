"""HTTP middleware: request id, size limit, one error envelope, access log."""

from __future__ import annotations

import json
import re
import time
import uuid

from chalice import Response

from ..config import get_settings
from ..errors import envelope
from ..observability import logger

# What a client's own X-Request-Id may be to be logged beside ours (anything else is dropped).
_CLIENT_REQUEST_ID = re.compile(r"^[A-Za-z0-9\-_.]{8,64}$")
_SECURITY_HEADERS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}


def _request_id(event) -> str:
    """Ours, never the client's: API Gateway's id (its access logs and gateway responses carry it too),
    else a new one. A client-chosen id could collide with, or impersonate, another request in the logs."""
    context = getattr(event, "context", None) or {}
    return context.get("requestId") or str(uuid.uuid4())


def _client_request_id(event) -> str | None:
    """The client's X-Request-Id, logged beside ours so a support ticket quoting it is found."""
    supplied = event.headers.get("x-request-id") or ""
    return supplied if _CLIENT_REQUEST_ID.match(supplied) else None


def _as_envelope(response: Response) -> Response:
    """Chalice's own refusals (405, 415, 500...) get the same envelope as ours."""
    body = response.body
    if response.status_code < 400:
        return response
    if isinstance(body, (str, bytes)):
        try:
            body = json.loads(body)
        except ValueError:
            body = {"Message": str(body)}
    if isinstance(body, dict) and "error" not in body:
        code = str(body.get("Code") or "error")
        response.body = envelope(re.sub(r"(?<!^)(?=[A-Z])", "_", code).lower(), str(body.get("Message", code)))
        response.headers["Content-Type"] = "application/json"
    return response


def http_conventions(event, get_response):
    started = time.perf_counter()
    request_id = _request_id(event)
    logger.append_keys(request_id=request_id, client_request_id=_client_request_id(event))
    if len(event.raw_body or b"") > get_settings().max_body_bytes:
        response = Response(
            body=envelope("payload_too_large", f"request body exceeds {get_settings().max_body_bytes} bytes"),
            status_code=413,
            headers={"Content-Type": "application/json"},
        )
    else:
        response = _as_envelope(get_response(event))
    if response.status_code in (429, 503):
        response.headers.setdefault("Retry-After", "1")  # every throttle and outage says when to retry
    for name, value in _SECURITY_HEADERS.items():
        # A route that sets its own caching (the static mobile forms) keeps it; everything else is no-store.
        response.headers.setdefault(name, value)
    response.headers["X-Request-Id"] = request_id
    elapsed_ms = round((time.perf_counter() - started) * 1000, 1)
    # Paths only, never query strings or bodies: they can carry client data.
    logger.info(
        "request",
        extra={"method": event.method, "path": event.path, "status": response.status_code, "duration_ms": elapsed_ms},
    )
    logger.remove_keys(["request_id", "client_request_id"])
    return response
