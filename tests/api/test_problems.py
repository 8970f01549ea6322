"""Problem items: created by compliance or callbacks, SLA due times, transitions to verified closure."""

from __future__ import annotations

import pytest

from chalicelib import clock
from tests.factories.tasks import CHECKLIST, make_account, make_task

NOW = "2026-11-20T10:00:00+08:00"  # Friday
ITEM = {
    "branch_id": "br-pudong",
    "account_id": "A001",
    "category": "service_attitude",
    "cause": "manager rude on the phone",
    "responsible_department": "branch operations",
}


@pytest.fixture
def frozen():
    with clock.freeze(NOW):
        make_account("A001")  # ITEM names it; an item names only accounts of its branch
        yield


def _move(api, pid, to, **extra):
    return api.post(f"/v1/problems/{pid}/transition", {"to": to, **extra}, as_="cmp-001")


def test_compliance_creates_items_with_sla_due_times(api, frozen):
    status, normal = api.post("/v1/problems", ITEM, as_="cmp-001")
    assert status == 201 and normal["status"] == "open" and normal["source"] == "compliance"
    assert normal["due_at"] == "2026-11-27T10:00:00+08:00"  # 5 working days, over the weekend
    status, critical = api.post(
        "/v1/problems",
        {**ITEM, "severity": "critical", "category": "staff_misconduct", "cause": "guaranteed returns"},
        as_="cmp-001",
    )
    assert status == 201 and critical["due_at"] == "2026-11-20T18:00:00+08:00" and critical["escalated"] is True
    status, listed = api.get("/v1/problems", as_="cmp-001")
    assert [p["problem_id"] for p in listed["items"]] == [critical["problem_id"], normal["problem_id"]]
    status, by_month = api.get("/v1/problems?branch_id=br-pudong&month=2026-11", as_="adm-001")
    assert status == 200 and len(by_month["items"]) == 2
    status, one = api.get(f"/v1/problems/{normal['problem_id']}", as_="cmp-002")
    assert status == 200 and one["cause"] == ITEM["cause"]


def test_sla_hours_and_days_are_configurable(api, frozen, monkeypatch):
    from chalicelib.config import reset_settings

    monkeypatch.setenv("FIELDDESK_PROBLEM_SLA_CRITICAL_HOURS", "4")
    monkeypatch.setenv("FIELDDESK_PROBLEM_SLA_NORMAL_WORKING_DAYS", "1")
    reset_settings()
    _, normal = api.post("/v1/problems", ITEM, as_="cmp-001")
    _, critical = api.post("/v1/problems", {**ITEM, "severity": "critical"}, as_="cmp-001")
    assert normal["due_at"] == "2026-11-23T10:00:00+08:00"
    assert critical["due_at"] == "2026-11-20T14:00:00+08:00"


@pytest.mark.parametrize("who", ["cm-001", "sup-001", "cba-001", "sys-001"])
def test_only_compliance_and_admins_handle_problem_items(api, frozen, who):
    """Supervisors read their branch's items (test below) but never create or move them."""
    _, created = api.post("/v1/problems", ITEM, as_="cmp-001")
    assert api.post("/v1/problems", ITEM, as_=who)[0] == 403
    reads = 200 if who == "sup-001" else 403
    assert api.get("/v1/problems", as_=who)[0] == reads
    assert api.get(f"/v1/problems/{created['problem_id']}", as_=who)[0] == reads
    assert _move_as(api, created["problem_id"], who)[0] == 403


def _move_as(api, pid, who):
    return api.post(f"/v1/problems/{pid}/transition", {"to": "in_progress"}, as_=who)


