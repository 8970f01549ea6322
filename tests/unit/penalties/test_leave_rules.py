"""Leave (请假) on the fake, as the penalty rules read it: asked in advance, no overlap, decided once by the
branch's supervisor, withdrawn only while it waits; approved days are what `days_on_leave` answers."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from chalicelib.domain import leave
from chalicelib.domain.leave_ports import LEAVE
from chalicelib.errors import Conflict, Forbidden, NotFound, ValidationFailed
from chalicelib.models.leave import LeaveDecisionIn, LeaveIn, LeaveWithdrawIn

from .conftest import MANAGER, OTHER_SUPERVISOR, SECOND_SUPERVISOR, SUPERVISOR


def ask(start: str, end: str | None = None, **kw) -> dict:
    body = LeaveIn.model_validate(
        {"kind": "personal", "start_date": start, "end_date": end or start, "reason": "家事", **kw}
    )
    return leave.request(MANAGER, body)


def test_leave_is_asked_in_advance_and_counts_working_days(leave_repo):
    with pytest.raises(ValidationFailed) as refused:
        ask("2026-11-20")  # today
    assert refused.value.details[0]["field"] == "start_date"
    record = ask("2026-11-23", "2026-11-29")  # Monday to Sunday
    assert record["days"] == "5" and leave_repo.get(record["leave_id"])["status"] == "pending"


def test_an_overlapping_request_is_refused_until_the_first_is_withdrawn(leave_repo):
    first = ask("2026-11-23", "2026-11-25")
    with pytest.raises(Conflict, match="withdraw it first"):
        ask("2026-11-25")
    leave.withdraw(MANAGER, first["leave_id"], LeaveWithdrawIn(reason="改期"))
    assert ask("2026-11-25")["status"] == "pending"


def test_the_two_halves_of_a_day_do_not_overlap(leave_repo):
    ask("2026-11-23", half_day="am")
    assert ask("2026-11-23", half_day="pm")["days"] == "0.5"


def test_the_branchs_supervisor_decides_once_and_approved_days_are_on_leave(leave_repo):
    record = ask("2026-11-23", "2026-11-24")
    with pytest.raises(NotFound):
        leave.decide(OTHER_SUPERVISOR, record["leave_id"], LeaveDecisionIn(approve=True))
    with pytest.raises(ValidationFailed) as refused:
        leave.decide(SUPERVISOR, record["leave_id"], LeaveDecisionIn(approve=False))
    assert refused.value.details[0]["field"] == "comment"
    approved = leave.decide(SUPERVISOR, record["leave_id"], LeaveDecisionIn(approve=True))
    assert approved["revision"] == 2 and [h["to"] for h in approved["history"]] == ["pending", "approved"]
    assert leave.decide(SUPERVISOR, record["leave_id"], LeaveDecisionIn(approve=True)) == approved  # a retry
    with pytest.raises(Conflict):
        leave.decide(SECOND_SUPERVISOR, record["leave_id"], LeaveDecisionIn(approve=False, comment="不行"))
    with pytest.raises(Conflict, match="only a pending request is withdrawn"):
        leave.withdraw(MANAGER, record["leave_id"], LeaveWithdrawIn(reason="x"))
    days = leave.days_on_leave("cm-001", date(2026, 11, 23), date(2026, 11, 30))
    assert days == {date(2026, 11, 23): Decimal(1), date(2026, 11, 24): Decimal(1)}
    assert leave.days_on_leave("cm-001", date(2026, 11, 23), date(2026, 11, 30), branch_id="br-haidian") == {}


def test_a_decision_that_lost_to_a_withdrawal_answers_conflict_and_writes_nothing(leave_repo):
    record = ask("2026-11-23")
    read_before = leave_repo.get(record["leave_id"])
    leave.withdraw(MANAGER, record["leave_id"], LeaveWithdrawIn(reason="改期"))  # lands after the read

    class ReadBefore:
        def __getattr__(self, name):
            return getattr(leave_repo, name)

        def get(self, leave_id):
            return dict(read_before)

    with LEAVE.override(ReadBefore()), pytest.raises(Conflict, match="changed meanwhile"):  # type: ignore[arg-type]
        leave.decide(SUPERVISOR, record["leave_id"], LeaveDecisionIn(approve=True))
    assert leave_repo.get(record["leave_id"])["status"] == "withdrawn"


def test_lists_keep_to_the_readers_scope(leave_repo):
    ask("2026-11-23")
    ask("2026-11-25")
    mine = leave.list_leave(MANAGER, status="pending", manager_id=None, month="2026-11", limit=10, start_key=None)
    assert [r["start_date"] for r in mine.items] == ["2026-11-25", "2026-11-23"]
    with pytest.raises(Forbidden):
        leave.list_leave(MANAGER, status=None, manager_id="cm-002", month=None, limit=10, start_key=None)
    with pytest.raises(Forbidden):
        leave.list_leave(OTHER_SUPERVISOR, status=None, manager_id="cm-001", month=None, limit=10, start_key=None)
    branch = leave.list_leave(SUPERVISOR, status="approved", manager_id=None, month=None, limit=10, start_key=None)
    assert branch.items == []
