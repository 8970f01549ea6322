"""Month-end declarations 月末开户申报 from the user's side (000 第一篇 第十三条 "月末开户报表出现几人同时申报一个
客户者,查清原因,对冒充者处以每户200元的罚款"): managers declare, the supervisor sees each account declared by
several managers or against attribution, with FALSE_CLAIM at hand, and nothing of another branch."""

from __future__ import annotations

import json

import pytest

from chalicelib import clock
from chalicelib.storage import base, keys
from tests.factories.tasks import make_account

NOW = "2026-11-28T10:00:00+08:00"


@pytest.fixture
def book(api):
    with clock.freeze(NOW):
        make_account("A1", opened_on="2026-11-19")  # served by cm-001
        make_account("A2", serving_manager_id="cm-002", opened_on="2026-11-20")
        make_account("A3", serving_manager_id="cm-002", opened_on="2026-11-21")
        # A3 was opened for cm-001's registered prospect: the conversion attributes it to cm-001.
        base.put(
            {
                **keys.conversion("A3"),
                "account_id": "A3",
                "prospect_id": "p-1",
                "branch_id": "br-pudong",
                "manager_id": "cm-001",
                "opened_on": "2026-11-21",
                "converted_on": "2026-11-21",
            }
        )
        make_account("A4", opened_on="2026-10-15")  # opened last month
        make_account("H1", branch_id="br-haidian", serving_manager_id="cm-101", opened_on="2026-11-19")
        yield


def declare(api, ids, as_="cm-001", month="2026-11", **extra):
    return api.post("/v1/declarations", {"month": month, "account_ids": ids, **extra}, as_=as_)


def declared(api, ids, **kw):
    status, body = declare(api, ids, **kw)
    assert status == 200, body
    return body


def field_of(body):
    return body["error"]["details"][0]["field"]


def test_a_manager_declares_the_months_openings_and_sees_which_are_the_branchs(api, book):
    body = declared(api, ["A1", "A4", "H1", "ZZ9"], note="11月开户")
    assert body["manager_id"] == "cm-001" and body["revision"] == 1 and body["closed"] is False
    assert body["editable_until"] == "2026-12-05T23:59:59+08:00"
    shown = {a["account_id"]: a for a in body["accounts"]}
    assert shown["A1"] == {"account_id": "A1", "found": True, "opened_on": "2026-11-19", "opened_in_month": True}
    assert shown["A4"]["opened_in_month"] is False
    # Another branch's account reads exactly like an unknown one.
    assert (
        {k: v for k, v in shown["H1"].items() if k != "account_id"}
        == {k: v for k, v in shown["ZZ9"].items() if k != "account_id"}
        == {"found": False, "opened_on": None, "opened_in_month": None}
    )
    status, mine = api.get("/v1/declarations?month=2026-11", as_="cm-001")
    assert status == 200 and [d["manager_id"] for d in mine["items"]] == ["cm-001"]
    assert api.get("/v1/declarations?month=2026-11", as_="cm-002")[1]["items"] == []
    assert api.get("/v1/declarations?month=2026-11&manager_id=cm-002", as_="cm-001")[0] == 403


def test_the_list_is_replaced_until_the_deadline_and_each_change_is_kept(api, book):
    declared(api, ["A1", "A4"])
    again = declared(api, ["A1", "A4"])  # the same list: no new revision
    assert again["revision"] == 1
    changed = declared(api, ["A1", "A3"])
    assert changed["revision"] == 2 and changed["account_ids"] == ["A1", "A3"]
    assert changed["history"][-1]["added"] == ["A3"] and changed["history"][-1]["removed"] == ["A4"]
    with clock.freeze("2026-12-05T23:00:00+08:00"):
        assert declare(api, ["A1"])[0] == 200
    with clock.freeze("2026-12-06T00:00:01+08:00"):
        status, body = declare(api, ["A1", "A2"])
        assert status == 422 and field_of(body) == "month"
        assert api.get("/v1/declarations?month=2026-11", as_="cm-001")[1]["items"][0]["closed"] is True


def test_the_supervisor_closes_the_month_early_and_it_stays_closed(api, book):
    declared(api, ["A1"])
    with clock.freeze("2026-12-02T09:00:00+08:00"):
        assert api.post("/v1/declarations/close", {"month": "2026-12"}, as_="sup-001")[0] == 200  # December begun
        assert api.post("/v1/declarations/close", {"month": "2027-01"}, as_="sup-001")[0] == 400
        status, closed = api.post("/v1/declarations/close", {"month": "2026-11"}, as_="sup-001")
        assert status == 200 and closed["closed_by"] == "sup-001" and closed["closed_at"] == "2026-12-02T09:00:00+08:00"
        again = api.post("/v1/declarations/close", {"month": "2026-11"}, as_="sup-002")[1]
        assert again["closed_by"] == "sup-001"  # the first closure stands
        status, body = declare(api, ["A1", "A2"])
        assert status == 422 and field_of(body) == "month"
        mine = api.get("/v1/declarations?month=2026-11", as_="cm-001")[1]["items"][0]
        assert mine["closed"] is True and mine["editable_until"] == "2026-12-02T09:00:00+08:00"
        assert mine["account_ids"] == ["A1"]
        assert api.get("/v1/declarations/conflicts?month=2026-11", as_="sup-001")[1]["closed"] is True
        # Another branch's month stays open.
        assert declare(api, ["H1"], as_="cm-101")[0] == 200
    assert api.post("/v1/declarations/close", {"month": "2026-11"}, as_="cm-001")[0] == 403
    with clock.freeze("2026-12-07T09:00:00+08:00"):
        status, body = api.post("/v1/declarations/close", {"month": "2026-10"}, as_="sup-101")
        assert status == 422 and field_of(body) == "month"  # past its deadline already


