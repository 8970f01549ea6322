"""Callback reports: monthly statistics (JSON, CSV), regulatory coverage, attrition.

Client managers and supervisors get 403: a manager never sees callback results of their own clients.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice import Blueprint

from ..lazy import lazy
from ..models.common import Role
from .request_context import Ctx
from .routing import route

if TYPE_CHECKING:
    from ..domain import callback_reports, task_assignment
    from ..models import callbacks as callbacks_models
    from ..models import coverage as coverage_models
    from ..models import reports as reports_models
else:
    callback_reports = lazy("chalicelib.domain.callback_reports")
    task_assignment = lazy("chalicelib.domain.task_assignment")
    callbacks_models = lazy("chalicelib.models.callbacks")
    coverage_models = lazy("chalicelib.models.coverage")
    reports_models = lazy("chalicelib.models.reports")

bp = Blueprint(__name__)

READERS = [Role.compliance, Role.admin, Role.callback_agent]
MONTHLY_READERS = [*READERS, Role.callback_lead]  # the lead's reach rate: its own branch (centre_branch)
TAGS = ["reports"]


@route(
    bp,
    "/v1/reports/callbacks",
    roles=MONTHLY_READERS,
    summary="Monthly callback statistics of a branch",
    query=lambda: callbacks_models.MonthQuery,
    response=lambda: reports_models.MonthlyReport,
    tags=TAGS,
)
def monthly_report(ctx: Ctx, query: callbacks_models.MonthQuery) -> Any:
    return callback_reports.monthly(ctx.user, query.month, task_assignment.centre_branch(ctx.user, query.branch_id))


@route(
    bp,
    "/v1/reports/callbacks.csv",
    roles=MONTHLY_READERS,
    summary="Monthly callback statistics as CSV",
    query=lambda: callbacks_models.MonthQuery,
    tags=TAGS,
    content_type="text/csv",
)
def monthly_report_csv(ctx: Ctx, query: callbacks_models.MonthQuery) -> Any:
    return callback_reports.monthly_csv(
        callback_reports.monthly(ctx.user, query.month, task_assignment.centre_branch(ctx.user, query.branch_id))
    )


@route(
    bp,
    "/v1/reports/coverage",
    roles=READERS,
    summary="Regulatory coverage: new accounts within a month, existing clients against 10%",
    query=lambda: callbacks_models.CoverageQuery,
    response=lambda: coverage_models.CoverageOut,
    tags=TAGS,
)
def coverage_report(ctx: Ctx, query: callbacks_models.CoverageQuery) -> Any:
    return callback_reports.coverage(
        ctx.user,
        branch_id=query.branch_id,
        opened_from=query.opened_from,
        opened_to=query.opened_to,
        year=query.year,
        year_end_clients=query.year_end_clients,
    )


@route(
    bp,
    "/v1/reports/coverage.csv",
    roles=READERS,
    summary="Regulatory coverage as CSV, one row per figure",
    query=lambda: callbacks_models.CoverageQuery,
    tags=TAGS,
    content_type="text/csv",
)
def coverage_report_csv(ctx: Ctx, query: callbacks_models.CoverageQuery) -> Any:
    return callback_reports.coverage_csv(
        callback_reports.coverage(
            ctx.user,
            branch_id=query.branch_id,
            opened_from=query.opened_from,
            opened_to=query.opened_to,
            year=query.year,
            year_end_clients=query.year_end_clients,
        )
    )


@route(
    bp,
    "/v1/reports/coverage/year-end",
    "PUT",
    roles=[Role.compliance, Role.admin],
    summary="Set a branch's year-end client count (dormant excluded)",
    body=lambda: callbacks_models.YearEndIn,
    response=lambda: reports_models.YearEndOut,
    tags=TAGS,
)
def set_year_end(ctx: Ctx, body: callbacks_models.YearEndIn) -> Any:
    return callback_reports.set_year_end(ctx.user, body)


@route(
    bp,
    "/v1/reports/attrition",
    roles=READERS,
    summary="Closed accounts of a month by reason",
    query=lambda: callbacks_models.MonthQuery,
    response=lambda: reports_models.AttritionReport,
    tags=TAGS,
)
def attrition_report(ctx: Ctx, query: callbacks_models.MonthQuery) -> Any:
    return callback_reports.attrition(ctx.user, query.month, query.branch_id)
