"""Four eyes on privilege and the staff change log, through the API (issue 16 §3, §9). The rules themselves
(who may ask, approve, what is recorded) are tested on the fakes: tests/unit/directory/test_privilege_rules.py."""

from __future__ import annotations

NEW_ADMIN = {"staff_id": "adm-009", "name": "钱多多", "role": "admin", "branch_id": "br-pudong"}


def changes(api, month="2026-12"):
    status, body = api.get(f"/v1/staff-changes?month={month}", as_="cmp-001")
    assert status == 200
    return body["items"]


def month_now():
    from chalicelib import clock

    return clock.today().isoformat()[:7]


def test_a_second_admin_approves_and_the_change_is_recorded(api):
    status, req = api.post(
        "/v1/privilege-requests",
        {"staff_id": "cm-001", "role": "compliance", "reason": "调任合规岗位，经总部批准"},
        as_="adm-001",
    )
    assert status == 201 and req["status"] == "pending"
    # The requester cannot decide it; the member concerned cannot approve it.
    status, body = api.post(f"/v1/privilege-requests/{req['request_id']}/approve", {}, as_="adm-001")
    assert status == 403
    pending = api.get("/v1/privilege-requests?status=pending", as_="cmp-001")[1]["items"]
    assert [p["request_id"] for p in pending] == [req["request_id"]]
    assert api.get("/v1/staff/cm-001", as_="adm-001")[1]["role"] == "client_manager"

    status, done = api.post(f"/v1/privilege-requests/{req['request_id']}/approve", {"reason": "已核实"}, as_="adm-002")
    assert status == 200 and done["status"] == "approved" and done["decided_by"] == "adm-002"
    assert api.get("/v1/staff/cm-001", as_="adm-001")[1]["role"] == "compliance"
    # Deciding twice is a conflict, not a second change.
    assert api.post(f"/v1/privilege-requests/{req['request_id']}/approve", {}, as_="adm-002")[0] == 409
    [change] = changes(api, month_now())
    assert change["staff_id"] == "cm-001" and change["actor_id"] == "adm-001" and change["approved_by"] == "adm-002"
    assert change["before"]["role"] == "client_manager" and change["after"]["role"] == "compliance"


def test_only_compliance_and_admins_read_the_change_log(api):
    # What the change log records is a rule test on the fakes (tests/unit/directory/test_privilege_rules.py).
    assert api.patch("/v1/staff/cm-001", {"role": "supervisor"}, as_="adm-001")[0] == 200
    assert [c["staff_id"] for c in changes(api, month_now())] == ["cm-001"]
    for who in ("cm-001", "sup-001", "cba-001"):
        assert api.get(f"/v1/staff-changes?month={month_now()}", as_=who)[0] == 403


def test_staff_and_outlets_need_a_branch_that_exists_and_ids_of_the_pattern(api):
    status, body = api.post(
        "/v1/staff", {**NEW_ADMIN, "role": "client_manager", "branch_id": "br-nowhere"}, as_="adm-001"
    )
    assert status == 400 and body["error"]["details"][0]["field"] == "branch_id"
    status, body = api.post(
        "/v1/staff", {**NEW_ADMIN, "role": "client_manager", "branch_id": "br#pudong"}, as_="adm-001"
    )
    assert status == 400 and body["error"]["details"][0]["field"] == "branch_id"
    status, body = api.patch("/v1/staff/cm-001", {"branch_id": "br-nowhere"}, as_="adm-001")
    assert status == 400 and body["error"]["details"][0]["field"] == "branch_id"
    status, body = api.patch("/v1/staff/cm-001", {"branch_id": "br#x"}, as_="adm-001")
    assert status == 400 and body["error"]["details"][0]["field"] == "branch_id"
    # A member is stationed at outlets of their own branch only.
    status, body = api.post(
        "/v1/staff", {**NEW_ADMIN, "role": "client_manager", "outlet_ids": ["ot-abc-zhongguancun"]}, as_="adm-001"
    )
    assert status == 400 and body["error"]["details"][0]["field"] == "outlet_ids.0"
    status, body = api.patch("/v1/staff/cm-001", {"outlet_ids": ["ot#1"]}, as_="adm-001")
    assert status == 400 and body["error"]["details"][0]["field"] == "outlet_ids.0"
    status, body = api.post(
        "/v1/outlets",
        {"outlet_id": "ot-x", "bank": "工商银行", "name": "某支行", "branch_id": "br-nowhere"},
        as_="adm-001",
    )
    assert status == 400 and body["error"]["details"][0]["field"] == "branch_id"
