"""Reports from a seeded month, checked against hand-computed figures."""

from __future__ import annotations

from datetime import datetime

import pytest

from chalicelib import clock
from chalicelib.domain import problems
from chalicelib.storage import problems as problem_repo
from tests.factories.tasks import make_account, make_task

NOW = "2026-11-20T10:00:00+08:00"


def _done(at, satisfaction=None, **outcome):
    return {
        "status": "done",
        "completed_at": at,
        "outcome": {
            "reached": True,
            "checklist": {"identity_verified": True},
            **({"satisfaction": satisfaction} if satisfaction else {}),
            **outcome,
        },
    }


def _problem(branch, category, cause, severity, created, status="open"):
    record = problems.new_record(
        branch_id=branch,
        category=category,
        cause=cause,
        responsible_department="ops",
        severity=severity,
        description="",
        source="compliance",
        created_by="cmp-001",
        now=datetime.fromisoformat(created),
    )
    record["status"] = status
    problem_repo.create(record)
    return record


@pytest.fixture
def october():
    """Seven pudong tasks and three pudong problem items in October 2026, plus noise elsewhere."""
    make_task(
        "new_account",
        "A1",
        business_date="2026-10-10",
        due_on="2026-10-12",
        attempts=1,
        **_done("2026-10-11T10:00:00+08:00", 5),
    )
    make_task(
        "new_account",
        "A2",
        business_date="2026-10-15",
        due_on="2026-10-16",
        attempts=2,
        **_done("2026-10-20T10:00:00+08:00", 3),
    )  # late
    make_task(
        "dormant",
        "A3",
        business_date="2026-10-08",
        due_on="2026-10-23",
        attempts=1,
        **_done("2026-10-09T10:00:00+08:00", 4),
    )
    make_task(
        "large_outflow",
        "A4",
        business_date="2026-10-21",
        due_on="2026-10-22",
        attempts=3,
        status="closed_unreached",
        outcome={"reached": False, "reason": "unanswered"},
    )
    make_task(
        "closed_account", "A5", business_date="2026-10-19", due_on="2026-10-21", detail={"reason": "commission_rate"}
    )  # open, overdue
    make_task(
        "closed_account",
        "A6",
        business_date="2026-10-05",
        due_on="2026-10-07",
        attempts=1,
        detail={"reason": "moved_away"},
        **_done("2026-10-06T10:00:00+08:00", 2, closing_reason="competitor"),
    )
    make_task(
        "closed_account",
        "A7",
        business_date="2026-10-26",
        due_on="2026-10-28",
        attempts=1,
        status="in_progress",
        detail={"reason": "commission_rate"},
    )  # overdue
    make_task(
        "dormant",
        "H1",
        branch_id="br-haidian",
        business_date="2026-10-10",
        attempts=1,
        **_done("2026-10-10T12:00:00+08:00", 1),
    )
    make_task("dormant", "A8", business_date="2026-11-02", attempts=1, **_done("2026-11-02T12:00:00+08:00", 1))
    p1 = _problem(
        "br-pudong",
        "account_security",
        "transfer not recognised",
        "critical",
        "2026-10-21T11:00:00+08:00",
        status="resolved",
    )
    p2 = _problem("br-pudong", "service_attitude", "rude manager", "normal", "2026-10-12T09:00:00+08:00")
    p3 = _problem(
        "br-pudong", "service_attitude", "slow reply", "normal", "2026-10-13T09:00:00+08:00", status="verified"
    )
    _problem("br-haidian", "other", "noise", "normal", "2026-10-13T09:00:00+08:00")
    return p1, p2, p3


