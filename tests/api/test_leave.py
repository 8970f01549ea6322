"""Leave 请假 from the user's side (000 第一篇 第四条 "须提前向区域经理提出"): asked in advance, decided by the
branch's supervisor, withdrawn while it waits; approved leave is not absence (no absence penalty on it, not
added up to the two- and three-day rules) and lowers the day's contacts and the week's visit days."""

from __future__ import annotations

import pytest

from chalicelib import clock

NOW = "2026-11-20T10:00:00+08:00"  # Friday; 2026-11-23..27 is an ordinary working week
BODY = {"kind": "personal", "start_date": "2026-11-23", "end_date": "2026-11-23", "reason": "家中有事"}


@pytest.fixture
def frozen(api):
    with clock.freeze(NOW):
        yield


def ask(api, as_="cm-001", **changes):
    status, body = api.post("/v1/leave", {**BODY, **changes}, as_=as_)
    assert status == 201, body
    return body


def decide(api, leave_id, approve=True, as_="sup-001", comment=""):
    return api.post(f"/v1/leave/{leave_id}/decision", {"approve": approve, "comment": comment}, as_=as_)


def field_of(body):
    return body["error"]["details"][0]["field"]


# --- asking and deciding ---------------------------------------------------------------------------
def test_a_manager_asks_in_advance_and_the_branch_supervisor_approves(api, frozen):
    leave = ask(api, end_date="2026-11-24")
    assert leave["status"] == "pending" and leave["manager_id"] == "cm-001" and leave["days"] == "2"
    assert leave["branch_id"] == "br-pudong" and leave["history"][0]["to"] == "pending"
    status, page = api.get("/v1/leave?status=pending", as_="sup-001")
    assert status == 200 and [i["leave_id"] for i in page["items"]] == [leave["leave_id"]]
    assert api.get("/v1/leave", as_="sup-101")[1]["items"] == []  # another branch
    assert api.get(f"/v1/leave/{leave['leave_id']}", as_="sup-101")[0] == 404
    assert decide(api, leave["leave_id"], as_="sup-101")[0] == 404
    assert api.get(f"/v1/leave/{leave['leave_id']}", as_="cm-002")[0] == 404  # another manager
    status, decided = decide(api, leave["leave_id"])
    assert status == 200 and decided["status"] == "approved" and decided["decided_by"] == "sup-001"
    assert [h["to"] for h in decided["history"]] == ["pending", "approved"]
    assert decide(api, leave["leave_id"], approve=False, comment="不行", as_="sup-002")[0] == 409
    assert api.get("/v1/leave", as_="cm-001")[1]["items"][0]["status"] == "approved"
    assert api.get("/v1/leave?manager_id=cm-002", as_="cm-001")[0] == 403


def test_a_refusal_says_why(api, frozen):
    leave = ask(api)
    status, body = decide(api, leave["leave_id"], approve=False)
    assert status == 400 and field_of(body) == "comment"
    status, refused = decide(api, leave["leave_id"], approve=False, comment="月末人手不足")
    assert status == 200 and refused["status"] == "refused" and refused["decision_comment"] == "月末人手不足"


@pytest.mark.parametrize(
    "changes,field",
    [
        ({"start_date": "2026-11-20", "end_date": "2026-11-20"}, "start_date"),  # today: not in advance
        ({"start_date": "2026-11-19", "end_date": "2026-11-19"}, "start_date"),
        ({"end_date": "2026-11-22"}, "end_date"),  # before the first day
        ({"end_date": "2026-11-24", "half_day": "am"}, "half_day"),  # half of one day only
        ({"end_date": "2027-01-10"}, "end_date"),  # longer than 30 days
        ({"start_date": "2026-11-21", "end_date": "2026-11-22"}, "start_date"),  # a weekend: no working day
        ({"kind": "holiday"}, "kind"),
        ({"reason": ""}, "reason"),
        ({"manager_id": "cm-002"}, "manager_id"),  # the server sets who
    ],
)
def test_bad_requests_are_400s_naming_the_field(api, frozen, changes, field):
    status, body = api.post("/v1/leave", {**BODY, **changes}, as_="cm-001")
    assert status == 400 and field_of(body) == field, body


