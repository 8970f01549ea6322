"""Penalty routes: rule catalogue, penalties and their lifecycle, flags, scorecards."""

from __future__ import annotations

from chalice import Blueprint

from ..models.common import Role
from .routing import route

bp = Blueprint(__name__)
TAGS = ["penalties"]
STAFF = [Role.client_manager, Role.supervisor, Role.compliance, Role.admin]
READERS = [Role.client_manager, Role.supervisor, Role.compliance, Role.admin]
OVERSIGHT = [Role.supervisor, Role.compliance, Role.admin]


@route(
    bp,
    "/v1/penalty-rules",
    roles=STAFF,
    summary="The rule catalogue in force on a day (branch overrides applied)",
    query="chalicelib.models.penalties:RulesQuery",
    response="chalicelib.models.penalties:CatalogueOut",
    tags=TAGS,
)
def get_rules(ctx, query):
    from ..domain import penalty_rules

    return penalty_rules.read_catalogue(ctx.principal, query.on, query.branch_id)


@route(
    bp,
    "/v1/penalty-rules/versions",
    "POST",
    roles=[Role.admin],
    summary="Add a catalogue version (GLOBAL rules, or a branch's amount overrides)",
    body="chalicelib.models.penalties:RuleVersionIn",
    response="chalicelib.models.penalties:RuleVersionOut",
    status=201,
    tags=TAGS,
    errors=(409,),
)
def add_rule_version(ctx, body):
    from ..domain import penalty_rules

    return penalty_rules.add_version(ctx.principal, body)


@route(
    bp,
    "/v1/penalties",
    "POST",
    roles=[Role.supervisor],
    summary="Enter a penalty against a client manager of the supervisor's branch",
    body="chalicelib.models.penalties:PenaltyIn",
    response="chalicelib.models.penalties:PenaltyOut",
    status=201,
    tags=TAGS,
    errors=(403, 404),
)
def enter_penalty(ctx, body):
    from ..domain import penalties

    return penalties.enter(ctx.principal, body)


@route(
    bp,
    "/v1/penalties/preview",
    "POST",
    roles=[Role.supervisor],
    idempotent=False,
    summary="What entering a penalty would compute (points, cash and salary amounts, settlement) with the same "
    "checks; nothing is stored",
    body="chalicelib.models.penalties:PenaltyPreviewIn",
    response="chalicelib.models.penalties:PenaltyPreviewOut",
    tags=TAGS,
    errors=(403, 404),
)
def preview_penalty(ctx, body):
    from ..domain import penalties

    return penalties.preview(ctx.principal, body)


@route(
    bp,
    "/v1/penalties",
    order="newest breach date first",
    roles=READERS,
    summary="List penalties (managers: their own; supervisors: their branch)",
    query="chalicelib.models.penalties:PenaltyQuery",
    response="chalicelib.models.penalties:PenaltyPage",
    tags=TAGS,
)
def list_penalties(ctx, query):
    from ..domain import penalties
    from ..models.penalties import PenaltyOut

    page = penalties.list_penalties(
        ctx.principal, query.manager_id, query.branch_id, query.month, query.limit, ctx.start_key(query.next_token)
    )
    return ctx.page(page, lambda i: PenaltyOut.model_validate(i).model_dump(mode="json"))


@route(
    bp,
    "/v1/penalties/{penalty_id}",
    roles=READERS,
    summary="A penalty with its audit history and reversal",
    response="chalicelib.models.penalties:PenaltyDetailOut",
    tags=TAGS,
    errors=(404,),
)
def get_penalty(ctx, penalty_id):
    from ..domain import penalties

    return penalties.read(ctx.principal, penalty_id)


