"""Callback-work rules on the in-memory repository and watermarks (issue 17 §1, §5): claims, a wrong
number's request and its resume, the overdue sweep reading only the days after the shared job watermark."""

from __future__ import annotations

from datetime import date

import pytest

from chalicelib import clock
from chalicelib.auth import Principal
from chalicelib.domain import callback_work
from chalicelib.domain.callback_ports import CALLBACK_WORK
from chalicelib.domain.watermark_ports import WATERMARKS
from chalicelib.errors import Conflict
from chalicelib.models.callbacks import AttemptIn
from chalicelib.models.tasks import TaskRecord, task_id_of
from chalicelib.storage.memory.callback_work import MemoryCallbackWork
from chalicelib.storage.memory.watermarks import MemoryJobWatermarks

AGENT = Principal(kind="staff", id="cba-1", role="callback_agent", branch_id="br-pudong")
OTHER = Principal(kind="staff", id="cba-2", role="callback_agent", branch_id="br-pudong")


@pytest.fixture
def fakes():
    with CALLBACK_WORK.override(MemoryCallbackWork()) as work, WATERMARKS.override(MemoryJobWatermarks()) as marks:
        yield work, marks


def _task(work, account_id="A1", trigger="new_account", due_on="2026-11-19", **kw) -> dict:
    record = TaskRecord(
        task_id=task_id_of(trigger, account_id, "2026-11-19"),
        trigger=trigger,
        episode="2026-11-19",
        account_id=account_id,
        branch_id="br-pudong",
        serving_manager_id="cm-1",
        client_name="张三",
        business_date=date(2026, 11, 19),
        created_at="2026-11-19T06:00:00+08:00",
        due_on=date.fromisoformat(due_on),
        due_at=f"{due_on}T23:59:59+08:00",
        risk=trigger == "large_outflow",
        **kw,
    ).model_dump(mode="json", exclude_none=True)
    work.add_task(record)
    return record


def test_a_claim_is_won_once_and_moves_the_winners_load(fakes):
    work, _ = fakes
    t = _task(work)
    with clock.freeze("2026-11-19T09:00:00+08:00"):
        assert callback_work.claim(AGENT, t["task_id"])["assignee_id"] == "cba-1"
        with pytest.raises(Conflict, match="already taken"):
            callback_work.claim(OTHER, t["task_id"])
    assert work.agent_load("cba-1") == 1 and work.agent_load("cba-2") == 0


def test_a_wrong_number_asks_the_branch_and_a_new_phone_resumes_the_task(fakes):
    work, _ = fakes
    work.add_account("A1", branch_id="br-pudong", phone="13812345678", client_name="张三")
    t = _task(work, assignee_id="cba-1")
    body = AttemptIn.model_validate({"channel": "phone", "reached": False, "reason": "wrong_number"})
    with clock.freeze("2026-11-19T10:00:00+08:00"):
        result = callback_work.record_attempt(AGENT, t["task_id"], body)
    assert result["task"]["waiting_on"] == "contact_update" and result["task"]["due_now"] is False
    (request,) = work.open_requests("A1")
    assert request["phone_masked"] == "138****5678" and request["task_id"] == t["task_id"]
    assert work.masked_contact("A1").contact_needs_update is True
    with clock.freeze("2026-11-20T09:00:00+08:00"):
        assert callback_work.resume_after_contact_change("A1", {"event_id": "e1"}) == [t["task_id"]]
        assert callback_work.resume_after_contact_change("A1", {"event_id": "e1"}) == []  # delivered twice
    assert work.open_requests("A1") == [] and not work.get_task(t["task_id"]).get("waiting_on")


def test_the_overdue_sweep_reads_after_the_shared_watermark_and_flags_once(fakes):
    work, marks = fakes
    late = _task(work, "A1", due_on="2026-11-19")
    risk = _task(work, "A2", trigger="large_outflow", due_on="2026-11-19")
    _task(work, "A3", due_on="2026-11-20")  # due today: not yet
    with clock.freeze("2026-11-20T00:30:00+08:00"):
        first = callback_work.sweep_overdue()
    assert sorted(first["flagged"]) == sorted([late["task_id"], risk["task_id"]])
    assert marks.get(callback_work.SWEEP_JOB) == "2026-11-19"
    assert [p["category"] for p in work.problems] == ["callback_unanswered"]  # the risk one only
    assert len(work.escalations) == 2
    with clock.freeze("2026-11-20T01:30:00+08:00"):
        assert callback_work.sweep_overdue() == {"days_read": 0, "flagged": []}
    marks.set(callback_work.SWEEP_JOB, "2026-11-18", "rewound")  # an operator rewinds: read again, flag nothing
    with clock.freeze("2026-11-20T02:30:00+08:00"):
        assert callback_work.sweep_overdue() == {"days_read": 1, "flagged": []}
