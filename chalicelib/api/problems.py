"""Problem items 问题件: compliance's list, creation and transitions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice import Blueprint

from ..lazy import lazy
from ..models.common import Role
from .request_context import Ctx
from .routing import route

if TYPE_CHECKING:
    from ..domain import problems
    from ..models import problems as problems_models
else:
    problems = lazy("chalicelib.domain.problems")
    problems_models = lazy("chalicelib.models.problems")

bp = Blueprint(__name__)

OVERSIGHT = [Role.compliance, Role.admin]
READERS = [*OVERSIGHT, Role.supervisor]  # branch managers read their own branch's items; compliance changes them
TAGS = ["problems"]


def _out(record: dict) -> problems_models.ProblemOut:
    return problems_models.ProblemOut.model_validate(record)


@route(
    bp,
    "/v1/problems",
    "POST",
    roles=OVERSIGHT,
    summary="Create a problem item",
    body=lambda: problems_models.ProblemIn,
    response=lambda: problems_models.ProblemOut,
    status=201,
    tags=TAGS,
    errors=(404,),
)
def create_problem(ctx: Ctx, body: problems_models.ProblemIn) -> Any:
    return _out(problems.create(ctx.user, body))


@route(
    bp,
    "/v1/problems",
    order="by status: critical before normal, then oldest first; by branch and month: oldest first (by created_at)",
    roles=READERS,
    summary="Problem items by status (critical first) or by branch and month (supervisors: their branch)",
    query=lambda: problems_models.ProblemQuery,
    response=lambda: problems_models.ProblemPage,
    tags=TAGS,
)
def list_problems(ctx: Ctx, query: problems_models.ProblemQuery) -> Any:
    page = problems.list_problems(
        ctx.user,
        status=query.status,
        branch_id=query.branch_id,
        month=query.month,
        limit=query.limit,
        start_key=ctx.start_key(query.next_token),
        severity=query.severity,
        overdue=query.overdue,
    )
    return ctx.page(page, _out)


@route(
    bp,
    "/v1/problems/{problem_id}",
    roles=READERS,
    summary="A problem item with its SLA clock and history",
    response=lambda: problems_models.ProblemOut,
    tags=TAGS,
    errors=(404,),
)
def get_problem(ctx: Ctx, problem_id: str) -> Any:
    return _out(problems.read(ctx.user, problem_id))


@route(
    bp,
    "/v1/problems/{problem_id}/transition",
    "POST",
    roles=OVERSIGHT,
    summary="open -> in progress -> resolved (note) -> verified",
    body=lambda: problems_models.TransitionIn,
    response=lambda: problems_models.ProblemOut,
    tags=TAGS,
    errors=(404, 409, 422),
)
def transition_problem(ctx: Ctx, problem_id: str, body: problems_models.TransitionIn) -> Any:
    return _out(problems.transition(ctx.user, problem_id, body))
