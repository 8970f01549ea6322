"""The working-day calendar: read by staff, published by admins (every version kept)."""

from __future__ import annotations

from chalice import Blueprint

from ..models.common import STAFF_ROLES, Role
from .routing import route

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
    response="chalicelib.models.calendar:CalendarOut",
    tags=TAGS,
    errors=(400,),
)
def get_calendar(ctx, year):
    from ..domain import calendar

    return calendar.view(_year(year))


@route(
    bp,
    "/v1/calendar/{year}/versions",
    order="by version number, oldest first",
    roles=[Role.admin, Role.compliance],
    summary="Every published version of a year (the audit trail)",
    response="chalicelib.models.calendar:CalendarVersions",
    tags=TAGS,
    errors=(400,),
)
def calendar_versions(ctx, year):
    from ..domain import calendar

    return calendar.versions(_year(year))


@route(
    bp,
    "/v1/calendar/{year}",
    "PUT",
    roles=[Role.admin],
    summary="Publish a year's holidays and make-up working days (a new version; recomputes provisional due dates)",
    body="chalicelib.models.calendar:CalendarIn",
    response="chalicelib.models.calendar:CalendarOut",
    tags=TAGS,
    errors=(400, 409),
)
def publish_calendar(ctx, year, body):
    from ..domain import calendar

    return calendar.publish(_year(year), body.holidays, body.makeup_workdays, body.note, ctx.principal.id)


@route(
    bp,
    "/v1/health/calendar",
    roles=STAFF_ROLES,
    summary="Whether this year's (and from 1 December next year's) working-day calendar is known",
    response="chalicelib.models.calendar:CalendarHealth",
    tags=TAGS,
)
def calendar_health(ctx):
    from .. import clock
    from ..domain import calendar

    return calendar.health(clock.today())
