"""The daily overdue sweep: reads only the due buckets that fell due, catching up from a watermark."""

from __future__ import annotations

import pytest

from chalicelib import clock
from chalicelib.domain import penalties
from chalicelib.domain.watermark_ports import WATERMARKS
from chalicelib.storage import penalties as repo


def enter(api, day: str, rule="LATE", manager="cm-001"):
    with clock.freeze(f"{day}T09:00:00+08:00"):
        status, body = api.post(
            "/v1/penalties",
            {"manager_id": manager, "rule_code": rule, "breach_date": day, "evidence_note": "巡查"},
            as_="sup-001",
        )
    assert status == 201, body
    return body


def sweep(day: str) -> dict:
    with clock.freeze(f"{day}T01:10:00+08:00"):
        return penalties.sweep_overdue()


@pytest.fixture
def buckets_read(monkeypatch):
    days = []
    original = repo.due_on

    def recording(day):
        days.append(str(day))
        return original(day)

    monkeypatch.setattr(repo, "due_on", recording)
    return days


def test_unpaid_cash_penalty_is_flagged_the_day_after_it_fell_due(api, buckets_read):
    p = enter(api, "2026-11-01")
    assert p["due_on"] == "2026-11-15"
    assert sweep("2026-11-15")["flagged"] == []  # the due day itself is still in time
    result = sweep("2026-11-16")
    assert result["flagged"] == [p["penalty_id"]] and buckets_read == ["2026-11-14", "2026-11-15"]
    with clock.freeze("2026-11-16T09:00:00+08:00"):
        _, detail = api.get(f"/v1/penalties/{p['penalty_id']}", as_="sup-001")
        _, flags = api.get("/v1/flags", as_="cmp-001")
    assert detail["overdue"] is True and detail["status"] == "open"
    # 000 第一篇: unpaid in cash within two weeks, the points fine is taken from salary, doubled (recorded).
    assert detail["settlement"] == "payroll" and detail["salary_deduction_yuan"] == "100.00"
    assert detail["history"][-1]["action"] == "moved_to_payroll" and detail["history"][-1]["actor_role"] == "system"
    assert [f["flag_id"] for f in flags["items"]] == [f"OVERDUE.{p['penalty_id']}"]
    assert sweep("2026-11-16")["days_read"] == 0  # the watermark already covers yesterday
    # Cash is no longer accepted at face value; the deduction from salary is, at double.
    with clock.freeze("2026-11-17T09:00:00+08:00"):
        status, body = api.post(f"/v1/penalties/{p['penalty_id']}/settle", {"method": "cash"}, as_="sup-001")
        assert status == 400 and body["error"]["details"][0]["field"] == "method"
        status, body = api.post(f"/v1/penalties/{p['penalty_id']}/settle", {"method": "salary"}, as_="sup-001")
    assert status == 200 and body["settled"]["yuan"] == "100.00"


def test_missed_runs_catch_up_from_the_watermark_and_skip_settled_or_appealed(api, buckets_read):
    a = enter(api, "2026-11-01")  # due 11-15
    b = enter(api, "2026-11-02")  # due 11-16, paid
    c = enter(api, "2026-11-03")  # due 11-17, under appeal
    d = enter(api, "2026-11-03", rule="ABSENT_3_DAYS", manager="cm-002")  # no cash amount: never due
    with clock.freeze("2026-11-10T09:00:00+08:00"):
        api.post(f"/v1/penalties/{b['penalty_id']}/settle", {"method": "cash"}, as_="sup-001")
        api.post(f"/v1/penalties/{c['penalty_id']}/appeal", {"reason": "有假条"}, as_="cm-001")
    sweep("2026-11-14")
    buckets_read.clear()
    result = sweep("2026-11-20")  # runs on 15..19 were missed
    assert buckets_read == ["2026-11-14", "2026-11-15", "2026-11-16", "2026-11-17", "2026-11-18", "2026-11-19"]
    assert result["flagged"] == [a["penalty_id"]]
    assert d["due_on"] is None
    assert WATERMARKS().get(penalties.OVERDUE_JOB) == "2026-11-19"


def test_first_run_reads_only_yesterday_and_catch_up_is_bounded(api, buckets_read, monkeypatch):
    sweep("2026-11-20")
    assert buckets_read == ["2026-11-19"]
    buckets_read.clear()
    monkeypatch.setenv("FIELDDESK_PENALTY_OVERDUE_CATCHUP_DAYS", "3")
    from chalicelib.config import reset_settings

    reset_settings()
    sweep("2026-12-31")
    assert buckets_read == ["2026-12-28", "2026-12-29", "2026-12-30"]


def test_scheduled_handler_runs_the_sweep(api):
    from chalicelib.jobs import penalties as job

    p = enter(api, "2026-11-01")
    with clock.freeze("2026-11-16T01:10:00+08:00"):
        sweep("2026-11-15")
        result = job.penalty_overdue_sweep(
            {
                "detail-type": "Scheduled Event",
                "source": "aws.events",
                "time": "2026-11-15T17:10:00Z",
                "id": "e1",
                "region": "cn-north-1",
                "account": "1",
                "resources": [],
                "detail": {},
                "version": "0",
            },
            None,
        )
    assert result == {"days_read": 1, "flagged": 1}
    assert repo.get_flag(f"OVERDUE.{p['penalty_id']}")["kind"] == "penalty_overdue"