def test_overlapping_leave_is_refused_until_withdrawn_and_a_retry_stores_one(api, frozen):
    key = {"Idempotency-Key": "leave-retry-0001"}
    first = api.post("/v1/leave", {**BODY, "end_date": "2026-11-25"}, as_="cm-001", headers=key)
    again = api.post("/v1/leave", {**BODY, "end_date": "2026-11-25"}, as_="cm-001", headers=key)
    assert first[0] == again[0] == 201 and first[1]["leave_id"] == again[1]["leave_id"]
    status, body = api.post("/v1/leave", {**BODY, "start_date": "2026-11-25", "end_date": "2026-11-26"}, as_="cm-001")
    assert status == 409 and first[1]["leave_id"] in body["error"]["message"]
    assert api.post(f"/v1/leave/{first[1]['leave_id']}/withdraw", {}, as_="cm-002")[0] == 404
    status, withdrawn = api.post(f"/v1/leave/{first[1]['leave_id']}/withdraw", {"reason": "不用了"}, as_="cm-001")
    assert status == 200 and withdrawn["status"] == "withdrawn"
    assert decide(api, first[1]["leave_id"])[0] == 409  # nothing left to decide
    ask(api, start_date="2026-11-25", end_date="2026-11-26")
    # Two halves of one day are two requests that do not overlap; the same half twice does.
    ask(api, start_date="2026-11-27", end_date="2026-11-27", half_day="am")
    ask(api, start_date="2026-11-27", end_date="2026-11-27", half_day="pm")
    assert (
        api.post(
            "/v1/leave", {**BODY, "start_date": "2026-11-27", "end_date": "2026-11-27", "half_day": "pm"}, as_="cm-001"
        )[0]
        == 409
    )


def test_decided_leave_is_not_withdrawn(api, frozen):
    leave = ask(api)
    decide(api, leave["leave_id"])
    status, body = api.post(f"/v1/leave/{leave['leave_id']}/withdraw", {}, as_="cm-001")
    assert status == 409 and body["error"]["code"] == "conflict"


# --- approved leave is not absence -----------------------------------------------------------------
def fine(api, rule, breach, manager="cm-001"):
    return api.post(
        "/v1/penalties",
        {"manager_id": manager, "rule_code": rule, "breach_date": breach, "evidence_note": "未到岗"},
        as_="sup-001",
    )


def test_no_absence_penalty_on_a_day_of_approved_leave(api, frozen):
    decide(api, ask(api)["leave_id"])  # 11-23
    decide(api, ask(api, start_date="2026-11-26", end_date="2026-11-26", half_day="am")["leave_id"])
    pending = ask(api, start_date="2026-11-27", end_date="2026-11-27")  # not decided
    with clock.freeze("2026-11-30T10:00:00+08:00"):
        status, body = fine(api, "ABSENT_1_DAY", "2026-11-23")
        assert status == 400 and field_of(body) == "breach_date" and "leave" in body["error"]["message"]
        assert fine(api, "ABSENT_HALF_DAY", "2026-11-23")[0] == 400
        assert fine(api, "ABSENT_2_DAYS", "2026-11-20")[0] == 400  # Friday and Monday (the leave)
        assert fine(api, "ABSENT_1_DAY", "2026-11-26")[0] == 400  # half of it is leave
        assert fine(api, "ABSENT_HALF_DAY", "2026-11-26")[0] == 201  # the other half was not
        assert fine(api, "ABSENT_1_DAY", "2026-11-27")[0] == 201  # leave asked, never approved
        assert fine(api, "ABSENT_1_DAY", "2026-11-23", manager="cm-002")[0] == 201  # someone else's leave
        assert fine(api, "LEAVE_POST", "2026-11-23")[0] == 400  # "未经批准擅离岗位": it was approved
        assert fine(api, "LEAVE_POST", "2026-11-26")[0] == 201  # the afternoon was not leave
        assert fine(api, "LATE", "2026-11-23")[0] == 201  # other rules do not read leave
    assert pending["status"] == "pending"