def test_monthly_statistics_match_the_hand_computed_figures(api, october):
    _, overdue_item, _ = october
    with clock.freeze(NOW):
        status, report = api.get("/v1/reports/callbacks?month=2026-10&branch_id=br-pudong", as_="cmp-001")
    assert status == 200
    assert report["tasks"] == {
        "total": 7,
        "by_trigger": {"closed_account": 3, "dormant": 1, "large_outflow": 1, "new_account": 2},
        "completed": 4,
        "completion_rate": "57.14",  # 4 / 7
        "on_time": 3,
        "on_time_rate": "75.00",  # A1, A3, A6 of 4 completed
        "completed_late": 1,
        "closed_unreached": 1,
        "attempted": 6,
        "reached": 4,
        "reach_rate": "66.67",  # A5 never attempted
        "average_satisfaction": "3.50",  # (5 + 3 + 4 + 2) / 4
        "overdue_open": 2,  # A5, A7
    }
    assert report["problems"] == {
        "total": 3,
        "by_category": {"account_security": 1, "service_attitude": 2},
        "by_cause": {"rude manager": 1, "slow reply": 1, "transfer not recognised": 1},
        "by_severity": {"critical": 1, "normal": 2},
        "unresolved": 1,
        "overdue": 1,
        "overdue_ids": [overdue_item["problem_id"]],
    }


def test_monthly_statistics_as_csv(api, october):
    with clock.freeze(NOW):
        status, text = api.get("/v1/reports/callbacks.csv?month=2026-10&branch_id=br-pudong", as_="cmp-001")
    assert status == 200 and api.last.headers["Content-Type"].startswith("text/csv")
    text = text.decode("utf-8") if isinstance(text, bytes) else text
    assert text.startswith("\ufeff"), "Excel needs the BOM to read UTF-8"
    lines = text.removeprefix("\ufeff").splitlines()
    assert lines[0] == "section,metric,key,value"
    assert "tasks,by_trigger,new_account,2" in lines and "tasks,reach_rate,,66.67" in lines
    assert "problems,by_category,service_attitude,2" in lines


def test_attrition_counts_closed_accounts_by_reason(api, october):
    with clock.freeze(NOW):
        status, report = api.get("/v1/reports/attrition?month=2026-10&branch_id=br-pudong", as_="adm-001")
    assert status == 200
    assert report["closed_accounts"] == 3
    assert report["by_reason"] == {
        "commission_rate": {"count": 2, "percent": "66.67"},
        "competitor": {"count": 1, "percent": "33.33"},
    }  # the call's answer wins


def test_agents_report_on_their_branch_and_managers_never_see_results(api, october):
    with clock.freeze(NOW):
        status, report = api.get("/v1/reports/callbacks?month=2026-10", as_="cba-001")
        assert status == 200 and report["branch_id"] == "br-pudong" and report["tasks"]["total"] == 7
        assert api.get("/v1/reports/callbacks?month=2026-10&branch_id=br-haidian", as_="cba-001")[0] == 403
        for who in ("cm-001", "sup-001", "cm-101", "sup-101"):
            for path in (
                "/v1/reports/callbacks?month=2026-10",
                "/v1/reports/callbacks.csv?month=2026-10",
                "/v1/reports/attrition?month=2026-10",
                "/v1/reports/coverage?opened_from=2026-10-01&opened_to=2026-10-31",
            ):
                assert api.get(path, as_=who)[0] == 403, (who, path)
        status, body = api.get("/v1/reports/callbacks?month=2026-1", as_="cmp-001")
        assert status == 400 and body["error"]["details"][0]["field"] == "query.month"
        status, body = api.get("/v1/reports/callbacks", as_="cmp-001")
        assert status == 400 and body["error"]["details"][0]["field"] == "query.month"


