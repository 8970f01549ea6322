"""The working-day calendar: read by staff, published by admins (every version kept)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice import Blueprint

from ..lazy import lazy
from ..models.common import STAFF_ROLES, Role
from .request_context import Ctx
from .routing import route

if TYPE_CHECKING:
    from ..domain import calendar
    from ..models import calendar as calendar_models
else:
    calendar = lazy("chalicelib.domain.calendar")
    calendar_models = lazy("chalicelib.models.calendar")

bp = Blueprint(__name__)
TAGS = ["calendar"]


def _year(year: str) -> int:
    from ..errors import ValidationFailed

    if not (year.isdigit() and len(year) == 4):
        raise ValidationFailed.field("year", "must be a year YYYY")
    return int(year)


@route(
    bp,
    "/v1/calendar/{year}",
    roles=STAFF_ROLES,
    summary="A year's working-day arrangement and its source",
    response=lambda: calendar_models.CalendarOut,
    tags=TAGS,
    errors=(400,),
)
def get_calendar(ctx: Ctx, year: str) -> Any:
    return calendar.view(_year(year))


@route(
    bp,
    "/v1/calendar/{year}/versions",
    order="by version number, oldest first",
    roles=[Role.admin, Role.compliance],
    summary="Every published version of a year (the audit trail)",
    response=lambda: calendar_models.CalendarVersions,
    tags=TAGS,
    errors=(400,),
)
def calendar_versions(ctx: Ctx, year: str) -> Any:
    return calendar.versions(_year(year))


@route(
    bp,
    "/v1/calendar/{year}",
    "PUT",
    roles=[Role.admin],
    summary="Publish a year's holidays and make-up working days (a new version; recomputes provisional due dates)",
    body=lambda: calendar_models.CalendarIn,
    response=lambda: calendar_models.CalendarOut,
    tags=TAGS,
    errors=(400, 409),
)
def publish_calendar(ctx: Ctx, year: str, body: calendar_models.CalendarIn) -> Any:
    return calendar.publish(_year(year), body.holidays, body.makeup_workdays, body.note, ctx.user.id)


@route(
    bp,
    "/v1/health/calendar",
    roles=STAFF_ROLES,
    summary="Whether this year's (and from 1 December next year's) working-day calendar is known",
    response=lambda: calendar_models.CalendarHealth,
    tags=TAGS,
)
def calendar_health(ctx: Ctx) -> Any:
    from .. import clock

    return calendar.health(clock.today())
