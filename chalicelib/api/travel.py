"""Travel 出差: periods, the daily travel report, and the NO_DAILY_REPORT penalty proposals."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice import Blueprint

from ..lazy import lazy
from ..models.common import Role
from .request_context import Ctx
from .routing import route

if TYPE_CHECKING:
    from ..domain import travel
    from ..models import travel as travel_models
else:
    travel = lazy("chalicelib.domain.travel")
    travel_models = lazy("chalicelib.models.travel")

bp = Blueprint(__name__)

STAFF = [Role.client_manager, Role.supervisor]
READERS = [Role.client_manager, Role.supervisor, Role.compliance, Role.admin]
MANAGER = [Role.client_manager]
SUPERVISOR = [Role.supervisor]
TAGS = ["travel"]


def _period(record: dict) -> travel_models.TravelPeriodOut:
    return travel_models.TravelPeriodOut.model_validate(record)


def _report(record: dict) -> travel_models.TravelReportOut:
    return travel_models.TravelReportOut.model_validate(record)


def _proposal(record: dict) -> travel_models.ProposalOut:
    return travel_models.ProposalOut.model_validate(record)


@route(
    bp,
    "/v1/travel-periods",
    "POST",
    roles=STAFF,
    summary="Request travel (a manager, for the supervisor to approve) or record it (a supervisor: approved)",
    body=lambda: travel_models.TravelPeriodIn,
    response=lambda: travel_models.TravelPeriodOut,
    status=201,
    tags=TAGS,
    errors=(404, 409),
)
def create_travel_period(ctx: Ctx, body: travel_models.TravelPeriodIn) -> Any:
    return _period(travel.create_period(ctx.user, body))


@route(
    bp,
    "/v1/travel-periods",
    order="latest start first (start_on, then id)",
    roles=READERS,
    summary="Travel periods, latest start first",
    query=lambda: travel_models.TravelQuery,
    response=lambda: travel_models.TravelPeriodPage,
    tags=TAGS,
)
def list_travel_periods(ctx: Ctx, query: travel_models.TravelQuery) -> Any:
    page = travel.list_periods(
        ctx.user,
        manager_id=query.manager_id,
        branch_id=query.branch_id,
        status=query.status,
        month=query.month,
        limit=query.limit,
        start_key=ctx.start_key(query.next_token),
    )
    return ctx.page(page, _period)


@route(
    bp,
    "/v1/travel-periods/{travel_id}",
    roles=READERS,
    summary="A travel period with its history",
    response=lambda: travel_models.TravelPeriodOut,
    tags=TAGS,
    errors=(404,),
)
def get_travel_period(ctx: Ctx, travel_id: str) -> Any:
    return _period(travel.read_period(ctx.user, travel_id))


@route(
    bp,
    "/v1/travel-periods/{travel_id}/decision",
    "POST",
    roles=STAFF,
    summary="Approve, reject or cancel (the supervisor); a manager withdraws their own request",
    body=lambda: travel_models.TravelDecisionIn,
    response=lambda: travel_models.TravelPeriodOut,
    tags=TAGS,
    errors=(404, 409, 422),
)
def decide_travel_period(ctx: Ctx, travel_id: str, body: travel_models.TravelDecisionIn) -> Any:
    return _period(travel.decide_period(ctx.user, travel_id, body))


@route(
    bp,
    "/v1/travel-reports",
    "POST",
    roles=MANAGER,
    summary="File the day's travel report (where, whom, what), due by travel_report_due_hour",
    body=lambda: travel_models.TravelReportIn,
    response=lambda: travel_models.TravelReportOut,
    status=201,
    tags=TAGS,
    errors=(409, 422),
)
def submit_travel_report(ctx: Ctx, body: travel_models.TravelReportIn) -> Any:
    return _report(travel.submit_report(ctx.user, body))


@route(
    bp,
    "/v1/travel-reports",
    order="latest day first",
    roles=READERS,
    summary="Daily travel reports, latest day first",
    query=lambda: travel_models.TravelReportQuery,
    response=lambda: travel_models.TravelReportPage,
    tags=TAGS,
)
def list_travel_reports(ctx: Ctx, query: travel_models.TravelReportQuery) -> Any:
    page = travel.list_reports(
        ctx.user,
        manager_id=query.manager_id,
        branch_id=query.branch_id,
        month=query.month,
        limit=query.limit,
        start_key=ctx.start_key(query.next_token),
    )
    return ctx.page(page, _report)


@route(
    bp,
    "/v1/penalty-proposals",
    order="latest breach day first",
    roles=READERS,
    summary="Penalty proposals raised by the sweeps (NO_DAILY_REPORT), latest day first",
    query=lambda: travel_models.ProposalQuery,
    response=lambda: travel_models.ProposalPage,
    tags=TAGS,
)
def list_penalty_proposals(ctx: Ctx, query: travel_models.ProposalQuery) -> Any:
    page = travel.list_proposals(
        ctx.user,
        status=query.status,
        branch_id=query.branch_id,
        month=query.month,
        limit=query.limit,
        start_key=ctx.start_key(query.next_token),
    )
    return ctx.page(page, _proposal)


@route(
    bp,
    "/v1/penalty-proposals/{proposal_id}",
    roles=READERS,
    summary="A penalty proposal",
    response=lambda: travel_models.ProposalOut,
    tags=TAGS,
    errors=(404,),
)
def get_penalty_proposal(ctx: Ctx, proposal_id: str) -> Any:
    return _proposal(travel.read_proposal(ctx.user, proposal_id))


@route(
    bp,
    "/v1/penalty-proposals/{proposal_id}/confirm",
    "POST",
    roles=SUPERVISOR,
    summary="Confirm: the penalty is entered with the catalogue in force on the day",
    body=lambda: travel_models.ConfirmIn,
    response=lambda: travel_models.ProposalOut,
    tags=TAGS,
    errors=(404, 409, 422),
)
def confirm_penalty_proposal(ctx: Ctx, proposal_id: str, body: travel_models.ConfirmIn) -> Any:
    return _proposal(travel.confirm(ctx.user, proposal_id, body))


@route(
    bp,
    "/v1/penalty-proposals/{proposal_id}/dismiss",
    "POST",
    roles=SUPERVISOR,
    summary="Dismiss with a reason (no penalty)",
    body=lambda: travel_models.DismissIn,
    response=lambda: travel_models.ProposalOut,
    tags=TAGS,
    errors=(404, 409),
)
def dismiss_penalty_proposal(ctx: Ctx, proposal_id: str, body: travel_models.DismissIn) -> Any:
    return _proposal(travel.dismiss(ctx.user, proposal_id, body))