def test_a_closure_between_the_read_and_the_write_stores_nothing(api, book, monkeypatch):
    from chalicelib.storage import declarations as repo

    original = repo.closure
    monkeypatch.setattr(repo, "closure", lambda b, m: None)  # the manager's read saw the month open
    repo.close(
        {"branch_id": "br-pudong", "month": "2026-11", "closed_by": "sup-001", "closed_at": "2026-11-28T09:59:00+08:00"}
    )
    with clock.freeze(NOW):
        status, body = declare(api, ["A1"])
    assert status == 422 and field_of(body) == "month"
    monkeypatch.setattr(repo, "closure", original)
    assert repo.get("cm-001", "2026-11") is None


@pytest.mark.parametrize(
    "body,field",
    [
        ({"month": "2026-12", "account_ids": ["A1"]}, "month"),  # a month not yet begun
        ({"month": "2026-13", "account_ids": ["A1"]}, "month"),
        ({"month": "2026-11", "account_ids": ["A1", "A1"]}, "account_ids.1"),
        ({"month": "2026-11", "account_ids": ["A 1"]}, "account_ids.0"),
        ({"month": "2026-11"}, "account_ids"),
        ({"month": "2026-11", "account_ids": [], "manager_id": "cm-002"}, "manager_id"),
    ],
)
def test_bad_declarations_are_400s_naming_the_field(api, book, body, field):
    status, answer = api.post("/v1/declarations", body, as_="cm-001")
    assert status == 400 and field_of(answer) == field, answer


def test_the_supervisor_sees_double_and_false_declarations_with_the_false_claim_rule(api, book):
    declared(api, ["A1", "A3", "A4", "H1", "ZZ9"])
    declared(api, ["A1", "A2", "A3"], as_="cm-002")
    status, report = api.get("/v1/declarations/conflicts?month=2026-11", as_="sup-001")
    assert status == 200, report
    assert report["declarations"] == 2 and report["accounts_declared"] == 6
    found = {c["account_id"]: c for c in report["conflicts"]}
    assert sorted(found) == ["A1", "A3", "A4", "H1", "ZZ9"]  # A2: cm-002's own, declared once
    assert found["A1"]["kinds"] == ["declared_by_several", "attributed_to_other"]
    assert found["A1"]["declared_by"] == ["cm-001", "cm-002"] and found["A1"]["attributed_to"] == "cm-001"
    assert found["A1"]["attribution"] == "serving_manager" and found["A1"]["not_attributed"] == ["cm-002"]
    # The feed's serving manager is cm-002, but the conversion gives A3 to cm-001 who registered the client.
    assert found["A3"]["attributed_to"] == "cm-001" and found["A3"]["attribution"] == "conversion"
    assert found["A3"]["not_attributed"] == ["cm-002"]
    assert found["A4"]["kinds"] == ["opened_other_month"]
    assert found["H1"]["kinds"] == ["not_found"] and found["H1"]["attributed_to"] is None
    assert {k: v for k, v in found["H1"].items() if k != "account_id"} == {
        k: v for k, v in found["ZZ9"].items() if k != "account_id"
    }
    assert "cm-101" not in json.dumps(report) and "br-haidian" not in json.dumps(report)
    assert report["candidates"] == [
        {"manager_id": "cm-002", "account_ids": ["A1", "A3"], "occurrences": 2, "yuan_if_confirmed": "400"}
    ]
    assert report["rule"]["code"] == "FALSE_CLAIM" and report["rule"]["amount"] == "200"
    assert report["rule"]["kind"] == "fixed_yuan"
    # The supervisor lists both declarations; the other branch's supervisor sees none of them.
    assert len(api.get("/v1/declarations?month=2026-11", as_="sup-001")[1]["items"]) == 2
    other = api.get("/v1/declarations/conflicts?month=2026-11", as_="sup-101")[1]
    assert other["conflicts"] == [] and other["declarations"] == 0
    assert api.get("/v1/declarations/conflicts?month=2026-11&branch_id=br-haidian", as_="sup-001")[0] == 403


def test_an_account_declared_twice_but_attributed_to_nobody_names_both(api, book):
    make_account("A5", serving_manager_id=None, opened_on="2026-11-22")
    declared(api, ["A5"])
    declared(api, ["A5"], as_="cm-002")
    report = api.get("/v1/declarations/conflicts?month=2026-11", as_="sup-001")[1]
    (conflict,) = report["conflicts"]
    assert conflict["kinds"] == ["declared_by_several"] and conflict["attribution"] == "none"
    assert [c["manager_id"] for c in report["candidates"]] == ["cm-001", "cm-002"]


def test_who_compares_declarations(api, book):
    assert api.get("/v1/declarations/conflicts?month=2026-11", as_="cm-001")[0] == 403
    status, body = api.get("/v1/declarations/conflicts?month=2026-11", as_="cmp-001")
    assert status == 400 and field_of(body) == "query.branch_id"
    assert api.get("/v1/declarations/conflicts?month=2026-11&branch_id=br-pudong", as_="cmp-001")[0] == 200
    status, body = api.get("/v1/declarations/conflicts?month=11-2026", as_="sup-001")
    assert status == 400 and field_of(body) == "query.month"