def test_bad_input_names_the_field(api, frozen):
    cases = [
        ({**ITEM, "category": "weather"}, "category"),
        ({**ITEM, "cause": ""}, "cause"),
        ({**ITEM, "severity": "meh"}, "severity"),
        ({k: v for k, v in ITEM.items() if k != "responsible_department"}, "responsible_department"),
    ]
    for body, field in cases:
        status, resp = api.post("/v1/problems", body, as_="cmp-001")
        assert status == 400 and resp["error"]["details"][0]["field"] == field, (field, resp)
    status, resp = api.post("/v1/problems", {**ITEM, "task_id": "new_account.X.2026-11-19"}, as_="cmp-001")
    assert status == 404 and resp["error"]["details"][0]["field"] == "task_id"
    status, resp = api.get("/v1/problems?branch_id=br-pudong", as_="cmp-001")
    assert status == 400 and resp["error"]["details"][0]["field"] == "query.month"
    status, resp = api.get("/v1/problems?status=closed", as_="cmp-001")
    assert status == 400 and resp["error"]["details"][0]["field"] == "query.status"


def test_open_to_verified_with_a_second_callback(api, frozen):
    make_account("A001")
    _, item = api.post("/v1/problems", ITEM, as_="cmp-001")
    pid = item["problem_id"]
    status, _ = _move(api, pid, "verified")
    assert status == 422
    status, moved = _move(api, pid, "in_progress", note="called the department")
    assert status == 200 and moved["status"] == "in_progress"
    status, resp = _move(api, pid, "resolved")
    assert status == 400 and resp["error"]["details"][0]["field"] == "note"
    status, resolved = _move(api, pid, "resolved", note="manager apologised and was retrained", verify_with_client=True)
    assert status == 200 and resolved["resolution_note"].startswith("manager apologised")
    task_id = resolved["verification_task_id"]
    assert task_id == f"second_callback.A001.{pid}"
    _, open_list = api.get("/v1/problems?status=open", as_="cmp-001")
    assert open_list["items"] == []
    _, resolved_list = api.get("/v1/problems?status=resolved", as_="cmp-001")
    assert [p["problem_id"] for p in resolved_list["items"]] == [pid]

    # The verification callback waits in the branch queue; verifying before it is done is refused.
    _, q = api.get("/v1/callback-tasks/queue", as_="cba-001")
    assert [(t["task_id"], t["trigger"], t["due_on"]) for t in q["items"]] == [
        (task_id, "second_callback", "2026-11-25")
    ]
    status, resp = _move(api, pid, "verified")
    assert status == 422 and "still open" in resp["error"]["message"]
    assert api.post(f"/v1/callback-tasks/{task_id}/claim", as_="cba-001")[0] == 200
    status, _ = api.post(
        f"/v1/callback-tasks/{task_id}/attempts",
        {
            "channel": "phone",
            "reached": True,
            "recording_ref": "rec-9",
            "dialled_number": "13812345678",
            "answered_by": "client",
            "identity_confirmed": True,
            "checklist": CHECKLIST,
            "satisfaction": 4,
        },
        as_="cba-001",
    )
    assert status == 201
    status, verified = _move(api, pid, "verified", note="client satisfied")
    assert status == 200 and verified["status"] == "verified"
    assert [h["to"] for h in verified["history"]] == ["open", "in_progress", "resolved", "verified"]
    status, _ = _move(api, pid, "in_progress")
    assert status == 422


def test_verification_by_client_needs_an_account(api, frozen):
    _, item = api.post("/v1/problems", {k: v for k, v in ITEM.items() if k != "account_id"}, as_="cmp-001")
    status, resp = _move(api, item["problem_id"], "resolved", note="fixed", verify_with_client=True)
    assert status == 400 and resp["error"]["details"][0]["field"] == "verify_with_client"


def test_an_item_may_name_its_callback_task(api, frozen):
    make_account("A001")
    t = make_task("new_account", "A001")
    status, item = api.post("/v1/problems", {**ITEM, "task_id": t["task_id"]}, as_="cmp-001")
    assert status == 201 and item["task_id"] == t["task_id"]
    status, resp = api.post("/v1/problems", {**ITEM, "task_id": t["task_id"], "branch_id": "br-haidian"}, as_="cmp-001")
    assert status == 404 and resp["error"]["details"][0]["field"] == "task_id"


