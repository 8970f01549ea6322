"""Staff and outlet directory: admins edit, supervisors read their branch. The branch and outlet rules of a
member are tested on the fakes: tests/unit/directory/test_directory_rules.py."""

from __future__ import annotations

import pytest

NEW_STAFF = {
    "staff_id": "cm-009",
    "name": "钱多多",
    "role": "client_manager",
    "branch_id": "br-pudong",
    "outlet_ids": ["ot-icbc-lujiazui"],
}


def test_admin_creates_staff_and_a_duplicate_is_409(api):
    status, body = api.post("/v1/staff", NEW_STAFF, as_="adm-001")
    assert status == 201 and body["status"] == "active"
    status, body = api.post("/v1/staff", NEW_STAFF, as_="adm-001")
    assert status == 409 and body["error"]["code"] == "conflict"


@pytest.mark.parametrize("who", ["cm-001", "sup-001", "cba-001", "cmp-001", "sys-001"])
def test_only_admins_create_staff(api, who):
    status, body = api.post("/v1/staff", NEW_STAFF, as_=who)
    assert status == 403 and body["error"]["code"] == "forbidden"


def test_supervisor_lists_own_branch_only(api):
    status, body = api.get("/v1/staff", as_="sup-001")
    assert status == 200
    branches = {s["branch_id"] for s in body["items"]}
    assert branches == {"br-pudong"}
    status, _ = api.get("/v1/staff?branch_id=br-haidian", as_="sup-001")
    assert status == 403
    status, _ = api.get("/v1/staff/cm-101", as_="sup-001")
    assert status == 404
    status, _ = api.get("/v1/staff", as_="cm-001")
    assert status == 403


def test_staff_list_paginates_with_tokens_bound_to_the_caller(api):
    status, page1 = api.get("/v1/staff?limit=3", as_="adm-001")
    assert status == 200 and len(page1["items"]) == 3 and page1["next_token"]
    status, page2 = api.get(f"/v1/staff?limit=3&next_token={page1['next_token']}", as_="adm-001")
    assert status == 200
    assert not {s["staff_id"] for s in page1["items"]} & {s["staff_id"] for s in page2["items"]}
    status, body = api.get(f"/v1/staff?limit=3&next_token={page1['next_token']}", as_="adm-002")
    assert status == 400 and body["error"]["details"][0]["field"] == "next_token"
    status, body = api.get("/v1/staff?next_token=garbage", as_="adm-001")
    assert status == 400


def test_departing_keeps_the_record_and_it_stays_readable(api):
    api.patch("/v1/staff/cm-002", {"status": "departed", "departed_on": "2026-11-20"}, as_="adm-001")
    status, body = api.get("/v1/staff/cm-002", as_="adm-001")
    assert status == 200 and body["status"] == "departed" and body["departed_on"] == "2026-11-20"
    status, body = api.patch("/v1/staff/cm-002", {"status": "departed"}, as_="adm-001")
    assert status == 400


def test_outlets_admin_creates_and_branch_lists(api):
    outlet = {
        "outlet_id": "ot-new",
        "bank": "招商银行",
        "name": "世纪大道支行",
        "branch_id": "br-pudong",
        "location": {"lat": 31.23, "lng": 121.52},
    }
    status, body = api.post("/v1/outlets", outlet, as_="adm-001")
    assert status == 201
    status, body = api.get("/v1/outlets", as_="cm-001")
    assert status == 200
    ids = {o["outlet_id"] for o in body["items"]}
    assert "ot-new" in ids and "ot-abc-zhongguancun" not in ids
    status, body = api.post(
        "/v1/outlets", {**outlet, "outlet_id": "ot-x", "location": {"lat": 200, "lng": 0}}, as_="adm-001"
    )
    assert status == 400 and body["error"]["details"][0]["field"] == "location.lat"


def test_editing_an_agent_never_overwrites_their_open_task_count(api):
    """The selection job and claims ADD to an agent's open_tasks; an admin's edit must not reset it."""
    from chalicelib.storage import base, directory, keys

    base.update(**keys.staff("cba-001"), expression="ADD open_tasks :n", values={":n": 3})
    status, _ = api.patch("/v1/staff/cba-001", {"name": "陈静静"}, as_="adm-001")
    assert status == 200
    record = directory.get_staff("cba-001")
    assert record["name"] == "陈静静" and int(record["open_tasks"]) == 3


def test_reactivating_a_departed_member_clears_the_departure(api):
    from chalicelib.storage import base

    api.patch("/v1/staff/cm-002", {"status": "departed", "departed_on": "2026-11-20"}, as_="adm-001")
    status, body = api.patch("/v1/staff/cm-002", {"status": "active"}, as_="adm-001")
    assert status == 200 and body["status"] == "active" and body["departed_on"] is None
    assert base.query_all("DEPARTED#2026-11-20", index="gsi3") == []
    assert api.get("/v1/me", as_="cm-002")[0] == 200


def test_a_staff_patch_with_a_null_status_is_a_400_naming_it_and_writes_nothing(api):
    status, body = api.call("PATCH", "/v1/staff/cm-002", {"status": None}, as_="adm-001")
    assert status == 400, body
    assert body["error"]["details"][0]["field"] == "status"
    status, member = api.get("/v1/staff/cm-002", as_="adm-001")
    assert status == 200 and member["status"] == "active"
