"""Health and the API description."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice import Blueprint

from ..config import get_settings
from ..lazy import lazy
from .request_context import Ctx
from .routing import route

if TYPE_CHECKING:
    from ..models import system as system_models
else:
    system_models = lazy("chalicelib.models.system")

bp = Blueprint(__name__)


@route(
    bp,
    "/v1/health",
    public=True,
    roles=[],
    summary="Liveness and the running version",
    response=lambda: system_models.Health,
    tags=["system"],
)
def health(ctx: Ctx) -> Any:
    s = get_settings()
    return system_models.Health(status="ok", version=s.version, stage=s.stage_name)
