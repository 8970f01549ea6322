"""One contract for `TravelRepository`, run on the DynamoDB adapter (moto) and on the in-memory fake."""

from __future__ import annotations

import pytest

from chalicelib.domain.travel_ports import (
    DayNotOpen,
    Escalation,
    PeriodChanged,
    PeriodExists,
    ProposalChanged,
    ProposalRefused,
    ReportExists,
    TravelDayTaken,
)
from chalicelib.storage.memory.travel import MemoryTravelRepository
from chalicelib.storage.travel_repo import DynamoTravelRepository

HOUR = "2026-11-23T21"


@pytest.fixture(params=["memory", "dynamodb"])
def repo(request):
    if request.param == "memory":
        fake = MemoryTravelRepository()
        fake.add_staff("cm-001", "br-pudong")
        return fake
    from chalicelib.storage import directory

    directory.put_staff({"staff_id": "cm-001", "branch_id": "br-pudong", "role": "client_manager"})
    return DynamoTravelRepository()


def period(tid: str = "t-1", start: str = "2026-11-23", end: str = "2026-11-24", **kw) -> dict:
    return {
        "travel_id": tid,
        "manager_id": "cm-001",
        "branch_id": "br-pudong",
        "start_on": start,
        "end_on": end,
        "destination": "苏州",
        "status": "approved",
        "revision": 1,
        "note": None,
        **kw,
    }


def day(d: str, tid: str = "t-1", hour: str | None = HOUR) -> dict:
    return {
        "manager_id": "cm-001",
        "day": d,
        "travel_id": tid,
        "branch_id": "br-pudong",
        "due_at": f"{d}T21:00:00+08:00",
        "due_hour": hour,
    }


def report(d: str = "2026-11-23", tid: str = "t-1", on_time: bool = True) -> dict:
    return {
        "report_id": f"cm-001-{d}",
        "manager_id": "cm-001",
        "branch_id": "br-pudong",
        "travel_id": tid,
        "day": d,
        "work": "拜访三家企业",
        "submitted_at": f"{d}T20:00:00+08:00",
        "on_time": on_time,
    }


def proposal(d: str = "2026-11-23", status: str = "pending") -> dict:
    return {
        "proposal_id": f"P-cm-001-{d}",
        "manager_id": "cm-001",
        "branch_id": "br-pudong",
        "day": d,
        "status": status,
    }


def escalation(d: str = "2026-11-23") -> Escalation:
    return Escalation(f"no_daily_report_proposal:P-cm-001-{d}", {"kind": "no_daily_report_proposal", "record": {}})


def test_a_period_is_written_once_with_its_days_and_a_day_is_covered_once(repo):
    repo.create_period(period(), [day("2026-11-23"), day("2026-11-24", hour=None)])
    assert repo.get_period("t-1")["destination"] == "苏州" and "note" not in repo.get_period("t-1")
    assert repo.get_day("cm-001", "2026-11-24")["travel_id"] == "t-1" and repo.get_day("cm-001", "2026-11-25") is None
    with pytest.raises(PeriodExists):
        repo.create_period(period(), [])
    with pytest.raises(TravelDayTaken):
        repo.create_period(
            period("t-2", "2026-11-24", "2026-11-25"), [day("2026-11-24", "t-2"), day("2026-11-25", "t-2")]
        )
    assert repo.get_period("t-2") is None and repo.get_day("cm-001", "2026-11-25") is None
    assert [d["day"] for d in repo.days_due_in_hour(HOUR)] == ["2026-11-23"]


def test_a_period_moves_on_its_revision_and_a_cancelled_day_may_be_covered_again(repo):
    repo.create_period(period(status="requested"), [])
    with pytest.raises(PeriodChanged):
        repo.replace_period(period(revision=3), expected_revision=2, new_days=[], cancelled_days=[])
    repo.replace_period(period(revision=2), expected_revision=1, new_days=[day("2026-11-23")], cancelled_days=[])
    repo.replace_period(
        period(status="cancelled", revision=3), expected_revision=2, new_days=[], cancelled_days=["2026-11-23"]
    )
    assert repo.get_day("cm-001", "2026-11-23")["cancelled"] is True and repo.days_due_in_hour(HOUR) == []
    with pytest.raises(PeriodChanged):  # a day that is not the period's own
        repo.replace_period(period(revision=4), expected_revision=3, new_days=[], cancelled_days=["2026-11-30"])
    repo.create_period(period("t-2", "2026-11-23", "2026-11-23"), [day("2026-11-23", "t-2")])
    assert repo.get_day("cm-001", "2026-11-23")["travel_id"] == "t-2" and repo.get_period("t-1")["revision"] == 3


