"""Contact frequency by client value class (issue 19 §4; seed 002 第十九条, 第二十条).

"确保A类、B类客户每周至少沟通一次电话" and "A类客户每月至少访问一次,B类客户至少两个月访问一次": the
supervisor classes the clients, the manager's logs that name a client count, and the plan lists who
is due, overdue first; the scorecard shows the share met.
"""

from __future__ import annotations

import pytest

from chalicelib import clock
from tests.factories.accounts import opened

NOW = "2026-11-20T16:00:00+08:00"  # Friday of ISO week 2026-W47


@pytest.fixture
def book(api):
    """cm-001 serves three clients; the supervisor classes two A/B and one C."""
    with clock.freeze("2026-11-02T09:00:00+08:00"):
        events = [opened(a, on="2026-11-02", n=i) for i, a in enumerate(("ka", "kb", "kc"), 1)]
        status, body = api.post("/v1/account-events", {"events": events}, as_="sys-001")
        assert status == 200, body
        for account, value_class in (("ka", "A"), ("kb", "B"), ("kc", "C")):
            status, body = api.put(
                f"/v1/accounts/{account}/value-class",
                {"value_class": value_class, "reason": "按交易量排名"},
                as_="sup-001",
            )
            assert status == 200, body
    with clock.freeze(NOW):
        yield


def log(api, kind, account, at, **over):
    body = {
        "kind": kind,
        "visited_at": at,
        "unit_name": "客户家",
        "person_met": "客户",
        "discussed": "回访",
        "account_id": account,
        **over,
    }
    status, out = api.post("/v1/visits", body, as_="cm-001")
    assert status == 201, out
    return out


def plan(api, as_="cm-001", **q):
    query = "&".join(f"{k}={v}" for k, v in q.items())
    status, body = api.get("/v1/contact-plan" + (f"?{query}" if query else ""), as_=as_)
    assert status == 200, body
    return body


def by_account(body):
    return {i["account_id"]: (i["phone"], i["visit"]) for i in body["items"]}


def test_a_and_b_clients_are_due_a_weekly_contact_and_a_visit_overdue_first(api, book):
    body = plan(api)
    assert body["week"] == "2026-W47" and body["month"] == "2026-11"
    # C is "减少管理": not on the plan. Nothing logged yet: overdue (last week's and last period's missed).
    assert by_account(body) == {"ka": ("overdue", "overdue"), "kb": ("overdue", "overdue")}
    assert body["items"][0]["client_name_masked"] and "张三丰" not in str(body)
    log(api, "phone", "kb", "2026-11-20T09:00:00+08:00")
    body = plan(api)
    assert by_account(body) == {"ka": ("overdue", "overdue"), "kb": ("met", "overdue")}
    assert [i["account_id"] for i in body["items"]] == ["ka", "kb"]  # overdue first, A before B
    log(api, "on_site", "ka", "2026-11-20T11:00:00+08:00", clients_count=1)
    assert by_account(plan(api)) == {"ka": ("met", "met"), "kb": ("met", "overdue")}
    # Next week: the contact is due again, and only due (last week's was met); A's visit holds for November.
    assert by_account(plan(api, on="2026-11-23")) == {"ka": ("due", "met"), "kb": ("due", "overdue")}
    # December: A needs a new visit; B's period is November-December, still open.
    assert by_account(plan(api, on="2026-12-07"))["ka"] == ("overdue", "due")


def test_a_b_visit_holds_for_two_months_and_an_outlet_shift_is_no_contact(api, book):
    log(api, "on_site", "kb", "2026-11-20T10:00:00+08:00")
    log(api, "outlet_shift", "ka", "2026-11-20T14:00:00+08:00", outlet_id=None, unit_name="某支行")
    body = by_account(plan(api))
    assert body["kb"] == ("met", "met") and body["ka"] == ("overdue", "overdue")
    assert by_account(plan(api, on="2026-12-15"))["kb"][1] == "met"  # November-December
    assert by_account(plan(api, on="2027-01-11"))["kb"][1] == "due"  # January-February: due, not overdue