@pytest.fixture
def coverage_seed():
    for account, opened in (
        ("C1", "2026-10-09"),
        ("C2", "2026-10-14"),
        ("C3", "2026-10-30"),
        ("C4", "2026-10-15"),
        ("C5", "2026-09-30"),
        ("C6", "2026-11-02"),
        ("C7", "2026-10-05"),
        ("C8", "2026-10-06"),
    ):
        make_account(account, opened_on=opened)
    make_account("H1", opened_on="2026-10-05", branch_id="br-haidian")  # another branch: not counted
    # C7: the job never ran for its day, so no task exists: missed, not vanished. C8: called back late.
    make_task("new_account", "C8", business_date="2026-10-07", **_done("2026-11-20T10:00:00+08:00"))
    make_task("new_account", "C1", business_date="2026-10-10", **_done("2026-10-11T10:00:00+08:00", 5))
    make_task("new_account", "C2", business_date="2026-10-15", status="closed_unreached", outcome={"reached": False})
    make_task(
        "fallback",
        "C2",
        episode="new_account-2026-10-15",
        business_date="2026-10-20",
        **_done("2026-10-22T10:00:00+08:00"),
    )  # covered by its fallback letter
    make_task("new_account", "C3", business_date="2026-10-31")  # still open, 10 days left
    make_task("new_account", "C4", business_date="2026-10-16")  # window passed on 11-15
    make_task("new_account", "C5", business_date="2026-10-01", **_done("2026-10-02T10:00:00+08:00"))
    make_task("new_account", "C6", business_date="2026-11-03", **_done("2026-11-04T10:00:00+08:00"))
    make_task("dormant", "E1", business_date="2026-03-10", **_done("2026-03-11T10:00:00+08:00"))
    make_task("periodic", "E2", business_date="2026-06-10", **_done("2026-06-11T10:00:00+08:00"))
    make_task("periodic", "E2", episode="2026-09-10", business_date="2026-09-10", **_done("2026-09-11T10:00:00+08:00"))
    make_task("periodic", "E3", business_date="2026-06-10", status="closed_unreached", outcome={"reached": False})
    make_task("dormant", "E4", branch_id="br-haidian", business_date="2026-03-10", **_done("2026-03-11T10:00:00+08:00"))


def test_regulatory_coverage(api, coverage_seed):
    path = "/v1/reports/coverage?branch_id=br-pudong&opened_from=2026-10-01&opened_to=2026-10-31"
    with clock.freeze(NOW):
        status, report = api.get(path + "&year_end_clients=15", as_="cmp-001")
        assert status == 200, report
        new = report["new_accounts"]
        assert (new["accounts"], new["called_back_within_window"], new["percent"]) == (6, 2, "33.33")
        assert [{k: v for k, v in r.items() if v is not None} for r in new["still_open"]] == [
            {"account_id": "C3", "opened_on": "2026-10-30", "deadline": "2026-11-30", "days_left": 10}
        ]
        assert [(m["account_id"], m["reason"]) for m in new["missed"]] == [
            ("C4", "not_done_by_deadline"),
            ("C7", "no_task"),
        ]
        assert [(m["account_id"], m["called_back_on"]) for m in new["called_back_late"]] == [("C8", "2026-11-20")]
        status, csv_text = api.get(path.replace("/coverage?", "/coverage.csv?"), as_="cmp-001")
        assert status == 200 and "new_accounts,missed,C7,2026-10-05,no_task" in csv_text.decode("utf-8")
        existing = report["existing_clients"]
        assert (existing["called_back"], existing["target"], existing["percent_of_target"], existing["met"]) == (
            2,
            2,
            "100.00",
            True,
        )  # E1, E2 against ceil(10% of 15)

        # The year-end figure may be stored by compliance instead of passed in.
        status, _ = api.put(
            "/v1/reports/coverage/year-end", {"branch_id": "br-pudong", "year": 2025, "clients": 25}, as_="cmp-001"
        )
        assert status == 200
        _, report = api.get(path, as_="cmp-001")
        assert report["existing_clients"]["year_end_clients"] == 25
        assert (report["existing_clients"]["target"], report["existing_clients"]["percent_of_target"]) == (3, "66.67")
        assert report["existing_clients"]["met"] is False
        assert (
            api.put(
                "/v1/reports/coverage/year-end", {"branch_id": "br-pudong", "year": 2025, "clients": 25}, as_="cba-001"
            )[0]
            == 403
        )
        status, body = api.put(
            "/v1/reports/coverage/year-end", {"branch_id": "br-pudong", "year": 2025, "clients": -1}, as_="cmp-001"
        )
        assert status == 400 and body["error"]["details"][0]["field"] == "clients"
        status, body = api.get("/v1/reports/coverage?opened_from=2026-10-31&opened_to=2026-10-01", as_="cmp-001")
        assert status == 400 and body["error"]["details"][0]["field"] == "query.opened_to"
        status, body = api.get("/v1/reports/coverage?opened_from=2026-10-01", as_="cmp-001")
        assert status == 400 and body["error"]["details"][0]["field"] == "query.opened_to"
