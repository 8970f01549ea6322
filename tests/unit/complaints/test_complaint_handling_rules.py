"""Complaints on the fakes (002 第二十条 §4: handled within hours of receipt, or escalated): who owns one,
the clock, handling, linking the penalty and the escalation written with the change that causes it."""

from __future__ import annotations

from datetime import datetime

import pytest

from chalicelib import clock
from chalicelib.auth import Principal
from chalicelib.domain import complaint_escalation, complaints
from chalicelib.domain.complaint_ports import COMPLAINTS
from chalicelib.domain.visit_ports import SEALER
from chalicelib.errors import Conflict, Forbidden, NotFound, Unprocessable, ValidationFailed
from chalicelib.models.complaints import ComplaintIn, TransitionIn
from chalicelib.storage.memory.complaints import MemoryComplaintRepository
from chalicelib.storage.memory.visits import MemorySealer

NOW = "2026-11-20T10:00:00+08:00"
CM1 = Principal(kind="staff", id="cm-001", role="client_manager", branch_id="br-pudong")
CM2 = Principal(kind="staff", id="cm-002", role="client_manager", branch_id="br-pudong")
SUP = Principal(kind="staff", id="sup-001", role="supervisor", branch_id="br-pudong")
OTHER_SUP = Principal(kind="staff", id="sup-101", role="supervisor", branch_id="br-haidian")
AGENT = Principal(kind="staff", id="ag-001", role="callback_agent", branch_id="br-pudong")


@pytest.fixture(autouse=True)
def aws():
    yield


@pytest.fixture
def repo():
    fake = MemoryComplaintRepository()
    fake.add_staff("cm-001", "br-pudong")
    fake.add_staff("cm-002", "br-pudong")
    fake.add_staff("cm-101", "br-haidian")
    fake.accounts["ac-1"] = {
        "account_id": "ac-1",
        "branch_id": "br-pudong",
        "serving_manager_id": "cm-002",
        "client_name": "王芳",
    }
    fake.accounts["ac-9"] = {"account_id": "ac-9", "branch_id": "br-haidian", "serving_manager_id": "cm-101"}
    fake.tasks["t-1"] = {"task_id": "t-1", "branch_id": "br-pudong", "account_id": "ac-1"}
    with COMPLAINTS.override(fake), SEALER.override(MemorySealer()), clock.freeze(NOW):
        yield fake


def received(hours_ago: float = 1, **kw) -> ComplaintIn:
    at = datetime.fromisoformat(NOW).timestamp() - hours_ago * 3600
    values = {
        "channel": "phone",
        "content": "理财经理未及时回电",
        "received_at": datetime.fromtimestamp(at, clock.SHANGHAI),
    }
    return ComplaintIn.model_validate({**values, **kw})


def test_the_clients_serving_manager_owns_a_complaint_and_its_clock_runs_from_receipt(repo):
    record = complaints.create(CM1, received(account_id="ac-1"))
    assert record["owner_id"] == "cm-002" and record["due_at"] == "2026-11-20T17:00:00+08:00"
    assert record["client_name_masked"] == "王*" and repo.escalations == {}
    named = complaints.create(CM1, received(client_name="李雷"))
    stored = repo.get(named["complaint_id"])
    assert stored["owner_id"] == "cm-001" and stored["client_name_sealed"] != "李雷"  # sealed, masked when shown


@pytest.mark.parametrize(
    "who, body, error, field",
    [
        (CM1, received(account_id="ac-9"), NotFound, "account_id"),
        (CM1, received(), ValidationFailed, "client_name"),
        (CM1, received(task_id="t-1"), ValidationFailed, "task_id"),
        (AGENT, received(task_id="t-9"), NotFound, "task_id"),
        (CM1, received(hours_ago=100, client_name="李雷"), ValidationFailed, "received_at"),
    ],
)
def test_a_complaint_the_rules_refuse_names_its_field_and_writes_nothing(repo, who, body, error, field):
    with pytest.raises(error) as refused:
        complaints.create(who, body)
    assert refused.value.details[0]["field"] == field and repo.complaints == {}


def test_a_complaint_received_past_its_clock_is_escalated_with_its_recording(repo):
    record = complaints.create(AGENT, received(hours_ago=9, task_id="t-1"))
    assert record["escalated"] is True and record["source"] == "callback"
    (payload,) = repo.escalations.values()
    assert payload["record"]["complaint_id"] == record["complaint_id"] and "content" not in payload["record"]


def test_the_owner_or_the_supervisor_handles_it_and_a_resolution_says_how(repo):
    record = complaints.create(CM1, received(account_id="ac-1"))
    with pytest.raises(Forbidden):
        complaints.transition(CM1, record["complaint_id"], TransitionIn(to="in_progress"))  # cm-002 owns it
    complaints.transition(CM2, record["complaint_id"], TransitionIn(to="in_progress"))
    with pytest.raises(ValidationFailed):
        complaints.transition(CM2, record["complaint_id"], TransitionIn(to="resolved"))
    done = complaints.transition(SUP, record["complaint_id"], TransitionIn(to="resolved", note="已致电道歉"))
    assert done["resolved_in_time"] is True and done["revision"] == 3
    with pytest.raises(Unprocessable):
        complaints.reassign(SUP, record["complaint_id"], "cm-001")
    with pytest.raises(NotFound):
        complaints.read(OTHER_SUP, record["complaint_id"])


def test_a_reassignment_names_a_client_manager_of_the_branch(repo):
    record = complaints.create(SUP, received(client_name="李雷"))
    assert record["owner_id"] is None
    with pytest.raises(NotFound):
        complaints.reassign(SUP, record["complaint_id"], "cm-101")
    assert complaints.reassign(SUP, record["complaint_id"], "cm-001")["owner_id"] == "cm-001"


def test_a_complaint_links_one_complaint_penalty_of_its_branch(repo):
    record = complaints.create(CM1, received(account_id="ac-1"))
    repo.penalties["p-1"] = {
        "penalty_id": "p-1",
        "branch_id": "br-pudong",
        "rule_code": "CLIENT_COMPLAINT",
        "status": "open",
    }
    repo.penalties["p-2"] = {"penalty_id": "p-2", "branch_id": "br-pudong", "rule_code": "LATE", "status": "open"}
    repo.penalties["p-3"] = {
        "penalty_id": "p-3",
        "branch_id": "br-pudong",
        "rule_code": "BANK_COMPLAINT",
        "status": "open",
    }
    with pytest.raises(ValidationFailed):
        complaints.link_penalty(SUP, record["complaint_id"], "p-2")
    complaints.link_penalty(SUP, record["complaint_id"], "p-1")
    assert complaints.link_penalty(SUP, record["complaint_id"], "p-1")["penalty_id"] == "p-1"  # again: the same
    with pytest.raises(Conflict):
        complaints.link_penalty(SUP, record["complaint_id"], "p-3")


def test_a_change_that_lost_to_the_escalation_answers_conflict(repo):
    record = complaints.create(CM1, received(account_id="ac-1"))
    read_before = repo.get(record["complaint_id"])
    repo.escalate(record["complaint_id"], NOW, complaint_escalation.escalation(read_before))

    class ReadBefore:
        def __getattr__(self, name):
            return getattr(repo, name)

        def get(self, complaint_id):
            return dict(read_before)

    with COMPLAINTS.override(ReadBefore()), pytest.raises(Conflict, match="changed meanwhile"):  # type: ignore[arg-type]
        complaints.transition(CM2, record["complaint_id"], TransitionIn(to="in_progress"))
    assert repo.get(record["complaint_id"])["status"] == "open" and repo.get(record["complaint_id"])["escalated"]
