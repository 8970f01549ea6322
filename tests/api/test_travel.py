"""Travel 出差 from the user's side: a period requested by the manager and approved by the supervisor (or
recorded by the supervisor), the daily report due by 21:00 (004 出差), and the hourly sweep proposing
NO_DAILY_REPORT for a day without one (000 第二篇 §1: 发现一天没汇报的当天出差补贴公司不给予报销), which the
supervisor confirms (a penalty with that day's catalogue) or dismisses with a reason."""

from __future__ import annotations

import json

import pytest

from chalicelib import clock
from chalicelib.jobs import sweeps
from chalicelib.storage import base
from chalicelib.storage import problems as problem_repo

NOW = "2026-11-23T09:00:00+08:00"  # Monday
PERIOD = {"start_on": "2026-11-23", "end_on": "2026-11-25", "destination": "苏州", "purpose": "拜访苏州网点客户"}
REPORT = {
    "location": "苏州工业园区支行",
    "met": "王行长、两位意向客户",
    "work": "讲解两融业务,约定下周开户",
    "open_issues": "一位客户的开户材料未齐",
}


@pytest.fixture
def alerts(monkeypatch):
    sent = []
    original = problem_repo.notify_escalation
    monkeypatch.setattr(
        problem_repo, "notify_escalation", lambda kind, rec: (sent.append((kind, rec)), original(kind, rec))
    )
    return sent


def field_of(body):
    return body["error"]["details"][0]["field"]


def approved_period(api, **changes):
    with clock.freeze(NOW):
        status, body = api.post("/v1/travel-periods", {**PERIOD, "manager_id": "cm-001", **changes}, as_="sup-001")
    assert status == 201, body
    return body


def report(api, day, at, as_="cm-001", **changes):
    with clock.freeze(at):
        return api.post("/v1/travel-reports", {**REPORT, "day": day, **changes}, as_=as_)


def sweep(at):
    with clock.freeze(at):
        return sweeps.run()["travel_reports"]


def proposals(api, as_="sup-001", **query):
    q = "&".join(f"{k}={v}" for k, v in query.items())
    status, body = api.get("/v1/penalty-proposals" + (f"?{q}" if q else ""), as_=as_)
    assert status == 200, body
    return body["items"]


# --- periods ---------------------------------------------------------------------------------------
def test_a_manager_requests_travel_and_the_supervisor_approves_it(api):
    with clock.freeze(NOW):
        status, period = api.post("/v1/travel-periods", PERIOD, as_="cm-001")
        assert status == 201 and period["status"] == "requested" and period["manager_id"] == "cm-001"
        assert period["report_due_hour"] == 21
        tid = period["travel_id"]
        # Not yet approved: no travel day, so no report and nothing for the sweep.
        assert api.post("/v1/travel-reports", {**REPORT, "day": "2026-11-23"}, as_="cm-001")[0] == 422
        assert api.post(f"/v1/travel-periods/{tid}/decision", {"decision": "approve"}, as_="cm-001")[0] == 403
        status, decided = api.post(f"/v1/travel-periods/{tid}/decision", {"decision": "approve"}, as_="sup-001")
        assert status == 200 and decided["status"] == "approved" and decided["decided_by"] == "sup-001"
        status, listed = api.get("/v1/travel-periods?status=approved", as_="sup-001")
        assert [p["travel_id"] for p in listed["items"]] == [tid]
    assert report(api, "2026-11-23", "2026-11-23T20:00:00+08:00")[0] == 201


def test_a_supervisor_records_travel_approved_at_once_for_a_manager_of_the_branch(api):
    period = approved_period(api)
    assert period["status"] == "approved" and period["requested_by"] == "sup-001"
    with clock.freeze(NOW):
        status, body = api.post("/v1/travel-periods", {**PERIOD, "manager_id": "cm-101"}, as_="sup-001")
        assert status == 404 and field_of(body) == "manager_id"  # another branch's manager
        status, body = api.post("/v1/travel-periods", PERIOD, as_="sup-001")
        assert status == 400 and field_of(body) == "manager_id"


def test_overlapping_approved_travel_is_refused_and_a_cancelled_day_can_be_covered_again(api):
    first = approved_period(api)
    with clock.freeze(NOW):
        status, body = api.post(
            "/v1/travel-periods",
            {**PERIOD, "manager_id": "cm-001", "start_on": "2026-11-25", "end_on": "2026-11-27"},
            as_="sup-001",
        )
        assert status == 409, body
        # Back early: the days whose report is not yet due stop being travel days.
        status, cancelled = api.post(
            f"/v1/travel-periods/{first['travel_id']}/decision",
            {"decision": "cancel", "note": "提前返回"},
            as_="sup-001",
        )
        assert status == 200 and cancelled["status"] == "cancelled"
        status, again = api.post(
            "/v1/travel-periods",
            {**PERIOD, "manager_id": "cm-001", "start_on": "2026-11-25", "end_on": "2026-11-27"},
            as_="sup-001",
        )
        assert status == 201, again


