"""Problem items 问题件: compliance's list, creation and transitions."""
from __future__ import annotations

from ..domain import problems
from ..models.common import Role
from ..models.problems import ProblemIn, ProblemOut, ProblemPage, ProblemQuery, TransitionIn
from .callback_tasks import bp  # one blueprint for the callback area
from .routing import route

OVERSIGHT = [Role.compliance, Role.admin]
TAGS = ["problems"]


def _out(record: dict) -> dict:
    return ProblemOut.model_validate(record).model_dump(mode="json")


@route(bp, "/v1/problems", "POST", roles=OVERSIGHT, summary="Create a problem item", body=ProblemIn,
       response=ProblemOut, status=201, tags=TAGS)
def create_problem(ctx, body):
    return _out(problems.create(ctx.principal, body))


@route(bp, "/v1/problems", roles=OVERSIGHT,
       summary="Problem items by status (critical first) or by branch and month", query=ProblemQuery,
       response=ProblemPage, tags=TAGS)
def list_problems(ctx, query):
    page = problems.list_problems(ctx.principal, status=query.status, branch_id=query.branch_id, month=query.month,
                                  limit=query.limit, start_key=ctx.start_key(query.next_token))
    return ctx.page(page, _out)


@route(bp, "/v1/problems/{problem_id}", roles=OVERSIGHT, summary="A problem item", response=ProblemOut, tags=TAGS,
       errors=(404,))
def get_problem(ctx, problem_id):
    return _out(problems.read(ctx.principal, problem_id))


@route(bp, "/v1/problems/{problem_id}/transition", "POST", roles=OVERSIGHT,
       summary="open -> in progress -> resolved (note) -> verified", body=TransitionIn, response=ProblemOut,
       tags=TAGS, errors=(404, 409, 422))
def transition_problem(ctx, problem_id, body):
    return _out(problems.transition(ctx.principal, problem_id, body))
