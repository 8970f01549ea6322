"""Reassignment rules on the in-memory fake (no table): who may, to whom, which task, which revision."""

from __future__ import annotations

from datetime import date

import pytest

from chalicelib import clock
from chalicelib.auth import Principal
from chalicelib.domain import task_assignment
from chalicelib.domain.task_assignment_ports import TASK_ASSIGNMENT, StaffMember
from chalicelib.errors import Forbidden, NotFound, ValidationFailed
from chalicelib.models.task_assignment import AssignIn
from chalicelib.models.tasks import TaskRecord
from chalicelib.storage.memory.task_assignment import MemoryTaskAssignmentRepository

LEAD = Principal("staff", "cbl-001", "callback_lead", "br-pudong")
TASK_ID = "new_account.A1.2026-11-19"


@pytest.fixture
def repo():
    fake = MemoryTaskAssignmentRepository()
    fake.put_task(
        TaskRecord(
            task_id=TASK_ID,
            trigger="new_account",
            episode="2026-11-19",
            account_id="A1",
            branch_id="br-pudong",
            serving_manager_id="cm-001",
            business_date=date(2026, 11, 19),
            created_at="2026-11-19T06:00:00+08:00",
            due_on=date(2026, 11, 20),
            due_at="2026-11-20T23:59:59+08:00",
        )
    )
    for sid, role, branch, status in (
        ("cba-1", "callback_agent", "br-pudong", "active"),
        ("cba-2", "callback_agent", "br-pudong", "active"),
        ("cba-x", "callback_agent", "br-haidian", "active"),
        ("cba-gone", "callback_agent", "br-pudong", "departed"),
        ("cm-001", "client_manager", "br-pudong", "active"),
    ):
        fake.put_staff(StaffMember(sid, role, branch, status))
    with clock.freeze("2026-11-20T10:00:00+08:00"), TASK_ASSIGNMENT.override(fake):
        yield fake


def body(agent: str, revision: int = 0, reason: str | None = "工作量平衡") -> AssignIn:
    # A reason by default: taking a task from the agent who holds it needs one (issue 20).
    return AssignIn(agent_id=agent, revision=revision, reason=reason)


def test_taking_a_held_task_needs_a_reason_and_writes_nothing_without_one(repo):
    task_assignment.assign(LEAD, TASK_ID, body("cba-1", reason=None))  # from the queue: optional
    with pytest.raises(ValidationFailed, match="reason"):
        task_assignment.assign(LEAD, TASK_ID, body("cba-2", revision=1, reason="  "))
    assert (repo.load("cba-1"), repo.load("cba-2")) == (1, 0) and len(repo.history(TASK_ID)) == 1


def test_queue_then_reassign_moves_the_counters_and_records_each_move(repo):
    first = task_assignment.assign(LEAD, TASK_ID, body("cba-1"))
    assert first["revision"] == 1 and first["assignment"]["from_agent_id"] is None
    second = task_assignment.assign(LEAD, TASK_ID, body("cba-2", revision=1))
    assert second["assignment"]["from_agent_id"] == "cba-1"
    assert (repo.load("cba-1"), repo.load("cba-2")) == (0, 1)
    assert [h["to_agent_id"] for h in task_assignment.history(LEAD, TASK_ID)] == ["cba-1", "cba-2"]


def test_the_same_request_again_is_answered_without_a_write(repo):
    task_assignment.assign(LEAD, TASK_ID, body("cba-1"))
    again = task_assignment.assign(LEAD, TASK_ID, body("cba-1"))
    assert again["replayed"] is True and repo.load("cba-1") == 1 and len(repo.history(TASK_ID)) == 1


def test_a_stale_revision_names_the_field(repo):
    task_assignment.assign(LEAD, TASK_ID, body("cba-1"))
    with pytest.raises(task_assignment.StaleRevision) as err:
        task_assignment.assign(LEAD, TASK_ID, body("cba-2", revision=0))
    assert err.value.details[0]["field"] == "revision" and err.value.status == 409


@pytest.mark.parametrize("agent", ["nobody", "cba-x", "cm-001"])
def test_only_an_agent_of_the_task_branch(repo, agent):
    with pytest.raises(NotFound) as err:
        task_assignment.assign(LEAD, TASK_ID, body(agent))
    assert err.value.details[0]["field"] == "agent_id" and repo.history(TASK_ID) == []


def test_a_departed_agent_and_a_finished_task_are_refused(repo):
    with pytest.raises(task_assignment.AgentNotActive):
        task_assignment.assign(LEAD, TASK_ID, body("cba-gone"))
    repo.tasks[TASK_ID]["status"] = "done"
    with pytest.raises(task_assignment.TaskFinished):
        task_assignment.assign(LEAD, TASK_ID, body("cba-1"))


def test_who_may_assign_and_where(repo):
    with pytest.raises(Forbidden):
        task_assignment.assign(Principal("staff", "cba-1", "callback_agent", "br-pudong"), TASK_ID, body("cba-2"))
    with pytest.raises(NotFound):
        task_assignment.assign(Principal("staff", "cbl-9", "callback_lead", "br-haidian"), TASK_ID, body("cba-1"))
    sup = Principal("staff", "sup-001", "supervisor", "br-pudong")
    assert task_assignment.assign(sup, TASK_ID, body("cba-1"))["assignment"]["by_role"] == "supervisor"


def test_a_lead_reads_its_own_centre(repo):
    assert task_assignment.centre_branch(LEAD, None) == "br-pudong"
    with pytest.raises(Forbidden):
        task_assignment.centre_branch(LEAD, "br-haidian")
    compliance = Principal("staff", "cmp-001", "compliance", "br-pudong")
    assert task_assignment.centre_branch(compliance, "br-haidian") == "br-haidian"
