"""Assigning and reassigning callback tasks (issue 20 §1): the callback-centre lead (or the branch's
supervisor) hands an open task to an active callback agent of the task's branch.

Seed 001 (二)独立性原则: "客户回访工作应在组织上和业务上保持相对独立,组织工作应由非相关利益人执行" -- the
task still goes only to a callback agent, never to the client's own serving manager, whoever hands it over.

The write is conditional on the revision the caller read (a board that is stale gets 409, not a silent
overwrite), moves one open task between the agents' load counters (keys.agent_load) and records the move
in the task's history, all in one transaction. A retry after success finds the task already with that
agent and answers the same without writing again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import clock
from ..errors import Conflict, Forbidden, NotFound, Unprocessable, ValidationFailed
from ..models.task_assignment import AssignIn, AssignmentEntry
from ..models.tasks import OPEN_STATUSES, TaskRecord
from .task_assignment_ports import TASK_ASSIGNMENT, StaffMember

if TYPE_CHECKING:
    from ..auth import Principal

LEAD = "callback_lead"
SUPERVISOR = "supervisor"
AGENT = "callback_agent"
ASSIGNERS = {LEAD, SUPERVISOR}


class StaleRevision(Conflict):
    """The caller read an older revision of the task than the one stored."""

    code = "stale_revision"


class TaskFinished(Unprocessable):
    """A finished task is read-only (DOMAIN 4)."""

    code = "task_finished"


class AgentNotActive(Unprocessable):
    """The agent has left: a task cannot go to them."""

    code = "agent_not_active"


def centre_branch(principal: Principal, branch_id: str | None) -> str | None:
    """A lead reads only its own centre's branch (board, queue, reports); other roles keep their rules.
    Returns the branch to read (None: the caller's own rules decide)."""
    if principal.role != LEAD:
        return branch_id
    if branch_id and branch_id != principal.branch_id:
        raise Forbidden("a callback-centre lead sees its own branch")
    return principal.branch_id


def _agent(task: TaskRecord, agent_id: str) -> StaffMember:
    agent = TASK_ASSIGNMENT().staff(agent_id)
    # Unknown, another branch's or not an agent: one answer, so the body cannot probe the directory.
    if agent is None or agent.role != AGENT or agent.branch_id != task.branch_id:
        raise NotFound.reference("agent_id", "callback agent of the task's branch")
    if agent.status != "active":
        raise AgentNotActive(
            "agent_id: the agent has left", details=[{"field": "agent_id", "message": "the agent has left"}]
        )
    if task.serving_manager_id and task.serving_manager_id == agent.staff_id:
        raise Forbidden("a client's own serving manager never calls the client back")
    return agent


def assign(principal: Principal, task_id: str, body: AssignIn) -> dict:
    if principal.role not in ASSIGNERS:
        raise Forbidden("only the callback-centre lead or the branch supervisor assigns tasks")
    repo = TASK_ASSIGNMENT()
    task = repo.get_task(task_id)
    if task is None or task.branch_id != principal.branch_id:
        raise NotFound(f"task {task_id} not found")  # another branch's task is not disclosed
    if task.status not in OPEN_STATUSES:
        raise TaskFinished("a finished task is read-only")
    revision = int(getattr(task, "revision", 0) or 0)
    if task.assignee_id == body.agent_id:
        # Already there (a retry of a write that succeeded, or a second lead doing the same): nothing to move.
        return {"task_id": task_id, "assignee_id": body.agent_id, "revision": revision, "replayed": True}
    if revision != body.revision:
        raise StaleRevision(
            f"revision: the task is at revision {revision}, not {body.revision}: read it again",
            details=[{"field": "revision", "message": f"the task is at revision {revision}"}],
        )
    if task.assignee_id and not (body.reason or "").strip():
        # Issue 20: taking a task from the agent who holds it (their call may be under way) is a decision
        # the history must explain; from the queue a reason stays optional.
        raise ValidationFailed.field("reason", f"required to take a task from {task.assignee_id}, who holds it")
    _agent(task, body.agent_id)
    at = clock.iso(clock.now())
    entry = AssignmentEntry(
        assignment_id=f"{revision:07d}",
        task_id=task_id,
        branch_id=task.branch_id,
        from_agent_id=task.assignee_id,
        to_agent_id=body.agent_id,
        by=principal.id,
        by_role=principal.role,
        at=at,
        from_revision=revision,
        reason=body.reason,
    )
    updated = task.model_copy(
        update={"assignee_id": body.agent_id, "queue_flag": None, "assigned_at": at, "revision": revision + 1}
    )
    repo.assign(task, updated, entry)
    return {
        "task_id": task_id,
        "assignee_id": body.agent_id,
        "revision": revision + 1,
        "replayed": False,
        "assignment": entry.model_dump(mode="json"),
    }


def history(principal: Principal, task_id: str) -> list[dict]:
    """The task's reassignments, oldest first (lead, supervisor of its branch; compliance and admin any)."""
    repo = TASK_ASSIGNMENT()
    task = repo.get_task(task_id)
    if task is None or (principal.role in ASSIGNERS and task.branch_id != principal.branch_id):
        raise NotFound(f"task {task_id} not found")
    return [e.model_dump(mode="json") for e in repo.history(task_id)]


def held_tasks(principal: Principal, agent_id: str, *, limit: int, start_key):
    """The open tasks an agent of the caller's branch holds, in the agent's own order, so the lead can
    choose what to hand over (issue 20 §1); masked, as every list. Another branch's agent: 404."""
    from .callback_ports import CALLBACK_WORK
    from .callback_work.lists import with_masked_phones

    if principal.role not in ASSIGNERS:
        raise Forbidden("only the callback-centre lead or the branch supervisor reads an agent's tasks")
    agent = TASK_ASSIGNMENT().staff(agent_id)
    if agent is None or agent.role != AGENT or agent.branch_id != principal.branch_id:
        raise NotFound(f"callback agent {agent_id} not found")
    return with_masked_phones(CALLBACK_WORK().list_open_for_agent(agent_id, limit=limit, start_key=start_key))
