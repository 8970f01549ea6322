"""Assigning and reassigning callback tasks: the callback-centre lead (or the branch supervisor)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice import Blueprint

from ..lazy import lazy
from ..models.common import Role
from .request_context import Ctx
from .routing import route

if TYPE_CHECKING:
    from ..domain import callback_work, task_assignment
    from ..models import callbacks as callbacks_models
    from ..models import task_assignment as assignment_models
    from ..models import task_views
else:
    callback_work = lazy("chalicelib.domain.callback_work")
    task_assignment = lazy("chalicelib.domain.task_assignment")
    callbacks_models = lazy("chalicelib.models.callbacks")
    task_views = lazy("chalicelib.models.task_views")
    assignment_models = lazy("chalicelib.models.task_assignment")

bp = Blueprint(__name__)
TAGS = ["callbacks"]
ASSIGNERS = [Role.callback_lead, Role.supervisor]


@route(
    bp,
    "/v1/callback-tasks/{task_id}/assign",
    "POST",
    roles=ASSIGNERS,
    summary="Assign an open task (from the queue or another agent) to an active callback agent of its branch, "
    "conditional on the revision read; moves the agents' load and records the move in the task's history",
    body=lambda: assignment_models.AssignIn,
    response=lambda: assignment_models.AssignResultOut,
    tags=TAGS,
    errors=(404, 409, 422),
)
def assign_task(ctx: Ctx, task_id: str, body: assignment_models.AssignIn) -> Any:
    return task_assignment.assign(ctx.user, task_id, body)


@route(
    bp,
    "/v1/callback-tasks/{task_id}/assignments",
    order="oldest first (by the revision each move started from)",
    roles=[Role.callback_lead, Role.supervisor, Role.compliance, Role.admin],
    summary="A task's assignments and reassignments, oldest first (one page)",
    response=lambda: assignment_models.AssignmentHistoryOut,
    tags=TAGS,
    errors=(404,),
)
def task_assignments(ctx: Ctx, task_id: str) -> Any:
    return {"items": task_assignment.history(ctx.user, task_id), "next_token": None}


@route(
    bp,
    "/v1/callback-agents/{agent_id}/tasks",
    order="as /v1/callback-tasks/mine: risk first, deadline (or call-back time), best-time window, priority; "
    "waiting on a contact update last",
    roles=ASSIGNERS,
    summary="The open tasks an agent of the caller's branch holds (masked), to choose what to reassign",
    query=lambda: callbacks_models.TaskListQuery,
    response=lambda: task_views.TaskPage,
    tags=TAGS,
    errors=(404,),
)
def agent_tasks(ctx: Ctx, agent_id: str, query: callbacks_models.TaskListQuery) -> Any:
    page = task_assignment.held_tasks(ctx.user, agent_id, limit=query.limit, start_key=ctx.start_key(query.next_token))
    return ctx.page(page, lambda t: task_views.TaskOut.model_validate(callback_work.render(t)))