def test_only_the_serving_managers_logs_count_and_accounts_are_checked(api, book):
    status, _ = api.post(
        "/v1/visits",
        {
            "kind": "phone",
            "visited_at": "2026-11-20T09:00:00+08:00",
            "unit_name": "x",
            "person_met": "y",
            "discussed": "z",
            "account_id": "ka",
        },
        as_="cm-002",
    )
    assert status == 201
    assert by_account(plan(api))["ka"][0] == "overdue"
    status, body = api.post(
        "/v1/visits",
        {
            "kind": "phone",
            "visited_at": "2026-11-20T09:00:00+08:00",
            "unit_name": "x",
            "person_met": "y",
            "discussed": "z",
            "account_id": "nope",
        },
        as_="cm-001",
    )
    assert status == 400 and body["error"]["details"][0]["field"] == "account_id"


def test_a_retried_log_counts_once_and_the_scorecard_shows_the_share(api, book):
    body = {
        "kind": "phone",
        "visited_at": "2026-11-20T09:00:00+08:00",
        "unit_name": "x",
        "person_met": "y",
        "discussed": "z",
        "account_id": "ka",
    }
    for _ in range(2):
        status, _ = api.post("/v1/visits", body, as_="cm-001", headers={"Idempotency-Key": "plan-form-abc12345"})
        assert status == 201
    log(api, "on_site", "ka", "2026-11-13T10:00:00+08:00")
    status, card = api.get("/v1/scorecards/cm-001?month=2026-11", as_="sup-001")
    assert status == 200
    share = card["contact_plan"]
    # ISO weeks with their Thursday in November that have begun: W45, W46, W47 (W48 starts 11-23).
    assert share["weeks"] == ["2026-W45", "2026-W46", "2026-W47"]
    assert (share["phone_required"], share["phone_met"]) == (6, 2)  # ka in W46 and W47, kb never
    # Visit periods ending in November: A's (November); B's pair is November-December.
    assert (share["visit_required"], share["visit_met"]) == (1, 1)


def test_who_sets_classes_and_reads_plans(api, book):
    change = {"value_class": "A", "reason": "按交易量排名"}
    assert api.put("/v1/accounts/ka/value-class", change, as_="cm-001")[0] == 403
    assert api.put("/v1/accounts/ka/value-class", change, as_="sup-101")[0] == 404  # another branch
    status, body = api.put("/v1/accounts/ka/value-class", {"value_class": "D", "reason": "x"}, as_="sup-001")
    assert status == 400 and {d["field"] for d in body["error"]["details"]} >= {"value_class"}
    status, account = api.get("/v1/accounts/kc", as_="sup-001")
    assert status == 200 and account["value_class"] == "C" and account["value_class_source"] == "supervisor"
    assert api.get("/v1/contact-plan?manager_id=cm-002", as_="cm-001")[0] == 403
    assert plan(api, as_="sup-001", manager_id="cm-001")["phone_required"] == 2
    assert api.get("/v1/contact-plan?manager_id=cm-001", as_="sup-101")[0] == 404
    assert api.get("/v1/contact-plan", as_="sup-001")[0] == 400


def test_a_late_log_counts_once_the_supervisor_approves_it(api, book):
    late = log(api, "on_site", "ka", "2026-11-09T10:00:00+08:00", late_reason="手机没电,今天补录")
    assert late["status"] == "pending_approval"
    assert plan(api, on="2026-11-09")["items"][0]["last_visit_month"] is None
    status, _ = api.post(f"/v1/visits/{late['visit_id']}/late-approval", {"approve": True}, as_="sup-001")
    assert status == 200
    assert by_account(plan(api, on="2026-11-09"))["ka"] == ("met", "met")