def test_bad_periods_are_400s_naming_the_field(api):
    with clock.freeze(NOW):
        status, body = api.post("/v1/travel-periods", {**PERIOD, "end_on": "2026-11-20"}, as_="cm-001")
        assert status == 400 and field_of(body) == "end_on"
        status, body = api.post("/v1/travel-periods", {**PERIOD, "end_on": "2027-03-01"}, as_="cm-001")
        assert status == 400 and field_of(body) == "end_on"
        status, body = api.post("/v1/travel-periods", {**PERIOD, "start_on": "2026-11-20"}, as_="cm-001")
        assert status == 400 and field_of(body) == "start_on"  # a manager requests in advance
        status, body = api.post("/v1/travel-periods", {**PERIOD, "destination": ""}, as_="cm-001")
        assert status == 400 and field_of(body) == "destination"
        status, body = api.post("/v1/travel-periods", {**PERIOD, "manager_id": "cm-002"}, as_="cm-001")
        assert status == 403


def test_rejecting_needs_a_reason_and_managers_see_only_their_own_travel(api):
    with clock.freeze(NOW):
        _, period = api.post("/v1/travel-periods", PERIOD, as_="cm-001")
        tid = period["travel_id"]
        status, body = api.post(f"/v1/travel-periods/{tid}/decision", {"decision": "reject"}, as_="sup-001")
        assert status == 400 and field_of(body) == "note"
        assert api.get(f"/v1/travel-periods/{tid}", as_="cm-002")[0] == 404
        assert api.get(f"/v1/travel-periods/{tid}", as_="sup-101")[0] == 404
        assert api.get("/v1/travel-periods?manager_id=cm-002", as_="cm-001")[0] == 403
        assert api.get("/v1/travel-periods", as_="cmp-001")[0] == 400
        assert api.get("/v1/travel-periods?branch_id=br-pudong", as_="cmp-001")[1]["items"][0]["travel_id"] == tid


# --- the daily report ------------------------------------------------------------------------------
def test_the_days_report_is_filed_once_and_marked_on_time_by_21_00(api):
    approved_period(api)
    status, filed = report(api, "2026-11-23", "2026-11-23T20:59:00+08:00")
    assert status == 201 and filed["on_time"] is True and filed["due_at"] == "2026-11-23T21:00:00+08:00"
    assert filed["met"] == REPORT["met"] and filed["open_issues"] == REPORT["open_issues"]
    status, body = report(api, "2026-11-23", "2026-11-23T21:30:00+08:00")
    assert status == 409 and body["error"]["code"] == "already_reported"
    status, late = report(api, "2026-11-24", "2026-11-24T21:01:00+08:00")
    assert status == 201 and late["on_time"] is False
    with clock.freeze("2026-11-24T22:00:00+08:00"):
        status, listed = api.get("/v1/travel-reports", as_="sup-001")
        assert [r["day"] for r in listed["items"]] == ["2026-11-24", "2026-11-23"]
        assert api.get("/v1/travel-reports", as_="cm-002")[1]["items"] == []


def test_a_retried_report_with_its_key_is_the_first_result(api):
    approved_period(api)
    with clock.freeze("2026-11-23T19:00:00+08:00"):
        h = {"Idempotency-Key": "travel-report-0001"}
        first = api.post("/v1/travel-reports", {**REPORT, "day": "2026-11-23"}, as_="cm-001", headers=h)
        second = api.post("/v1/travel-reports", {**REPORT, "day": "2026-11-23"}, as_="cm-001", headers=h)
    assert first[0] == second[0] == 201 and first[1] == second[1]
    with clock.freeze("2026-11-23T19:05:00+08:00"):
        # Another submission (a new key, as the phone's outbox sends) of the same day is the day reported.
        status, body = api.post(
            "/v1/travel-reports",
            {**REPORT, "day": "2026-11-23"},
            as_="cm-001",
            headers={"Idempotency-Key": "travel-report-0002"},
        )
    assert status == 409 and body["error"]["code"] == "already_reported"


