"""Problem items 问题件: compliance's list, creation and transitions."""

from __future__ import annotations

from ..models.common import Role
from .callback_tasks import bp  # one blueprint for the callback area
from .routing import route

OVERSIGHT = [Role.compliance, Role.admin]
READERS = [*OVERSIGHT, Role.supervisor]  # branch managers read their own branch's items; compliance changes them
TAGS = ["problems"]


def _out(record: dict) -> dict:
    from ..models.problems import ProblemOut

    return ProblemOut.model_validate(record).model_dump(mode="json")


@route(
    bp,
    "/v1/problems",
    "POST",
    roles=OVERSIGHT,
    summary="Create a problem item",
    body="chalicelib.models.problems:ProblemIn",
    response="chalicelib.models.problems:ProblemOut",
    status=201,
    tags=TAGS,
    errors=(404,),
)
def create_problem(ctx, body):
    from ..domain import problems

    return _out(problems.create(ctx.principal, body))


@route(
    bp,
    "/v1/problems",
    order="by status: critical before normal, then oldest first; by branch and month: oldest first (by created_at)",
    roles=READERS,
    summary="Problem items by status (critical first) or by branch and month (supervisors: their branch)",
    query="chalicelib.models.problems:ProblemQuery",
    response="chalicelib.models.problems:ProblemPage",
    tags=TAGS,
)
def list_problems(ctx, query):
    from ..domain import problems

    page = problems.list_problems(
        ctx.principal,
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
    response="chalicelib.models.problems:ProblemOut",
    tags=TAGS,
    errors=(404,),
)
def get_problem(ctx, problem_id):
    from ..domain import problems

    return _out(problems.read(ctx.principal, problem_id))


@route(
    bp,
    "/v1/problems/{problem_id}/transition",
    "POST",
    roles=OVERSIGHT,
    summary="open -> in progress -> resolved (note) -> verified",
    body="chalicelib.models.problems:TransitionIn",
    response="chalicelib.models.problems:ProblemOut",
    tags=TAGS,
    errors=(404, 409, 422),
)
def transition_problem(ctx, problem_id, body):
    from ..domain import problems

    return _out(problems.transition(ctx.principal, problem_id, body))
