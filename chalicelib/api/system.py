"""Health and the API description."""

from __future__ import annotations

from chalice import Blueprint

from ..config import get_settings
from .routing import route

bp = Blueprint(__name__)


@route(
    bp,
    "/v1/health",
    public=True,
    roles=[],
    summary="Liveness and the running version",
    response="chalicelib.models.system:Health",
    tags=["system"],
)
def health(ctx):
    from ..models.system import Health

    s = get_settings()
    return Health(status="ok", version=s.version, stage=s.stage)