def test_a_report_is_filed_once_on_an_open_day_and_on_time_leaves_the_due_hour(repo):
    repo.create_period(period(), [day("2026-11-23"), day("2026-11-24")])
    with pytest.raises(DayNotOpen):
        repo.file_report(report("2026-11-25"))
    with pytest.raises(DayNotOpen):
        repo.file_report(report(tid="t-9"))
    repo.file_report(report())
    repo.file_report(report("2026-11-24", on_time=False))
    with pytest.raises(ReportExists):
        repo.file_report(report())
    assert repo.get_day("cm-001", "2026-11-23")["report_on_time"] is True
    assert [d["day"] for d in repo.days_due_in_hour(HOUR)] == ["2026-11-24"]  # a late report: still due
    assert repo.get_report("cm-001", "2026-11-23")["work"] == "拜访三家企业"
    assert [r["day"] for r in repo.list_manager_reports("cm-001", "2026-11", limit=5).items] == [
        "2026-11-24",
        "2026-11-23",
    ]
    page = repo.list_branch_reports("br-pudong", None, limit=1)
    assert [r["day"] for r in page.items] == ["2026-11-24"] and page.last_key


def test_a_day_is_proposed_once_unless_reported_on_time_or_cancelled(repo):
    repo.create_period(period(end="2026-11-25"), [day("2026-11-23"), day("2026-11-24"), day("2026-11-25")])
    repo.file_report(report("2026-11-24"))
    repo.replace_period(period(revision=2), expected_revision=1, new_days=[], cancelled_days=["2026-11-25"])
    repo.propose(proposal(), escalation())
    for d in ("2026-11-23", "2026-11-24", "2026-11-25", "2026-11-26"):
        with pytest.raises(ProposalRefused):
            repo.propose(proposal(d), escalation(d))
    assert repo.get_day("cm-001", "2026-11-23")["proposal_id"] == "P-cm-001-2026-11-23"
    assert repo.days_due_in_hour(HOUR) == [] and repo.get_proposal("P-cm-001-2026-11-24") is None


def test_a_proposal_is_decided_once(repo):
    repo.create_period(period(), [day("2026-11-23")])
    repo.propose(proposal(), escalation())
    repo.replace_proposal(proposal(status="dismissed"), expected_status="pending")
    with pytest.raises(ProposalChanged):
        repo.replace_proposal(proposal(status="confirmed"), expected_status="pending")
    assert repo.get_proposal("P-cm-001-2026-11-23")["status"] == "dismissed"
    assert [p["status"] for p in repo.list_manager_proposals("cm-001", None, limit=5).items] == ["dismissed"]
    assert repo.list_branch_proposals("br-pudong", "2026-11", limit=5, status="pending").items == []


def test_periods_are_listed_latest_first_by_month_and_status(repo):
    repo.create_period(period("t-1", "2026-10-30", "2026-10-30"), [])
    repo.create_period(period("t-2", "2026-11-02", "2026-11-02", status="requested"), [])
    repo.create_period(period("t-3", "2026-11-09", "2026-11-09"), [])
    assert [p["travel_id"] for p in repo.list_manager_periods("cm-001", None, limit=5).items] == ["t-3", "t-2", "t-1"]
    assert [p["travel_id"] for p in repo.list_branch_periods("br-pudong", "2026-11", limit=5).items] == ["t-3", "t-2"]
    approved = repo.list_branch_periods("br-pudong", None, limit=5, status="approved")
    assert [p["travel_id"] for p in approved.items] == ["t-3", "t-1"]
    assert repo.get_staff("cm-001")["branch_id"] == "br-pudong" and repo.get_staff("cm-999") is None
