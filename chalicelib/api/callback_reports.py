"""Callback reports: monthly statistics (JSON, CSV), regulatory coverage, attrition.

Client managers and supervisors get 403: a manager never sees callback results of their own clients.
"""

from __future__ import annotations

from ..models.common import Role
from .callback_tasks import bp  # one blueprint for the callback area
from .routing import route

READERS = [Role.compliance, Role.admin, Role.callback_agent]
TAGS = ["reports"]


@route(
    bp,
    "/v1/reports/callbacks",
    roles=READERS,
    summary="Monthly callback statistics of a branch",
    query="chalicelib.models.callbacks:MonthQuery",
    response="chalicelib.models.reports:MonthlyReport",
    tags=TAGS,
)
def monthly_report(ctx, query):
    from ..domain import callback_reports

    return callback_reports.monthly(ctx.principal, query.month, query.branch_id)


@route(
    bp,
    "/v1/reports/callbacks.csv",
    roles=READERS,
    summary="Monthly callback statistics as CSV",
    query="chalicelib.models.callbacks:MonthQuery",
    tags=TAGS,
    content_type="text/csv",
)
def monthly_report_csv(ctx, query):
    from ..domain import callback_reports

    return callback_reports.monthly_csv(callback_reports.monthly(ctx.principal, query.month, query.branch_id))


@route(
    bp,
    "/v1/reports/coverage",
    roles=READERS,
    summary="Regulatory coverage: new accounts within a month, existing clients against 10%",
    query="chalicelib.models.callbacks:CoverageQuery",
    response="chalicelib.models.coverage:CoverageOut",
    tags=TAGS,
)
def coverage_report(ctx, query):
    from ..domain import callback_reports

    return callback_reports.coverage(
        ctx.principal,
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
    query="chalicelib.models.callbacks:CoverageQuery",
    tags=TAGS,
    content_type="text/csv",
)
def coverage_report_csv(ctx, query):
    from ..domain import callback_reports

    return callback_reports.coverage_csv(
        callback_reports.coverage(
            ctx.principal,
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
    body="chalicelib.models.callbacks:YearEndIn",
    response="chalicelib.models.reports:YearEndOut",
    tags=TAGS,
)
def set_year_end(ctx, body):
    from ..domain import callback_reports

    return callback_reports.set_year_end(ctx.principal, body)


@route(
    bp,
    "/v1/reports/attrition",
    roles=READERS,
    summary="Closed accounts of a month by reason",
    query="chalicelib.models.callbacks:MonthQuery",
    response="chalicelib.models.reports:AttritionReport",
    tags=TAGS,
)
def attrition_report(ctx, query):
    from ..domain import callback_reports

    return callback_reports.attrition(ctx.principal, query.month, query.branch_id)