def test_another_branchs_supervisor_learns_nothing_of_a_managers_leave(api, frozen):
    decide(api, ask(api)["leave_id"])  # cm-001, 11-23
    with clock.freeze("2026-11-30T10:00:00+08:00"):
        for rule in ("ABSENT_1_DAY", "LEAVE_POST"):
            status, body = api.post(
                "/v1/penalties",
                {"manager_id": "cm-001", "rule_code": rule, "breach_date": "2026-11-23", "evidence_note": "未到岗"},
                as_="sup-101",
            )
            # as for an unknown manager: the leave is not read across branches (not a 400 on breach_date)
            assert status == 404 and field_of(body) == "manager_id", body


def absence_flags(api):
    return sorted(
        f["flag_id"] for f in api.get("/v1/flags", as_="sup-001")[1]["items"] if f["flag_id"].startswith("ABSENCE")
    )


@pytest.mark.parametrize("approved", [True, False])
def test_leave_approved_after_an_absence_was_entered_does_not_add_up(api, frozen, approved):
    leave = ask(api, start_date="2026-11-24", end_date="2026-11-24")
    with clock.freeze("2026-11-25T10:00:00+08:00"):
        assert fine(api, "ABSENT_1_DAY", "2026-11-24")[0] == 201  # the leave was still pending
        if approved:
            assert decide(api, leave["leave_id"])[0] == 200  # decided late: still leave
        assert fine(api, "ABSENT_1_DAY", "2026-11-25")[0] == 201
        # Two single days in a month prompt the two-day rule, unless one of them was approved leave.
        assert absence_flags(api) == ([] if approved else ["ABSENCE2.cm-001.2026-11"])


# --- approved leave and the quotas -------------------------------------------------------------------
def test_leave_lowers_the_days_contacts_and_the_weeks_visit_days(api, frozen):
    decide(api, ask(api, end_date="2026-11-24")["leave_id"])  # Mon, Tue
    decide(api, ask(api, start_date="2026-11-25", end_date="2026-11-25", half_day="pm")["leave_id"])
    with clock.freeze("2026-11-27T20:00:00+08:00"):
        for day in ("26", "27"):
            status, _ = api.post(
                "/v1/visits",
                {
                    "kind": "on_site",
                    "visited_at": f"2026-11-{day}T10:00:00+08:00",
                    "unit_name": "张江某公司",
                    "person_met": "李总",
                    "discussed": "介绍两融业务",
                    "clients_count": 2,
                },
                as_="cm-001",
            )
            assert status == 201
        status, body = api.get("/v1/visits/activity?from=2026-11-23&to=2026-11-29", as_="cm-001")
    assert status == 200, body
    days = {d["date"]: d for d in body["days"]}
    assert days["2026-11-23"]["leave"] == "1" and days["2026-11-23"]["phone_contacts_required"] == 0
    assert days["2026-11-23"]["phone_quota_met"] is True
    assert days["2026-11-25"]["leave"] == "0.5" and days["2026-11-25"]["phone_contacts_required"] == 3
    assert days["2026-11-25"]["phone_quota_met"] is False
    assert days["2026-11-26"]["leave"] is None and days["2026-11-26"]["phone_contacts_required"] == 5
    week = body["weeks"][0]
    # 3 visit days of 5 working days; 2.5 days on leave: 3 x 2.5 / 5 = 1.5, rounded up to 2 - met.
    assert week["leave_days"] == "2.5" and week["visit_days_required"] == 2 and week["visit_days"] == 2
    assert week["visit_days_quota_met"] is True
    assert body["totals"]["leave_days"] == "2.5"
    # Without leave the same week misses "三天出访".
    other = api.get("/v1/visits/activity?from=2026-11-30&to=2026-12-06", as_="cm-001")[1]["weeks"][0]
    assert other["visit_days_required"] == 3 and other["leave_days"] == "0"