def test_bad_reports_are_400s_naming_the_field(api):
    approved_period(api)
    status, body = report(api, "2026-11-24", "2026-11-23T20:00:00+08:00")
    assert status == 400 and field_of(body) == "day"  # not before the day
    status, body = report(api, "2026-11-23", "2026-11-23T20:00:00+08:00", work="")
    assert status == 400 and field_of(body) == "work"
    status, body = report(api, "2026-11-22", "2026-11-23T20:00:00+08:00")
    assert status == 422 and field_of(body) == "day"  # not a travel day
    assert body["error"]["code"] == "not_travelling"
    status, body = report(api, "2026-11-23", "2026-11-23T20:00:00+08:00", as_="cm-002")
    assert status == 422  # not their travel


# --- the sweep and the proposals -------------------------------------------------------------------
def test_a_missing_report_becomes_one_proposal_for_the_supervisor(api, alerts, caplog):
    approved_period(api)
    report(api, "2026-11-23", "2026-11-23T20:00:00+08:00")  # Monday reported, Tuesday not
    assert sweep("2026-11-24T20:59:00+08:00")["proposed"] == []  # not yet due
    found = sweep("2026-11-24T21:05:00+08:00")
    assert len(found["proposed"]) == 1
    assert sweep("2026-11-24T22:05:00+08:00")["proposed"] == []  # once per manager and day
    [p] = proposals(api)
    assert p["rule_code"] == "NO_DAILY_REPORT" and p["manager_id"] == "cm-001" and p["day"] == "2026-11-24"
    assert p["status"] == "pending" and p["rule_version"]["global_effective_from"]
    assert [(k, r["proposal_id"], r["staff_id"], r["audience"]) for k, r in alerts] == [
        ("no_daily_report_proposal", p["proposal_id"], "cm-001", ["supervisor"])
    ]
    # The message the supervisor gets names the proposal, the manager and the day (ids only).
    [sent] = [r.escalation for r in caplog.records if r.getMessage() == "escalation"]
    assert (sent["proposal_id"], sent["staff_id"], sent["day"]) == (p["proposal_id"], "cm-001", "2026-11-24")
    assert REPORT["met"] not in json.dumps(sent, ensure_ascii=False)
    # No penalty is entered by the sweep.
    assert api.get("/v1/penalties?manager_id=cm-001", as_="sup-001")[1]["items"] == []
    assert proposals(api, as_="cm-001")[0]["proposal_id"] == p["proposal_id"]  # the manager sees it
    assert proposals(api, as_="sup-101") == []


def test_a_late_report_is_still_proposed_and_says_when_it_came(api):
    approved_period(api)
    report(api, "2026-11-23", "2026-11-23T21:20:00+08:00")
    sweep("2026-11-23T22:00:00+08:00")
    [p] = proposals(api)
    assert p["day"] == "2026-11-23" and p["late_report_at"] == "2026-11-23T21:20:00+08:00"


def test_the_proposal_and_its_outbox_entry_are_one_transaction(api, monkeypatch):
    from chalicelib.storage import travel as travel_repo

    approved_period(api)
    writes = []
    original = travel_repo.write
    monkeypatch.setattr(travel_repo, "write", lambda ops: (writes.append(ops), original(ops))[1])
    sweep("2026-11-23T21:30:00+08:00")
    [ops] = writes
    written = [
        (next(iter(op)), (op.get("Put") or op.get("Update"))["Key" if "Update" in op else "Item"]["pk"]["S"])
        for op in ops
    ]
    assert [kind for kind, _ in written] == ["Put", "Update", "Put"]
    assert written[0][1].startswith("PROPOSAL#") and written[1][1].startswith("TRAVELDAY#cm-001#2026-11-23")
    assert written[2][1].startswith("OUTBOX#")


def test_cancelled_days_are_not_proposed(api):
    period = approved_period(api)
    with clock.freeze("2026-11-23T22:30:00+08:00"):
        api.post(
            f"/v1/travel-periods/{period['travel_id']}/decision",
            {"decision": "cancel", "note": "提前返回"},
            as_="sup-001",
        )
    sweep("2026-11-26T09:00:00+08:00")
    assert [p["day"] for p in proposals(api)] == ["2026-11-23"]  # the day that was already due


