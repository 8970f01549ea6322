"""Penalty routes: rule catalogue, penalties and their lifecycle, flags, scorecards."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice import Blueprint

from ..lazy import lazy
from ..models.common import Role
from .request_context import Ctx
from .routing import route

if TYPE_CHECKING:
    from ..domain import penalties, penalty_rules, scorecards
    from ..models import penalties as penalties_models
    from ..models import penalty_views
    from ..models import reports as reports_models
else:
    penalties = lazy("chalicelib.domain.penalties")
    penalty_rules = lazy("chalicelib.domain.penalty_rules")
    scorecards = lazy("chalicelib.domain.scorecards")
    penalties_models = lazy("chalicelib.models.penalties")
    penalty_views = lazy("chalicelib.models.penalty_views")
    reports_models = lazy("chalicelib.models.reports")

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
    query=lambda: penalties_models.RulesQuery,
    response=lambda: penalties_models.CatalogueOut,
    tags=TAGS,
)
def get_rules(ctx: Ctx, query: penalties_models.RulesQuery) -> Any:
    return penalty_rules.read_catalogue(ctx.user, query.on, query.branch_id)


@route(
    bp,
    "/v1/penalty-rules/versions",
    "POST",
    roles=[Role.admin],
    summary="Add a catalogue version (GLOBAL rules, or a branch's amount overrides)",
    body=lambda: penalties_models.RuleVersionIn,
    response=lambda: penalties_models.RuleVersionOut,
    status=201,
    tags=TAGS,
    errors=(409,),
)
def add_rule_version(ctx: Ctx, body: penalties_models.RuleVersionIn) -> Any:
    return penalty_rules.add_version(ctx.user, body)


@route(
    bp,
    "/v1/penalties",
    "POST",
    roles=[Role.supervisor],
    summary="Enter a penalty against a client manager of the supervisor's branch",
    body=lambda: penalties_models.PenaltyIn,
    response=lambda: penalty_views.PenaltyOut,
    status=201,
    tags=TAGS,
    errors=(403, 404),
)
def enter_penalty(ctx: Ctx, body: penalties_models.PenaltyIn) -> Any:
    return penalties.enter(ctx.user, body)


@route(
    bp,
    "/v1/penalties/preview",
    "POST",
    roles=[Role.supervisor],
    idempotent=False,
    summary="What entering a penalty would compute (points, cash and salary amounts, settlement) with the same "
    "checks; nothing is stored",
    body=lambda: penalties_models.PenaltyPreviewIn,
    response=lambda: penalties_models.PenaltyPreviewOut,
    tags=TAGS,
    errors=(403, 404),
)
def preview_penalty(ctx: Ctx, body: penalties_models.PenaltyPreviewIn) -> Any:
    return penalties.preview(ctx.user, body)


@route(
    bp,
    "/v1/penalties",
    order="newest breach date first",
    roles=READERS,
    summary="List penalties (managers: their own; supervisors: their branch)",
    query=lambda: penalties_models.PenaltyQuery,
    response=lambda: penalty_views.PenaltyPage,
    tags=TAGS,
)
def list_penalties(ctx: Ctx, query: penalties_models.PenaltyQuery) -> Any:
    page = penalties.list_penalties(
        ctx.user, query.manager_id, query.branch_id, query.month, query.limit, ctx.start_key(query.next_token)
    )
    return ctx.page(page, lambda i: penalty_views.PenaltyOut.model_validate(i))


@route(
    bp,
    "/v1/penalties/{penalty_id}",
    roles=READERS,
    summary="A penalty with its audit history and reversal",
    response=lambda: penalty_views.PenaltyDetailOut,
    tags=TAGS,
    errors=(404,),
)
def get_penalty(ctx: Ctx, penalty_id: str) -> Any:
    return penalties.read(ctx.user, penalty_id)


@route(
    bp,
    "/v1/penalties/{penalty_id}/settle",
    "POST",
    roles=[Role.supervisor, Role.admin],
    summary="Record payment in cash or deduction from salary (doubled)",
    body=lambda: penalties_models.SettleIn,
    response=lambda: penalty_views.PenaltyOut,
    tags=TAGS,
    errors=(404, 409, 422),
)
def settle_penalty(ctx: Ctx, penalty_id: str, body: penalties_models.SettleIn) -> Any:
    return penalties.settle(ctx.user, penalty_id, body)


@route(
    bp,
    "/v1/penalties/{penalty_id}/void",
    "POST",
    roles=[Role.supervisor],
    summary="Void an open penalty with a reason (adds a reversal, keeps the original)",
    body=lambda: penalties_models.VoidIn,
    response=lambda: penalty_views.PenaltyOut,
    tags=TAGS,
    errors=(404, 409),
)
def void_penalty(ctx: Ctx, penalty_id: str, body: penalties_models.VoidIn) -> Any:
    return penalties.void(ctx.user, penalty_id, body)


@route(
    bp,
    "/v1/penalties/{penalty_id}/appeal",
    "POST",
    roles=[Role.client_manager],
    summary="The penalised manager appeals once",
    body=lambda: penalties_models.AppealIn,
    response=lambda: penalty_views.PenaltyOut,
    tags=TAGS,
    errors=(404, 409),
)
def appeal_penalty(ctx: Ctx, penalty_id: str, body: penalties_models.AppealIn) -> Any:
    return penalties.appeal(ctx.user, penalty_id, body)


@route(
    bp,
    "/v1/penalties/{penalty_id}/appeal/decision",
    "POST",
    roles=[Role.compliance, Role.supervisor],
    summary="Compliance or another supervisor of the branch decides an appeal",
    body=lambda: penalties_models.AppealDecisionIn,
    response=lambda: penalty_views.PenaltyOut,
    tags=TAGS,
    errors=(404, 409),
)
def decide_appeal(ctx: Ctx, penalty_id: str, body: penalties_models.AppealDecisionIn) -> Any:
    return penalties.decide_appeal(ctx.user, penalty_id, body)


@route(
    bp,
    "/v1/flags",
    order="newest first (by the time the flag was raised)",
    roles=OVERSIGHT,
    summary="Escalation flags (supervisors: their branch)",
    query=lambda: penalties_models.FlagQuery,
    response=lambda: penalty_views.FlagPage,
    tags=TAGS,
)
def list_flags(ctx: Ctx, query: penalties_models.FlagQuery) -> Any:
    page = penalties.list_flags(ctx.user, query.branch_id, query.staff_id, query.limit, ctx.start_key(query.next_token))
    return ctx.page(page, lambda i: penalty_views.FlagOut.model_validate(i))


@route(
    bp,
    "/v1/scorecards/{manager_id}",
    roles=READERS,
    summary="A manager's monthly scorecard",
    query=lambda: penalties_models.ScorecardQuery,
    response=lambda: reports_models.Scorecard,
    tags=TAGS,
    errors=(404,),
)
def get_scorecard(ctx: Ctx, manager_id: str, query: penalties_models.ScorecardQuery) -> Any:
    return scorecards.scorecard(ctx.user, manager_id, query.month)


@route(
    bp,
    "/v1/scorecards",
    roles=OVERSIGHT,
    summary="A branch's monthly scorecards with totals",
    query=lambda: penalties_models.RollupQuery,
    response=lambda: reports_models.ScorecardRollup,
    tags=TAGS,
)
def get_rollup(ctx: Ctx, query: penalties_models.RollupQuery) -> Any:
    return scorecards.rollup(ctx.user, query.month, query.branch_id)


@route(
    bp,
    "/v1/scorecards.csv",
    roles=OVERSIGHT,
    summary="A branch's monthly scorecards as CSV",
    query=lambda: penalties_models.RollupQuery,
    tags=TAGS,
    content_type="text/csv",
)
def get_rollup_csv(ctx: Ctx, query: penalties_models.RollupQuery) -> Any:
    return scorecards.rollup_csv(ctx.user, query.month, query.branch_id)
