"""GET /v1/openapi.json: the API description, public, built once per container."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from chalice import Blueprint

from .request_context import Ctx
from .routing import route

bp = Blueprint(__name__)


@lru_cache(maxsize=1)
def _document() -> dict:
    from ..openapi import build_document

    return build_document()


@route(
    bp,
    "/v1/openapi.json",
    public=True,
    roles=[],
    summary="The OpenAPI 3.1 description of this API",
    response=dict,
    tags=["system"],
)
def openapi_document(ctx: Ctx) -> Any:
    return _document()
