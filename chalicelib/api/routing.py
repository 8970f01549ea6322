"""The route decorator every endpoint uses.

It authenticates, checks the route's roles, parses path, query and body with
pydantic, honours `Idempotency-Key` on writes, maps domain errors through the
one mapping in `errors`, and renders the response model. Each route is also
recorded in `ROUTES`, from which the OpenAPI document is generated.

`body`, `query` and `response` take a pydantic class or a zero-argument callable
returning one (`lambda: visits_models.VisitIn` over a lazy module handle,
`chalicelib/lazy.py`): typed for mypy and an IDE, loaded on first use, so a cold
start pays only for the models of the routes it serves. Read them through
`RouteSpec.body_model`, `query_model` and `response_model`, which resolve.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar
from urllib.parse import unquote

from chalice import CORSConfig, Response
from pydantic import BaseModel, ValidationError

from .. import auth, submission
from ..config import get_settings
from ..errors import DomainError, ValidationFailed, envelope, from_pydantic, http_headers, to_http
from ..observability import logger
from . import idempotency, pagination

JSON = "application/json"
_IDEMPOTENCY_KEY = re.compile(r"^[A-Za-z0-9_\-:.]{8,128}$")


def resolve(model: Any) -> Any:
    """A class as it is; a zero-argument callable (`lambda: m.VisitIn`, see `chalicelib/lazy.py`) called
    once: the route module names its models typed, and loads them on first use."""
    if callable(model) and not isinstance(model, type):
        return _call_ref(model)
    return model


@functools.cache
def _call_ref(ref: Callable[[], Any]) -> Any:
    return ref()


def _check_ref(model: Any) -> Any:
    # A "module:Name" string was the old lazy reference: mypy could not follow it and a typo answered 500.
    if isinstance(model, str):
        raise TypeError(f"model {model!r}: give the class, or `lambda: module.Name` to load it lazily")
    return model


T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)


class Paged(Protocol[T_co]):
    """One page of a list as storage and the domain return it (storage.queries.Page, a domain Page[T])."""

    @property
    def items(self) -> Sequence[T_co]: ...

    @property
    def last_key(self) -> dict | None: ...


@dataclass
class RouteSpec:
    path: str
    method: str
    roles: tuple[str, ...]
    summary: str
    # a class, or a zero-argument callable returning it (typed and lazy: chalicelib/lazy.py); read them
    # through the *_model properties
    body: type[BaseModel] | Callable[[], type[BaseModel]] | None = None
    query: type[BaseModel] | Callable[[], type[BaseModel]] | None = None
    response: Any = None
    status: int = 200
    idempotent: bool = False
    replay_by_data: bool = False  # the domain answers a retried key from its own record (no idempotency table)
    public: bool = False
    tags: tuple[str, ...] = ()
    errors: tuple[int, ...] = ()
    content_type: str = JSON
    operation_id: str = ""
    order: str = ""  # a list route: what its items are sorted by (in the operation's description)

    @property
    def body_model(self) -> type[BaseModel] | None:
        return resolve(self.body)

    @property
    def query_model(self) -> type[BaseModel] | None:
        return resolve(self.query)

    @property
    def response_model(self) -> Any:
        return resolve(self.response)


ROUTES: list[RouteSpec] = []


@dataclass
class Ctx:
    """What a route body needs about its request."""

    principal: auth.Principal | None
    request: Any
    spec: RouteSpec
    params: dict = field(default_factory=dict)

    @property
    def user(self) -> auth.Principal:
        """The signed-in caller of a route that is not `public` (the route wrapper refused anonymous calls)."""
        if self.principal is None:
            raise RuntimeError(f"{self.spec.method} {self.spec.path} read the caller of an anonymous request")
        return self.principal

    @property
    def resource(self) -> str:
        """The resource path with its parameters filled in (Chalice's request.path is the route template)."""
        path = self.spec.path
        for name, value in self.params.items():
            path = path.replace("{" + name + "}", str(value))
        return path

    @property
    def scope(self) -> str:
        """A list variant: method, resource and every query parameter but the page position."""
        params = (self.request.query_params or {}) if self.request is not None else {}
        variant = "&".join(f"{k}={params[k]}" for k in sorted(params) if k not in ("next_token", "limit"))
        return f"{self.spec.method} {self.resource}?{variant}"

    def start_key(self, next_token: str | None) -> dict | None:
        return pagination.decode(next_token, caller=self._caller(), scope=self.scope)

    def page(self, page: Paged[T], render: Callable[[T], Any]) -> dict:
        """The route's `Page[...]` model as a dict: `render` makes each item's view (a record or its Out model);
        `_render` validates it against the route's response model and dumps it, once, like every response."""
        return {
            "items": [render(i) for i in page.items],
            "next_token": pagination.encode(page.last_key, caller=self._caller(), scope=self.scope),
        }

    def _caller(self) -> str:
        return f"{self.principal.kind}:{self.principal.id}" if self.principal else "anonymous"


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
        body=_check_ref(body),
        query=_check_ref(query),
        response=_check_ref(response),
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


def error_response(err: DomainError) -> Response:
    status, payload = to_http(err)
    return Response(body=payload, status_code=status, headers={"Content-Type": JSON, **http_headers(err)})


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
            kwargs["query"] = _parse(query_model, {k: params.get(k) for k in params}, prefix="query.")
        raw_body = request.raw_body or b""
        if body_model is not None:
            kwargs["body"] = _parse(body_model, _json_body(raw_body))

        def call() -> dict:
            return _render(spec, fn(ctx, **kwargs))

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


def _json_depth(raw: bytes) -> int:
    """The deepest nesting of objects and arrays, counted outside strings, without parsing."""
    depth = deepest = 0
    in_string = escaped = False
    for byte in raw:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x7B, 0x5B):  # { [
            depth += 1
            deepest = max(deepest, depth)
        elif byte in (0x7D, 0x5D):  # } ]
            depth -= 1
    return deepest


def _json_body(raw: bytes) -> Any:
    if not raw:
        raise ValidationFailed.field("body", "a JSON object is required")
    limit = get_settings().max_json_depth
    if _json_depth(raw) > limit:
        raise ValidationFailed.field("body", f"is nested deeper than {limit} levels")
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise ValidationFailed.field("body", "is not valid JSON") from None


def _parse(model: type[BaseModel], data: Any, prefix: str = ""):
    if not isinstance(data, dict):
        raise ValidationFailed.field(prefix.rstrip(".") or "body", "must be a JSON object")
    try:
        return model.model_validate(data)
    except ValidationError as err:
        raise from_pydantic(err, prefix) from None


def _render(spec: RouteSpec, result: Any) -> dict:
    # The one response path: a handler returns a model, or a dict (a record, a `Ctx.page`) validated here
    # against its route's response model; nothing else dumps a response.
    status = spec.status
    if isinstance(result, tuple):
        status, result = result
    response_model = spec.response_model
    if isinstance(result, BaseModel):
        body = result.model_dump(mode="json")
    elif (
        response_model is not None
        and isinstance(response_model, type)
        and issubclass(response_model, BaseModel)
        and isinstance(result, dict)
    ):
        try:
            body = response_model.model_validate(result).model_dump(mode="json")
        except ValidationError as err:
            # Our own record does not fit our response model: a server bug, never the caller's 400.
            raise RuntimeError(f"response of {spec.method} {spec.path} does not match its model: {err}") from None
    else:
        body = result
    if isinstance(body, (dict, list)):
        body = json.loads(json.dumps(body, default=str))
    return {"status": status, "body": body}
