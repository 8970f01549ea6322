"""The route decorator every endpoint uses.

It authenticates, checks the route's roles, parses path, query and body with
pydantic, honours `Idempotency-Key` on writes, maps domain errors through the
one mapping in `errors`, and renders the response model. Each route is also
recorded in `ROUTES`, from which the OpenAPI document is generated.

What a route declares and the registry are route_spec.py's, the request context
request_context.py's, the body's parsing and the response's rendering payloads.py's.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
from typing import Any
from urllib.parse import unquote

from chalice import CORSConfig, Response
from pydantic import ValidationError

from .. import auth, submission
from ..errors import DomainError, ValidationFailed, envelope, from_pydantic
from ..observability import logger
from . import idempotency
from .payloads import error_response, json_body, parse, render
from .request_context import Ctx
from .route_spec import JSON, ROUTES, RouteSpec, check_ref

_IDEMPOTENCY_KEY = re.compile(r"^[A-Za-z0-9_\-:.]{8,128}$")


@functools.lru_cache(maxsize=1)
def cors_config() -> CORSConfig:
    # Read once at import of the routes: API Gateway's OPTIONS methods are generated from it.
    origin = (os.environ.get("FIELDDESK_CORS_ORIGINS") or "http://localhost:8000").split(",")[0].strip()
    return CORSConfig(
        allow_origin=origin,
        allow_headers=["Authorization", "Idempotency-Key", "X-Api-Key", "X-Request-Id", "Content-Type"],
        expose_headers=["X-Request-Id"],
        max_age=600,
    )


def route(
    bp,
    path: str,
    method: str = "GET",
    *,
    roles,
    summary: str,
    body=None,
    query=None,
    response=None,
    status: int = 200,
    idempotent: bool | None = None,
    public: bool = False,
    tags=(),
    errors=(),
    content_type: str = JSON,
    replay_by_data: bool = False,
    order: str = "",
):
    """Register a Chalice route with FieldDesk's conventions. `roles` is who may call it; a list route
    says in `order` what its items are sorted by (the OpenAPI description carries it).

    `replay_by_data`: a write whose domain recognises a retried Idempotency-Key from the record it wrote
    (`submission`) and answers it from there. The key is bound as for any write, but no idempotency
    record is kept: two DynamoDB requests fewer (issue 18 §4). Only for a write without a body, whose
    read-modify-write is conditional on the version it read (the same key cannot differ in body)."""
    spec = RouteSpec(
        path=path,
        method=method,
        roles=tuple(r.value if hasattr(r, "value") else r for r in roles),
        summary=summary,
        body=check_ref(body),
        query=check_ref(query),
        response=check_ref(response),
        status=status,
        idempotent=(method == "POST") if idempotent is None else idempotent,
        public=public,
        replay_by_data=replay_by_data,
        tags=tuple(tags),
        errors=tuple(errors),
        content_type=content_type,
        order=order,
    )

    def decorator(fn):
        spec.operation_id = fn.__name__
        ROUTES.append(spec)

        @functools.wraps(fn)
        def view(**path_params):
            # Decoded exactly once here, whoever routed the request: chalice local and the test
            # client hand the raw segment (`a%3Ab`), API Gateway may hand it decoded. Our ids
            # never contain '%', so decoding an already decoded id changes nothing (issue 21).
            return _handle(spec, fn, bp, {k: unquote(v) for k, v in path_params.items()})

        bp.route(path, methods=[method], cors=cors_config(), content_types=[JSON])(view)
        return fn

    return decorator


def _handle(spec: RouteSpec, fn, bp, path_params: dict) -> Response:
    request = bp.current_request
    try:
        principal = None
        if not spec.public:
            principal = auth.authenticate(request.headers)
            auth.require_role(principal, spec.roles)
        ctx = Ctx(principal=principal, request=request, spec=spec, params=path_params)
        kwargs: dict[str, Any] = dict(path_params)
        query_model, body_model = spec.query_model, spec.body_model
        if query_model is not None:
            params = request.query_params or {}
            kwargs["query"] = parse(query_model, {k: params.get(k) for k in params}, prefix="query.")
        raw_body = request.raw_body or b""
        if body_model is not None:
            kwargs["body"] = parse(body_model, json_body(raw_body))

        def call() -> dict:
            return render(spec, fn(ctx, **kwargs))

        key = request.headers.get("idempotency-key") if spec.idempotent else None
        if key is not None and not _IDEMPOTENCY_KEY.match(key):
            raise ValidationFailed.field("Idempotency-Key", "8-128 characters of letters, digits and -_:.")
        # Scoped to the resource (/v1/callback-tasks/t-1/attempts), not the route template.
        scoped = f"{ctx._caller()}|{spec.method} {ctx.resource}|{key}" if key is not None else None
        body_hash = hashlib.sha256(raw_body).hexdigest()
        token = submission.bind(scoped, body_hash)
        try:
            if scoped is not None and not spec.replay_by_data:
                result = idempotency.once(
                    key=scoped, payload_hash=body_hash, compute=call, lambda_context=getattr(bp, "lambda_context", None)
                )
            else:
                result = call()
        finally:
            submission.unbind(token)
        body = result["body"]
        if spec.content_type == JSON:
            # UTF-8 rather than \u escapes: Chinese text is half the bytes on a phone's network.
            body = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
        return Response(
            body=body, status_code=result["status"], headers={"Content-Type": f"{spec.content_type}; charset=utf-8"}
        )
    except DomainError as err:
        return error_response(err)
    except ValidationError as err:
        return error_response(from_pydantic(err))
    except Exception:  # noqa: BLE001 - the last net: log it (redacted) and answer with the envelope
        logger.exception("unhandled error")
        return Response(
            body=envelope("internal_error", "an unexpected error occurred; quote the request id"),
            status_code=500,
            headers={"Content-Type": JSON},
        )
