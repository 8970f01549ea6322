"""Branches in the console: admins list and open them, compliance reads, supervisors see their own (issue 20)."""

from __future__ import annotations

import pytest

from chalicelib import clock

NOW = "2026-12-02T10:00:00+08:00"


@pytest.fixture(autouse=True)
def frozen():
    with clock.freeze(NOW):
        yield


def test_admin_opens_a_branch_and_staff_can_be_placed_in_it(api):
    status, made = api.post("/v1/branches", {"branch_id": "br-xuhui", "name": "徐汇营业部"}, as_="adm-001")
    assert status == 201, made
    assert made == {
        "branch_id": "br-xuhui",
        "name": "徐汇营业部",
        "status": "active",
        "created_at": NOW,
        "created_by": "adm-001",
        "closed_at": None,
    }
    status, got = api.get("/v1/branches/br-xuhui", as_="adm-001")
    assert status == 200 and got == made
    ids = [b["branch_id"] for b in api.get("/v1/branches", as_="cmp-001")[1]["items"]]
    assert "br-xuhui" in ids and ids == sorted(ids)
    # the new branch is real for the directory: a staff member can be placed in it
    staff = {"staff_id": "cm-xh1", "name": "徐一", "role": "client_manager", "branch_id": "br-xuhui"}
    status, body = api.post("/v1/staff", staff, as_="adm-001")
    assert status == 201, body


def test_an_existing_id_is_refused_and_a_retry_gets_the_first_answer(api):
    body = {"branch_id": "br-minhang", "name": "闵行营业部"}
    key = {"Idempotency-Key": "branch-minhang-0001"}
    first = api.post("/v1/branches", body, as_="adm-001", headers=key)
    assert first[0] == 201
    assert api.post("/v1/branches", body, as_="adm-001", headers=key) == first  # replayed, not refused
    status, err = api.post("/v1/branches", {**body, "name": "别的名字"}, as_="adm-001")
    assert status == 409 and err["error"]["code"] == "branch_exists"
    assert api.get("/v1/branches/br-minhang", as_="adm-001")[1]["name"] == "闵行营业部"
    status, err = api.post("/v1/branches", {"branch_id": "br-pudong", "name": "x"}, as_="adm-001")
    assert status == 409 and err["error"]["code"] == "branch_exists"


def test_bad_input_names_the_field(api):
    for body, field in (
        ({"name": "无编号"}, "branch_id"),
        ({"branch_id": "BR Pudong", "name": "x"}, "branch_id"),
        ({"branch_id": "br-ok", "name": ""}, "name"),
        ({"branch_id": "br-ok", "name": "x", "colour": "red"}, "colour"),
    ):
        status, err = api.post("/v1/branches", body, as_="adm-001")
        assert status == 400, (body, err)
        assert err["error"]["details"][0]["field"] == field
    status, err = api.get("/v1/branches?limit=0", as_="adm-001")
    assert status == 400 and err["error"]["details"][0]["field"] == "query.limit"


def test_branch_list_pages(api):
    for i in range(3):
        assert api.post("/v1/branches", {"branch_id": f"br-page{i}", "name": f"分部{i}"}, as_="adm-001")[0] == 201
    seen, token = [], None
    for _ in range(10):
        status, page = api.get("/v1/branches?limit=2" + (f"&next_token={token}" if token else ""), as_="adm-001")
        assert status == 200 and len(page["items"]) <= 2
        seen += [b["branch_id"] for b in page["items"]]
        token = page["next_token"]
        if not token:
            break
    assert {"br-page0", "br-page1", "br-page2", "br-pudong"} <= set(seen) and seen == sorted(seen)


def test_who_may_see_and_open_branches(api):
    assert api.get("/v1/branches/br-pudong", as_="sup-001")[0] == 200  # their own
    assert api.get("/v1/branches/br-haidian", as_="sup-001")[0] == 403
    assert api.get("/v1/branches/br-nowhere", as_="adm-001")[0] == 404
    for who in ("sup-001", "cm-001", "cba-001", "cbl-001"):
        assert api.get("/v1/branches", as_=who)[0] == 403
    for who in ("sup-001", "cmp-001", "cm-001"):
        assert api.post("/v1/branches", {"branch_id": "br-no", "name": "不行"}, as_=who)[0] == 403
