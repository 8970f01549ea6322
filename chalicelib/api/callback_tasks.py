"""Callback tasks: an agent's list, the branch queue, claims, reveals, attempts; compliance review."""

from __future__ import annotations

from chalice import Blueprint

from ..models.common import Role
from .routing import route

bp = Blueprint(__name__)
AGENTS = [Role.callback_agent]
TAGS = ["callbacks"]


def _out(task: dict) -> dict:
    from ..domain import callback_work
    from ..models.callbacks import TaskOut

    return TaskOut.model_validate(callback_work.render(task)).model_dump(mode="json")


@route(
    bp,
    "/v1/callback-tasks/mine",
    order="risk tasks first (large outflow), then by deadline (a client's \"call me at T\" takes the deadline's "
    "place), then the next best-time window (seed 001), then priority (0 most urgent); tasks waiting on a contact "
    "update last",
    roles=AGENTS,
    summary="My open tasks: risk first, then deadline (or the client's call-back time), then the "
    "next best-time window, priority; waiting on a contact update last",
    query="chalicelib.models.callbacks:TaskListQuery",
    response="chalicelib.models.callbacks:TaskPage",
    tags=TAGS,
)
def my_tasks(ctx, query):
    from ..domain import callback_work

    page = callback_work.my_tasks(ctx.principal, limit=query.limit, start_key=ctx.start_key(query.next_token))
    return ctx.page(page, _out)


@route(
    bp,
    "/v1/callback-tasks/queue",
    order="as /v1/callback-tasks/mine: risk first, deadline (or call-back time), best-time window, priority; "
    "waiting on a contact update last",
    roles=[Role.callback_agent, Role.compliance, Role.admin],
    summary="The branch queue of unassigned tasks, in the same order as my tasks",
    query="chalicelib.models.callbacks:QueueQuery",
    response="chalicelib.models.callbacks:TaskPage",
    tags=TAGS,
)
def branch_queue(ctx, query):
    from ..domain import callback_work

    page = callback_work.queue(
        ctx.principal, query.branch_id, limit=query.limit, start_key=ctx.start_key(query.next_token)
    )
    return ctx.page(page, _out)


@route(
    bp,
    "/v1/callback-tasks/board",
    roles=[Role.callback_agent, Role.compliance, Role.admin],
    order="agents by staff id, then the unassigned queue; within each, triggers by name",
    summary="The callback centre's board: a branch's open, due-today and overdue tasks by agent (and the "
    "unassigned queue) and trigger, with each agent's workload (counts only)",
    query="chalicelib.models.callbacks:BoardQuery",
    response="chalicelib.models.callbacks:BoardOut",
    tags=TAGS,
)
def task_board(ctx, query):
    from ..domain import callback_work

    return callback_work.board(ctx.principal, query.branch_id)


@route(
    bp,
    "/v1/callback-tasks/sample",
    order="random (a fresh sample each call; one page, next_token always null)",
    roles=[Role.compliance, Role.admin],
    summary="A random sample of a month's completed, unreviewed callbacks",
    query="chalicelib.models.callbacks:SampleQuery",
    response="chalicelib.models.callbacks:TaskPage",
    tags=TAGS,
)
def review_sample(ctx, query):
    from ..domain import callback_work

    return {
        "items": [_out(t) for t in callback_work.sample(ctx.principal, query.branch_id, query.month, query.size)],
        "next_token": None,
    }


@route(
    bp,
    "/v1/callback-tasks/{task_id}/claim",
    "POST",
    roles=AGENTS,
    summary="Claim a task from the branch queue",
    response="chalicelib.models.callbacks:TaskOut",
    tags=TAGS,
    errors=(404, 409, 422),
)
def claim_task(ctx, task_id):
    from ..domain import callback_work

    return _out(callback_work.claim(ctx.principal, task_id))


@route(
    bp,
    "/v1/callback-tasks/{task_id}",
    roles=[Role.callback_agent, Role.compliance, Role.admin],
    summary="A task with its attempts and reviews (phone masked)",
    response="chalicelib.models.callbacks:TaskDetailOut",
    tags=TAGS,
    errors=(404,),
)
def get_task(ctx, task_id):
    from ..domain import callback_work
    from ..models.callbacks import TaskDetailOut

    return TaskDetailOut.model_validate(callback_work.read(ctx.principal, task_id)).model_dump(mode="json")


@route(
    bp,
    "/v1/callback-tasks/{task_id}/reveal",
    "POST",
    roles=AGENTS,
    summary="Reveal the client's phone for a task I hold (audited)",
    response="chalicelib.models.callbacks:RevealOut",
    tags=TAGS,
    errors=(404, 422),
    idempotent=False,
)
def reveal_phone(ctx, task_id):
    from ..domain import callback_work

    return callback_work.reveal(ctx.principal, task_id)


@route(
    bp,
    "/v1/callback-tasks/{task_id}/attempts",
    "POST",
    roles=AGENTS,
    summary="Record a callback attempt",
    body="chalicelib.models.callbacks:AttemptIn",
    response="chalicelib.models.callbacks:AttemptOut",
    status=201,
    tags=TAGS,
    errors=(404, 409, 422),
)
def record_attempt(ctx, task_id, body):
    from ..domain import callback_work

    result = callback_work.record_attempt(ctx.principal, task_id, body)
    return {**result, "task": _out(result["task"])}


@route(
    bp,
    "/v1/callback-tasks/{task_id}/decision",
    "POST",
    roles=[Role.supervisor],
    summary="A branch manager's recorded decision closes an unreached risk callback",
    body="chalicelib.models.callbacks:DecisionIn",
    response="chalicelib.models.callbacks:TaskOut",
    tags=TAGS,
    errors=(404, 409, 422),
)
def decide_task(ctx, task_id, body):
    from ..domain import callback_work

    return _out(callback_work.decide(ctx.principal, task_id, body))


@route(
    bp,
    "/v1/callback-tasks/{task_id}/review",
    "POST",
    roles=[Role.compliance],
    summary="Record compliance's review of a completed callback",
    body="chalicelib.models.callbacks:ReviewIn",
    response="chalicelib.models.callbacks:ReviewRecordOut",
    status=201,
    tags=TAGS,
    errors=(404, 409, 422),
)
def review_task(ctx, task_id, body):
    from ..domain import callback_work

    return callback_work.review(ctx.principal, task_id, body)


@route(
    bp,
    "/v1/contact-requests",
    order="by due_on, earliest first",
    roles=[Role.supervisor, Role.compliance, Role.admin],
    summary="A branch's open contact-update requests from wrong-number callbacks, earliest deadline first "
    "(supervisors: their own branch)",
    query="chalicelib.models.callbacks:ContactRequestQuery",
    response="chalicelib.models.callbacks:ContactRequestPage",
    tags=TAGS,
    errors=(403,),
)
def contact_requests(ctx, query):
    from ..domain import callback_work
    from ..models.callbacks import ContactRequestOut

    page = callback_work.contact_requests(
        ctx.principal, query.branch_id, limit=query.limit, start_key=ctx.start_key(query.next_token)
    )
    return ctx.page(
        page,
        lambda r: ContactRequestOut.model_validate(callback_work.render_contact_request(r)).model_dump(mode="json"),
    )


# The problem and report routes register on this blueprint (one registration in app.py).
from . import callback_reports, problems  # noqa: E402,F401