def test_an_item_names_only_accounts_of_its_branch(api, frozen):
    # Its verification callback would put another branch's client in this branch's queue (issue 16 §5).
    make_account("H001", branch_id="br-haidian")
    foreign = api.post("/v1/problems", {**ITEM, "account_id": "H001"}, as_="cmp-001")
    unknown = api.post("/v1/problems", {**ITEM, "account_id": "NOPE"}, as_="cmp-001")
    assert foreign[0] == unknown[0] == 404
    assert foreign[1]["error"]["details"] == [{"field": "account_id", "message": "unknown account H001"}]
    assert api.get("/v1/problems?branch_id=br-pudong&month=2026-11", as_="cmp-001")[1]["items"] == []


def test_unknown_item_is_404(api, frozen):
    assert api.get("/v1/problems/nope", as_="cmp-001")[0] == 404
    assert _move(api, "nope", "in_progress")[0] == 404


def test_the_branch_manager_reads_their_branchs_items_and_no_other(api, frozen):
    """Issue 13 §6: supervisors list and read their branch's problem items read-only; compliance
    keeps the transitions; another branch's supervisor sees nothing of them."""
    _, normal = api.post("/v1/problems", ITEM, as_="cmp-001")
    _, critical = api.post(
        "/v1/problems",
        {**ITEM, "severity": "critical", "category": "staff_misconduct", "cause": "guaranteed returns"},
        as_="cmp-001",
    )
    _, haidian = api.post("/v1/problems", {**ITEM, "branch_id": "br-haidian", "account_id": None}, as_="cmp-001")
    status, mine = api.get("/v1/problems", as_="sup-001")  # this month, own branch
    assert status == 200 and {p["problem_id"] for p in mine["items"]} == {normal["problem_id"], critical["problem_id"]}
    status, only = api.get("/v1/problems?severity=critical", as_="sup-001")
    assert [p["problem_id"] for p in only["items"]] == [critical["problem_id"]]
    assert api.get("/v1/problems?overdue=true", as_="sup-001")[1]["items"] == []
    status, one = api.get(f"/v1/problems/{critical['problem_id']}", as_="sup-001")
    assert status == 200 and one["due_at"] == "2026-11-20T18:00:00+08:00" and one["history"] is not None
    assert api.get(f"/v1/problems/{haidian['problem_id']}", as_="sup-001")[0] == 404
    assert api.get(f"/v1/problems/{normal['problem_id']}", as_="sup-101")[0] == 404
    assert api.get("/v1/problems?branch_id=br-haidian", as_="sup-001")[0] == 403
    assert {p["problem_id"] for p in api.get("/v1/problems", as_="sup-101")[1]["items"]} == {haidian["problem_id"]}
    assert (
        api.post(f"/v1/problems/{normal['problem_id']}/transition", {"to": "in_progress"}, as_="sup-001")[0] == 403
    )  # read-only
    assert api.post("/v1/problems", ITEM, as_="sup-001")[0] == 403


def test_a_filtered_list_pages_in_full_pages(api, frozen):
    """A filter never hands the supervisor a short or empty page while matching items remain."""
    critical = []
    for n in range(7):
        body = {**ITEM, "severity": "critical", "category": "staff_misconduct", "cause": f"case {n}"} if n % 2 else ITEM
        with clock.freeze(f"2026-11-20T10:0{n}:00+08:00"):  # the list is oldest first
            status, item = api.post("/v1/problems", body, as_="cmp-001")
        assert status == 201
        if n % 2:
            critical.append(item["problem_id"])
    seen, pages, token = [], [], None
    while True:
        status, page = api.get(
            "/v1/problems?severity=critical&limit=2" + (f"&next_token={token}" if token else ""), as_="sup-001"
        )
        assert status == 200
        pages.append(len(page["items"]))
        seen += [p["problem_id"] for p in page["items"]]
        token = page.get("next_token")
        if not token:
            break
    assert seen == critical and pages[:-1] == [2] * (len(pages) - 1) and pages[-1] >= 1
