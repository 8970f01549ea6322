"""Callback tasks: an agent's list, the branch queue, claims, reveals, attempts; compliance review."""

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
    from ..models import task_views
else:
    callback_work = lazy("chalicelib.domain.callback_work")
    task_assignment = lazy("chalicelib.domain.task_assignment")
    callbacks_models = lazy("chalicelib.models.callbacks")
    task_views = lazy("chalicelib.models.task_views")

bp = Blueprint(__name__)
AGENTS = [Role.callback_agent]
CENTRE = [Role.callback_agent, Role.callback_lead, Role.compliance, Role.admin]  # a lead: its own branch
TAGS = ["callbacks"]


def _out(task: dict) -> task_views.TaskOut:
    return task_views.TaskOut.model_validate(callback_work.render(task))


@route(
    bp,
    "/v1/callback-tasks/mine",
    order="risk tasks first (large outflow), then by deadline (a client's \"call me at T\" takes the deadline's "
    "place), then the next best-time window (seed 001), then priority (0 most urgent); tasks waiting on a contact "
    "update last",
    roles=AGENTS,
    summary="My open tasks: risk first, then deadline (or the client's call-back time), then the "
    "next best-time window, priority; waiting on a contact update last",
    query=lambda: callbacks_models.TaskListQuery,
    response=lambda: task_views.TaskPage,
    tags=TAGS,
)
def my_tasks(ctx: Ctx, query: callbacks_models.TaskListQuery) -> Any:
    page = callback_work.my_tasks(ctx.user, limit=query.limit, start_key=ctx.start_key(query.next_token))
    return ctx.page(page, _out)


@route(
    bp,
    "/v1/callback-tasks/queue",
    order="as /v1/callback-tasks/mine: risk first, deadline (or call-back time), best-time window, priority; "
    "waiting on a contact update last",
    roles=CENTRE,
    summary="The branch queue of unassigned tasks, in the same order as my tasks",
    query=lambda: callbacks_models.QueueQuery,
    response=lambda: task_views.TaskPage,
    tags=TAGS,
)
def branch_queue(ctx: Ctx, query: callbacks_models.QueueQuery) -> Any:
    branch = task_assignment.centre_branch(ctx.user, query.branch_id)
    page = callback_work.queue(ctx.user, branch, limit=query.limit, start_key=ctx.start_key(query.next_token))
    return ctx.page(page, _out)


@route(
    bp,
    "/v1/callback-tasks/board",
    roles=CENTRE,
    order="agents by staff id, then the unassigned queue; within each, triggers by name",
    summary="The callback centre's board: a branch's open, due-today and overdue tasks by agent (and the "
    "unassigned queue) and trigger, with each agent's workload (counts only)",
    query=lambda: callbacks_models.BoardQuery,
    response=lambda: callbacks_models.BoardOut,
    tags=TAGS,
)
def task_board(ctx: Ctx, query: callbacks_models.BoardQuery) -> Any:
    return callback_work.board(ctx.user, task_assignment.centre_branch(ctx.user, query.branch_id))


@route(
    bp,
    "/v1/callback-tasks/sample",
    order="random (a fresh sample each call; one page, next_token always null)",
    roles=[Role.compliance, Role.admin],
    summary="A random sample of a month's completed, unreviewed callbacks",
    query=lambda: callbacks_models.SampleQuery,
    response=lambda: task_views.TaskPage,
    tags=TAGS,
)
def review_sample(ctx: Ctx, query: callbacks_models.SampleQuery) -> Any:
    return {
        "items": [_out(t) for t in callback_work.sample(ctx.user, query.branch_id, query.month, query.size)],
        "next_token": None,
    }


@route(
    bp,
    "/v1/callback-tasks/{task_id}/claim",
    "POST",
    roles=AGENTS,
    summary="Claim a task from the branch queue",
    response=lambda: task_views.TaskOut,
    tags=TAGS,
    errors=(404, 409, 422),
    replay_by_data=True,
)  # a retried key is answered from the claimed task (domain/callback_work/claiming.py)
def claim_task(ctx: Ctx, task_id: str) -> Any:
    return _out(callback_work.claim(ctx.user, task_id))


@route(
    bp,
    "/v1/callback-tasks/{task_id}",
    roles=[Role.callback_agent, Role.compliance, Role.admin],
    summary="A task with its attempts and reviews (phone masked)",
    response=lambda: task_views.TaskDetailOut,
    tags=TAGS,
    errors=(404,),
)
def get_task(ctx: Ctx, task_id: str) -> Any:
    return task_views.TaskDetailOut.model_validate(callback_work.read(ctx.user, task_id))


@route(
    bp,
    "/v1/callback-tasks/{task_id}/reveal",
    "POST",
    roles=AGENTS,
    summary="Reveal the client's phone for a task I hold (audited)",
    response=lambda: callbacks_models.RevealOut,
    tags=TAGS,
    errors=(404, 422),
    idempotent=False,
)
def reveal_phone(ctx: Ctx, task_id: str) -> Any:
    return callback_work.reveal(ctx.user, task_id)


@route(
    bp,
    "/v1/callback-tasks/{task_id}/attempts",
    "POST",
    roles=AGENTS,
    summary="Record a callback attempt",
    body=lambda: callbacks_models.AttemptIn,
    response=lambda: task_views.AttemptOut,
    status=201,
    tags=TAGS,
    errors=(404, 409, 422),
    replay_by_data=True,
)  # a retried key is answered from the stored attempt (domain/callback_work/attempts.py)
def record_attempt(ctx: Ctx, task_id: str, body: callbacks_models.AttemptIn) -> Any:
    result = callback_work.record_attempt(ctx.user, task_id, body)
    return {**result, "task": _out(result["task"])}


@route(
    bp,
    "/v1/callback-tasks/{task_id}/decision",
    "POST",
    roles=[Role.supervisor],
    summary="A branch manager's recorded decision closes an unreached risk callback",
    body=lambda: callbacks_models.DecisionIn,
    response=lambda: task_views.TaskOut,
    tags=TAGS,
    errors=(404, 409, 422),
)
def decide_task(ctx: Ctx, task_id: str, body: callbacks_models.DecisionIn) -> Any:
    return _out(callback_work.decide(ctx.user, task_id, body))


@route(
    bp,
    "/v1/callback-tasks/{task_id}/review",
    "POST",
    roles=[Role.compliance],
    summary="Record compliance's review of a completed callback",
    body=lambda: callbacks_models.ReviewIn,
    response=lambda: task_views.ReviewRecordOut,
    status=201,
    tags=TAGS,
    errors=(404, 409, 422),
)
def review_task(ctx: Ctx, task_id: str, body: callbacks_models.ReviewIn) -> Any:
    return callback_work.review(ctx.user, task_id, body)


@route(
    bp,
    "/v1/contact-requests",
    order="by due_on, earliest first",
    roles=[Role.supervisor, Role.compliance, Role.admin],
    summary="A branch's open contact-update requests from wrong-number callbacks, earliest deadline first "
    "(supervisors: their own branch)",
    query=lambda: callbacks_models.ContactRequestQuery,
    response=lambda: callbacks_models.ContactRequestPage,
    tags=TAGS,
    errors=(403,),
)
def contact_requests(ctx: Ctx, query: callbacks_models.ContactRequestQuery) -> Any:
    page = callback_work.contact_requests(
        ctx.user, query.branch_id, limit=query.limit, start_key=ctx.start_key(query.next_token)
    )
    return ctx.page(
        page,
        lambda r: callbacks_models.ContactRequestOut.model_validate(callback_work.render_contact_request(r)),
    )
