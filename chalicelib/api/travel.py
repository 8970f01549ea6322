"""Travel 出差: periods, the daily travel report, and the NO_DAILY_REPORT penalty proposals."""

from __future__ import annotations

from chalice import Blueprint

from ..models.common import Role
from .routing import route

bp = Blueprint(__name__)

STAFF = [Role.client_manager, Role.supervisor]
READERS = [Role.client_manager, Role.supervisor, Role.compliance, Role.admin]
MANAGER = [Role.client_manager]
SUPERVISOR = [Role.supervisor]
TAGS = ["travel"]
M = "chalicelib.models.travel:"


def _period(record: dict) -> dict:
    from ..models.travel import TravelPeriodOut

    return TravelPeriodOut.model_validate(record).model_dump(mode="json")


def _report(record: dict) -> dict:
    from ..models.travel import TravelReportOut

    return TravelReportOut.model_validate(record).model_dump(mode="json")


def _proposal(record: dict) -> dict:
    from ..models.travel import ProposalOut

    return ProposalOut.model_validate(record).model_dump(mode="json")


@route(
    bp,
    "/v1/travel-periods",
    "POST",
    roles=STAFF,
    summary="Request travel (a manager, for the supervisor to approve) or record it (a supervisor: approved)",
    body=M + "TravelPeriodIn",
    response=M + "TravelPeriodOut",
    status=201,
    tags=TAGS,
    errors=(404, 409),
)
def create_travel_period(ctx, body):
    from ..domain import travel

    return _period(travel.create_period(ctx.principal, body))


@route(
    bp,
    "/v1/travel-periods",
    order="latest start first (start_on, then id)",
    roles=READERS,
    summary="Travel periods, latest start first",
    query=M + "TravelQuery",
    response=M + "TravelPeriodPage",
    tags=TAGS,
)
def list_travel_periods(ctx, query):
    from ..domain import travel

    page = travel.list_periods(
        ctx.principal,
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
    response=M + "TravelPeriodOut",
    tags=TAGS,
    errors=(404,),
)
def get_travel_period(ctx, travel_id):
    from ..domain import travel

    return _period(travel.read_period(ctx.principal, travel_id))


@route(
    bp,
    "/v1/travel-periods/{travel_id}/decision",
    "POST",
    roles=STAFF,
    summary="Approve, reject or cancel (the supervisor); a manager withdraws their own request",
    body=M + "TravelDecisionIn",
    response=M + "TravelPeriodOut",
    tags=TAGS,
    errors=(404, 409, 422),
)
def decide_travel_period(ctx, travel_id, body):
    from ..domain import travel

    return _period(travel.decide_period(ctx.principal, travel_id, body))


@route(
    bp,
    "/v1/travel-reports",
    "POST",
    roles=MANAGER,
    summary="File the day's travel report (where, whom, what), due by travel_report_due_hour",
    body=M + "TravelReportIn",
    response=M + "TravelReportOut",
    status=201,
    tags=TAGS,
    errors=(409, 422),
)
def submit_travel_report(ctx, body):
    from ..domain import travel

    return _report(travel.submit_report(ctx.principal, body))


@route(
    bp,
    "/v1/travel-reports",
    order="latest day first",
    roles=READERS,
    summary="Daily travel reports, latest day first",
    query=M + "TravelReportQuery",
    response=M + "TravelReportPage",
    tags=TAGS,
)
def list_travel_reports(ctx, query):
    from ..domain import travel

    page = travel.list_reports(
        ctx.principal,
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
    query=M + "ProposalQuery",
    response=M + "ProposalPage",
    tags=TAGS,
)
def list_penalty_proposals(ctx, query):
    from ..domain import travel

    page = travel.list_proposals(
        ctx.principal,
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
    response=M + "ProposalOut",
    tags=TAGS,
    errors=(404,),
)
def get_penalty_proposal(ctx, proposal_id):
    from ..domain import travel

    return _proposal(travel.read_proposal(ctx.principal, proposal_id))


@route(
    bp,
    "/v1/penalty-proposals/{proposal_id}/confirm",
    "POST",
    roles=SUPERVISOR,
    summary="Confirm: the penalty is entered with the catalogue in force on the day",
    body=M + "ConfirmIn",
    response=M + "ProposalOut",
    tags=TAGS,
    errors=(404, 409, 422),
)
def confirm_penalty_proposal(ctx, proposal_id, body):
    from ..domain import travel

    return _proposal(travel.confirm(ctx.principal, proposal_id, body))


@route(
    bp,
    "/v1/penalty-proposals/{proposal_id}/dismiss",
    "POST",
    roles=SUPERVISOR,
    summary="Dismiss with a reason (no penalty)",
    body=M + "DismissIn",
    response=M + "ProposalOut",
    tags=TAGS,
    errors=(404, 409),
)
def dismiss_penalty_proposal(ctx, proposal_id, body):
    from ..domain import travel

    return _proposal(travel.dismiss(ctx.principal, proposal_id, body))