def test_days_already_past_their_hour_when_approved_take_a_late_report_but_are_never_proposed(api):
    with clock.freeze("2026-11-24T10:00:00+08:00"):
        status, _ = api.post("/v1/travel-periods", {**PERIOD, "manager_id": "cm-001"}, as_="sup-001")
        assert status == 201  # recorded on Tuesday, from Monday
    assert report(api, "2026-11-23", "2026-11-24T11:00:00+08:00")[1]["on_time"] is False
    sweep("2026-11-24T21:30:00+08:00")
    assert [p["day"] for p in proposals(api)] == ["2026-11-24"]  # Monday was never the manager's to miss
    assert api.get("/v1/penalty-proposals", as_="cmp-001")[0] == 400
    assert len(proposals(api, as_="cmp-001", branch_id="br-pudong")) == 1


def test_confirming_enters_the_penalty_once_with_the_days_subsidy_withheld(api):
    approved_period(api)
    sweep("2026-11-23T21:30:00+08:00")
    [p] = proposals(api)
    with clock.freeze("2026-11-24T09:00:00+08:00"):
        path = f"/v1/penalty-proposals/{p['proposal_id']}/confirm"
        status, body = api.post(path, {"daily_subsidy_yuan": "0"}, as_="sup-001")
        assert status == 400 and field_of(body) == "daily_subsidy_yuan"
        assert api.post(path, {"daily_subsidy_yuan": "150"}, as_="cm-001")[0] == 403
        status, confirmed = api.post(path, {"daily_subsidy_yuan": "150", "note": "核实无汇报"}, as_="sup-001")
        assert status == 200 and confirmed["status"] == "confirmed" and confirmed["penalty_id"]
        again = api.post(path, {"daily_subsidy_yuan": "150"}, as_="sup-001")
        assert again[0] == 200 and again[1]["penalty_id"] == confirmed["penalty_id"]
        status, penalty = api.get(f"/v1/penalties/{confirmed['penalty_id']}", as_="sup-001")
        assert status == 200 and penalty["rule_code"] == "NO_DAILY_REPORT"
        assert penalty["breach_date"] == "2026-11-23" and penalty["yuan"] == "150.00"
        assert penalty["rule_version"] == p["rule_version"]
        assert len(api.get("/v1/penalties?manager_id=cm-001", as_="sup-001")[1]["items"]) == 1
        status, body = api.post(f"/v1/penalty-proposals/{p['proposal_id']}/dismiss", {"reason": "x"}, as_="sup-001")
        assert status == 409


def test_dismissing_needs_a_reason_and_enters_nothing(api):
    approved_period(api)
    sweep("2026-11-23T21:30:00+08:00")
    [p] = proposals(api)
    path = f"/v1/penalty-proposals/{p['proposal_id']}/dismiss"
    with clock.freeze("2026-11-24T09:00:00+08:00"):
        status, body = api.post(path, {"reason": ""}, as_="sup-001")
        assert status == 400 and field_of(body) == "reason"
        assert api.post(path, {"reason": "当天电话汇报过"}, as_="sup-101")[0] == 404  # another branch
        status, dismissed = api.post(path, {"reason": "当天电话汇报过"}, as_="sup-001")
        assert status == 200 and dismissed["status"] == "dismissed" and dismissed["reason"] == "当天电话汇报过"
        assert proposals(api, status="pending") == [] and len(proposals(api, status="dismissed")) == 1
        assert api.get("/v1/penalties?manager_id=cm-001", as_="sup-001")[1]["items"] == []
        assert api.post(f"/v1/penalty-proposals/{p['proposal_id']}/confirm", {}, as_="sup-001")[0] == 409


def test_the_sweep_reads_only_due_hour_buckets(api, monkeypatch):
    """No scan (the conftest forbids it) and only the TRAVELDUE buckets of the hours that passed."""
    approved_period(api)
    read = []
    original = base.query_all
    monkeypatch.setattr(base, "query_all", lambda pk, **kw: (read.append(pk), original(pk, **kw))[1])
    sweep("2026-11-23T21:30:00+08:00")
    travel = [pk for pk in read if pk.startswith("TRAVELDUE#")]
    assert travel and all(pk.split("#")[1] <= "2026-11-23T20" for pk in travel)


def test_the_hotel_rule_withholds_three_days_of_subsidy(api):
    """000 第二篇 §4: 要客户开房住的,对当事人扣除3天出差补贴不给予报销."""
    with clock.freeze(NOW):
        status, penalty = api.post(
            "/v1/penalties",
            {
                "manager_id": "cm-001",
                "rule_code": "TRAVEL_CLIENT_PAID_ROOM",
                "breach_date": "2026-11-20",
                "evidence_note": "客户支付房费",
                "income_yuan": "150",
            },
            as_="sup-001",
        )
    assert status == 201, penalty
    assert penalty["rule_kind"] == "subsidy_withheld" and penalty["yuan"] == "450.00"
