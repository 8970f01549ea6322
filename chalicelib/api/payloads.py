"""What goes in and out of a route: the JSON body checked and parsed into its model, the result rendered
through the route's response model, a domain error as its envelope."""

from __future__ import annotations

import json
from typing import Any

from chalice import Response
from pydantic import BaseModel, ValidationError

from ..config import get_settings
from ..errors import DomainError, ValidationFailed, from_pydantic, http_headers, to_http
from .route_spec import JSON, RouteSpec


def error_response(err: DomainError) -> Response:
    status, payload = to_http(err)
    return Response(body=payload, status_code=status, headers={"Content-Type": JSON, **http_headers(err)})


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


def json_body(raw: bytes) -> Any:
    if not raw:
        raise ValidationFailed.field("body", "a JSON object is required")
    limit = get_settings().max_json_depth
    if _json_depth(raw) > limit:
        raise ValidationFailed.field("body", f"is nested deeper than {limit} levels")
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise ValidationFailed.field("body", "is not valid JSON") from None


def parse(model: type[BaseModel], data: Any, prefix: str = ""):
    if not isinstance(data, dict):
        raise ValidationFailed.field(prefix.rstrip(".") or "body", "must be a JSON object")
    try:
        return model.model_validate(data)
    except ValidationError as err:
        raise from_pydantic(err, prefix) from None


def render(spec: RouteSpec, result: Any) -> dict:
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
