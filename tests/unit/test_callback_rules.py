"""Callback rules on plain records: no database."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from chalicelib.auth import Principal
from chalicelib.domain import callback_reports, callback_work, problems
from chalicelib.errors import Forbidden, Unprocessable, ValidationFailed
from chalicelib.models.callbacks import AttemptIn

NOW = datetime.fromisoformat("2026-11-20T10:00:00+08:00")
TASK = {
    "task_id": "new_account.A1.2026-11-19",
    "trigger": "new_account",
    "episode": "2026-11-19",
    "account_id": "A1",
    "branch_id": "br-pudong",
    "serving_manager_id": "cm-001",
    "status": "in_progress",
    "due_at": "2026-11-20T23:59:59+08:00",
    "attempts": 0,
    "attempt_days": [],
    "priority": 5,
    "assignee_id": "cba-001",
}
CHECK = {
    "account_changes_confirmed": True,
    "no_staff_trading": True,
    "risks_disclosed": True,
    "no_discretionary_authority": True,
    "no_return_promise": True,
    "no_signing_for_client": True,
}


def _agent(staff_id="cba-001", role="callback_agent"):
    return Principal(kind="staff", id=staff_id, role=role, branch_id="br-pudong")


def _attempt(**kw):
    return AttemptIn.model_validate(kw)


def test_independence():
    callback_work.ensure_independent(_agent(), TASK)
    for role in ("client_manager", "supervisor", "compliance"):
        with pytest.raises(Forbidden):
            callback_work.ensure_independent(_agent(role=role), TASK)
    with pytest.raises(Forbidden):
        callback_work.ensure_independent(_agent("cm-001"), TASK)


def test_unanswered_days_count_distinct_working_days_only():
    task = {**TASK, "attempt_days": ["2026-11-19"]}
    at = datetime.fromisoformat("2026-11-21T10:00:00+08:00")  # Saturday
    new, fx = callback_work.apply_attempt(task, _attempt(channel="phone", reached=False, reason="no_answer"), at, at)
    assert new["attempt_days"] == ["2026-11-19"] and not fx.fallback
    at = datetime.fromisoformat("2026-11-19T16:00:00+08:00")  # the same day again
    new, fx = callback_work.apply_attempt(task, _attempt(channel="phone", reached=False, reason="busy"), at, NOW)
    assert new["attempt_days"] == ["2026-11-19"] and new["attempts"] == 1


def test_third_unanswered_day_closes_and_asks_for_fallback_but_a_fallback_never_falls_back():
    task = {**TASK, "attempt_days": ["2026-11-18", "2026-11-19"]}
    new, fx = callback_work.apply_attempt(task, _attempt(channel="phone", reached=False, reason="no_answer"), NOW, NOW)
    assert fx.fallback and new["status"] == "closed_unreached"
    new, fx = callback_work.apply_attempt(
        {**task, "trigger": "fallback"}, _attempt(channel="letter", reached=False, reason="no_answer"), NOW, NOW
    )
    assert not fx.fallback and new["status"] == "in_progress"


def test_wrong_number_refusal_and_call_back_later():
    new, fx = callback_work.apply_attempt(
        TASK, _attempt(channel="phone", reached=False, reason="wrong_number"), NOW, NOW
    )
    assert fx.mark_contact and new["contact_needs_update"] and new["status"] == "in_progress"
    new, _ = callback_work.apply_attempt(TASK, _attempt(channel="phone", reached=False, reason="refused"), NOW, NOW)
    assert new["status"] == "closed_unreached"
    new, _ = callback_work.apply_attempt(
        TASK,
        _attempt(channel="phone", reached=False, reason="call_back_later", call_back_at="2026-11-23T15:00:00+08:00"),
        NOW,
        NOW,
    )
    assert new["reschedule_at"] == "2026-11-23T15:00:00+08:00"


def test_reached_outcomes_and_escalation():
    body = _attempt(
        channel="phone",
        reached=True,
        recording_ref="r",
        identity_confirmed=True,
        checklist=CHECK,
        satisfaction=3,
        transfer_recognised=False,
    )
    big = {**TASK, "trigger": "large_outflow"}
    new, fx = callback_work.apply_attempt(big, body, NOW, NOW)
    assert new["status"] == "done" and fx.escalate
    assert [(p["category"], p["severity"]) for p in fx.problems] == [("account_security", "critical")]
    _, fx = callback_work.apply_attempt(big, body.model_copy(update={"transfer_recognised": True}), NOW, NOW)
    assert not fx.escalate and fx.problems == []
    body2 = body.model_copy(update={"checklist": body.checklist.model_copy(update={"risks_disclosed": False})})
    _, fx = callback_work.apply_attempt(TASK, body2, NOW, NOW)
    assert [(p["category"], p["severity"]) for p in fx.problems] == [("risk_not_disclosed", "normal")]


def test_finished_tasks_are_read_only():
    with pytest.raises(Unprocessable):
        callback_work.validate_attempt(
            {**TASK, "status": "done"}, _attempt(channel="phone", reached=False, reason="busy"), NOW, NOW
        )
    with pytest.raises(ValidationFailed):
        callback_work.validate_attempt(
            {**TASK, "trigger": "fallback"}, _attempt(channel="wechat", reached=False, reason="busy"), NOW, NOW
        )


def test_problem_due_times_follow_working_days_across_national_day():
    created = datetime.fromisoformat("2025-09-30T09:00:00+08:00")
    # 2025: Oct 1-8 holiday, Sat Oct 11 a make-up working day.
    assert problems.due_at(created, "normal").isoformat() == "2025-10-14T09:00:00+08:00"
    assert problems.due_at(created, "critical").isoformat() == "2025-09-30T17:00:00+08:00"


def test_report_helpers():
    assert callback_reports.percent(2, 3) == "66.67" and callback_reports.percent(1, 0) is None
    assert callback_reports.add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert callback_reports.add_months(date(2026, 12, 15), 1) == date(2027, 1, 15)
    figures = callback_reports.attrition_figures(
        [
            {"trigger": "closed_account", "detail": {"reason": "competitor"}},
            {"trigger": "closed_account", "detail": {"reason": "not-a-reason"}},
            {"trigger": "dormant", "detail": {"reason": "competitor"}},
        ]
    )
    assert figures == {
        "closed_accounts": 2,
        "by_reason": {"competitor": {"count": 1, "percent": "50.00"}, "unknown": {"count": 1, "percent": "50.00"}},
    }
    content = {"reached": True, "checklist": {"identity_verified": True}}
    tasks = [
        {"account_id": "N", "trigger": "new_account", "status": "done", "outcome": content},
        {"account_id": "N", "trigger": "fallback", "status": "done", "outcome": content},
        {"account_id": "E", "trigger": "dormant", "status": "done", "outcome": content},
        {"account_id": "X", "trigger": "sample", "status": "done", "outcome": {"reached": True}},  # no content
        {"account_id": "Y", "trigger": "sample", "status": "done", "outcome": content},
    ]
    existing = callback_reports.existing_coverage(tasks, 10, None)
    assert (existing["called_back"], existing["target"], existing["met"]) == (2, 1, True)
    # With a snapshot, only its members count (Y opened after the year-end, say).
    assert callback_reports.existing_coverage(tasks, 10, {"E", "X"})["called_back"] == 1