@route(
    bp,
    "/v1/penalties/{penalty_id}/settle",
    "POST",
    roles=[Role.supervisor, Role.admin],
    summary="Record payment in cash or deduction from salary (doubled)",
    body="chalicelib.models.penalties:SettleIn",
    response="chalicelib.models.penalties:PenaltyOut",
    tags=TAGS,
    errors=(404, 409, 422),
)
def settle_penalty(ctx, penalty_id, body):
    from ..domain import penalties

    return penalties.settle(ctx.principal, penalty_id, body)


@route(
    bp,
    "/v1/penalties/{penalty_id}/void",
    "POST",
    roles=[Role.supervisor],
    summary="Void an open penalty with a reason (adds a reversal, keeps the original)",
    body="chalicelib.models.penalties:VoidIn",
    response="chalicelib.models.penalties:PenaltyOut",
    tags=TAGS,
    errors=(404, 409),
)
def void_penalty(ctx, penalty_id, body):
    from ..domain import penalties

    return penalties.void(ctx.principal, penalty_id, body)


@route(
    bp,
    "/v1/penalties/{penalty_id}/appeal",
    "POST",
    roles=[Role.client_manager],
    summary="The penalised manager appeals once",
    body="chalicelib.models.penalties:AppealIn",
    response="chalicelib.models.penalties:PenaltyOut",
    tags=TAGS,
    errors=(404, 409),
)
def appeal_penalty(ctx, penalty_id, body):
    from ..domain import penalties

    return penalties.appeal(ctx.principal, penalty_id, body)


@route(
    bp,
    "/v1/penalties/{penalty_id}/appeal/decision",
    "POST",
    roles=[Role.compliance, Role.supervisor],
    summary="Compliance or another supervisor of the branch decides an appeal",
    body="chalicelib.models.penalties:AppealDecisionIn",
    response="chalicelib.models.penalties:PenaltyOut",
    tags=TAGS,
    errors=(404, 409),
)
def decide_appeal(ctx, penalty_id, body):
    from ..domain import penalties

    return penalties.decide_appeal(ctx.principal, penalty_id, body)


@route(
    bp,
    "/v1/flags",
    order="newest first (by the time the flag was raised)",
    roles=OVERSIGHT,
    summary="Escalation flags (supervisors: their branch)",
    query="chalicelib.models.penalties:FlagQuery",
    response="chalicelib.models.penalties:FlagPage",
    tags=TAGS,
)
def list_flags(ctx, query):
    from ..domain import penalties
    from ..models.penalties import FlagOut

    page = penalties.list_flags(
        ctx.principal, query.branch_id, query.staff_id, query.limit, ctx.start_key(query.next_token)
    )
    return ctx.page(page, lambda i: FlagOut.model_validate(i).model_dump(mode="json"))


@route(
    bp,
    "/v1/scorecards/{manager_id}",
    roles=READERS,
    summary="A manager's monthly scorecard",
    query="chalicelib.models.penalties:ScorecardQuery",
    response="chalicelib.models.reports:Scorecard",
    tags=TAGS,
    errors=(404,),
)
def get_scorecard(ctx, manager_id, query):
    from ..domain import scorecards

    return scorecards.scorecard(ctx.principal, manager_id, query.month)


@route(
    bp,
    "/v1/scorecards",
    roles=OVERSIGHT,
    summary="A branch's monthly scorecards with totals",
    query="chalicelib.models.penalties:RollupQuery",
    response="chalicelib.models.reports:ScorecardRollup",
    tags=TAGS,
)
def get_rollup(ctx, query):
    from ..domain import scorecards

    return scorecards.rollup(ctx.principal, query.month, query.branch_id)


@route(
    bp,
    "/v1/scorecards.csv",
    roles=OVERSIGHT,
    summary="A branch's monthly scorecards as CSV",
    query="chalicelib.models.penalties:RollupQuery",
    tags=TAGS,
    content_type="text/csv",
)
def get_rollup_csv(ctx, query):
    from ..domain import scorecards

    return scorecards.rollup_csv(ctx.principal, query.month, query.branch_id)
