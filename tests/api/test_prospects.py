"""Intent clients through the API: registration, collisions, follow-ups, pool, reveal, conversion."""

from __future__ import annotations

import json
import threading

import pytest

from chalicelib import clock
from chalicelib.config import reset_settings

NOW = "2026-11-20T10:00:00+08:00"
PHONE = "13812345678"
ID_NUMBER = "11010519491231002X"  # valid check digit


def person(**overrides) -> dict:
    body = {
        "name": "张三丰",
        "phone": "+86 138-1234-5678",
        "class": "A",
        "source": "own_network",
        "outlet_id": "ot-icbc-lujiazui",
        "first_contact_on": "2026-11-19",
        "need": "想做基金定投",
        "note": "周末有空",
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


@pytest.fixture(autouse=True)
def frozen():
    with clock.freeze(NOW):
        yield


def register(api, as_="cm-001", **overrides):
    status, body = api.post("/v1/prospects", person(**overrides), as_=as_)
    assert status == 201, body
    return body


# --- registration ------------------------------------------------------------------------
def test_registration_masks_the_phone_and_stores_it_sealed(api):
    from chalicelib.storage import base, keys

    body = register(api, id_number=ID_NUMBER)
    assert body["phone"] == "138****5678" and body["id_number"] == "110***********002X"
    assert body["owner_id"] == "cm-001" and body["status"] == "active" and body["protected"] is True
    assert body["class"] == "A" and body["protected_until"] == "2026-11-27"
    assert body["first_contact_due"] == "2026-11-22" and body["next_follow_up"] == "2026-11-22"
    stored = base.get_item(**keys.prospect(body["prospect_id"]))
    assert PHONE not in json.dumps(stored, default=str) and ID_NUMBER not in json.dumps(stored, default=str)
    assert stored["phone_sealed"].startswith("v1:local:")


@pytest.mark.parametrize(
    "field,value",
    [
        ("phone", "12345"),
        ("phone", "23812345678"),
        ("id_number", "110105194912310021"),
        ("id_number", "1101051949"),
        ("class", "E"),
        ("source", "tv_ad"),
        ("first_contact_on", "yesterday"),
        ("name", ""),
    ],
)
def test_invalid_input_is_400_naming_the_field(api, field, value):
    status, body = api.post("/v1/prospects", person(**{field: value}), as_="cm-001")
    assert status == 400 and body["error"]["details"][0]["field"] == field


def test_missing_phone_is_400_naming_phone(api):
    data = person()
    del data["phone"]
    status, body = api.post("/v1/prospects", data, as_="cm-001")
    assert status == 400 and body["error"]["details"][0]["field"] == "phone"


def test_future_contact_date_and_foreign_outlet_are_refused(api):
    status, body = api.post("/v1/prospects", person(first_contact_on="2026-11-21"), as_="cm-001")
    assert status == 400 and body["error"]["details"][0]["field"] == "first_contact_on"
    status, body = api.post("/v1/prospects", person(outlet_id="ot-abc-zhongguancun"), as_="cm-001")
    assert status == 400 and body["error"]["details"][0]["field"] == "outlet_id"
    status, body = api.post("/v1/prospects", person(outlet_id="ot-nowhere"), as_="cm-001")
    assert status == 400 and body["error"]["details"][0]["field"] == "outlet_id"


@pytest.mark.parametrize("who", ["sup-001", "cba-001", "cmp-001", "adm-001", "sys-001"])
def test_only_client_managers_register(api, who):
    status, body = api.post("/v1/prospects", person(), as_=who)
    assert status == 403 and body["error"]["code"] == "forbidden"


def test_a_retried_submission_with_the_same_idempotency_key_is_not_a_collision(api):
    headers = {"Idempotency-Key": "form-submit-0001"}
    first = api.post("/v1/prospects", person(), as_="cm-001", headers=headers)
    again = api.post("/v1/prospects", person(), as_="cm-001", headers=headers)
    assert first == again and first[0] == 201
    status, body = api.get("/v1/collisions", as_="sup-001")
    assert status == 200 and body["items"] == []


# --- collisions (撞单) ---------------------------------------------------------------------
def test_second_claim_gets_409_saying_only_since_when_state_and_masked_owner(api):
    register(api, id_number=ID_NUMBER)
    status, body = api.post("/v1/prospects", person(phone="138 1234 5678", name="张三", need="买房"), as_="cm-002")
    assert status == 409 and body["error"]["code"] == "already_registered"
    assert body["error"]["registration"] == {"registered_at": NOW, "state": "protected", "owner": "王**"}
    text = json.dumps(body, ensure_ascii=False)
    for secret in (
        PHONE,
        "138****5678",
        "5678",
        ID_NUMBER,
        "张三丰",
        "想做基金定投",
        "周末有空",
        "cm-001",
        "王晓明",
        "prospect_id",
        "ot-icbc-lujiazui",
    ):
        assert secret not in text


def test_the_id_number_alone_is_a_claim_too(api):
    register(api, id_number=ID_NUMBER)
    status, body = api.post("/v1/prospects", person(phone="13900000000", id_number=ID_NUMBER.lower()), as_="cm-002")
    assert status == 409
    _, collisions = api.get("/v1/collisions", as_="sup-001")
    assert collisions["items"][0]["matched_on"] == ["id_number"]


def test_collisions_are_recorded_and_listed_for_the_branch_supervisor_only(api):
    first = register(api)
    api.post("/v1/prospects", person(source="seminar"), as_="cm-002")
    status, body = api.get("/v1/collisions", as_="sup-001")
    assert status == 200 and len(body["items"]) == 1
    c = body["items"][0]
    assert c["prospect_id"] == first["prospect_id"] and c["attempted_by"] == "cm-002"
    assert c["existing_owner_id"] == "cm-001" and c["source"] == "seminar" and c["at"] == NOW
    assert api.get("/v1/collisions", as_="sup-101")[1]["items"] == []
    for who in ("cm-001", "cmp-001", "adm-001"):
        assert api.get("/v1/collisions", as_=who)[0] == 403


def test_concurrent_duplicate_registrations_yield_one_owner_and_one_collision(api, monkeypatch):
    """Both registrations are past every check when they reach DynamoDB; the first conditional write wins."""
    from chalicelib.auth import Principal
    from chalicelib.domain.prospects import registration
    from chalicelib.errors import Conflict
    from chalicelib.models.prospects import ProspectIn
    from chalicelib.storage import base
    from chalicelib.storage import prospects as repo
    from chalicelib.wiring import prospects

    barrier = threading.Barrier(2, timeout=10)
    serial = threading.Lock()  # DynamoDB serialises transactions on an item; moto's in-process backend does not
    original = base.transact

    def racing_transact(ops):
        barrier.wait()
        with serial:
            return original(ops)

    monkeypatch.setattr(base, "transact", racing_transact)
    results: dict[str, object] = {}

    def attempt(staff_id, name):
        who = Principal(kind="staff", id=staff_id, role="client_manager", branch_id="br-pudong", name=name)
        try:
            results[staff_id] = registration.register(prospects.deps(), who, ProspectIn.model_validate(person()))
        except Conflict as err:
            results[staff_id] = err

    threads = [threading.Thread(target=attempt, args=a) for a in (("cm-001", "王晓明"), ("cm-002", "李娜"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    winners = [r for r in results.values() if isinstance(r, dict)]
    losers = [r for r in results.values() if isinstance(r, Conflict)]
    assert len(winners) == 1 and len(losers) == 1
    assert losers[0].code == "already_registered"
    monkeypatch.setattr(base, "transact", original)
    claim = repo.get_claim(repo.PHONE, repo.phone_hash(PHONE))
    assert claim["prospect_id"] == winners[0]["prospect_id"]
    status, body = api.get("/v1/collisions", as_="sup-001")
    assert len(body["items"]) == 1
    assert body["items"][0]["existing_owner_id"] == winners[0]["owner_id"]
    assert body["items"][0]["attempted_by"] != winners[0]["owner_id"]


# --- listing and reading ------------------------------------------------------------------------
def test_my_prospects_soonest_follow_up_first_with_class_status_and_protection(api):
    later = register(api, phone="13800000001", first_contact_on="2026-11-20", **{"class": "B"})
    sooner = register(api, phone="13800000002", first_contact_on="2026-11-18", **{"class": "C"})
    register(api, as_="cm-002", phone="13800000003")
    status, body = api.get("/v1/prospects", as_="cm-001")
    assert status == 200
    assert [p["prospect_id"] for p in body["items"]] == [sooner["prospect_id"], later["prospect_id"]]
    top = body["items"][0]
    assert top["class"] == "C" and top["status"] == "active" and top["protected_until"] == "2026-12-20"
    assert top["next_follow_up"] == "2026-11-21" and top["phone"] == "138****0002"
    status, page1 = api.get("/v1/prospects?limit=1", as_="cm-001")
    assert len(page1["items"]) == 1 and page1["next_token"]
    status, page2 = api.get(f"/v1/prospects?limit=1&next_token={page1['next_token']}", as_="cm-001")
    assert page2["items"][0]["prospect_id"] == later["prospect_id"]


def test_overdue_first_contact_is_flagged(api):
    register(api, first_contact_on="2026-11-10")
    _, body = api.get("/v1/prospects", as_="cm-001")
    assert body["items"][0]["first_contact_overdue"] is True


def test_list_role_checks(api):
    register(api)
    assert api.get("/v1/prospects?owner_id=cm-002", as_="cm-001")[0] == 403
    status, body = api.get("/v1/prospects?owner_id=cm-001", as_="sup-001")
    assert status == 200 and len(body["items"]) == 1
    status, body = api.get("/v1/prospects", as_="sup-001")
    assert status == 400 and body["error"]["details"][0]["field"] == "query.owner_id"
    assert api.get("/v1/prospects?owner_id=cm-001", as_="sup-101")[0] == 403
    for who in ("cba-001", "cmp-001", "adm-001", "sys-001"):
        assert api.get("/v1/prospects", as_=who)[0] == 403


def test_read_one_owner_and_branch_supervisor_only(api):
    p = register(api)
    status, body = api.get(f"/v1/prospects/{p['prospect_id']}", as_="cm-001")
    assert status == 200 and body["phone"] == "138****5678" and body["follow_ups"] == []
    assert api.get(f"/v1/prospects/{p['prospect_id']}", as_="sup-001")[0] == 200
    assert api.get(f"/v1/prospects/{p['prospect_id']}", as_="cm-002")[0] == 404
    assert api.get(f"/v1/prospects/{p['prospect_id']}", as_="sup-101")[0] == 404
    assert api.get(f"/v1/prospects/{p['prospect_id']}", as_="cmp-001")[0] == 403
    assert api.get("/v1/prospects/nope", as_="cm-001")[0] == 404


# --- follow-ups ------------------------------------------------------------------------------------
FOLLOW_UP = {
    "channel": "phone",
    "summary": "介绍了基金定投",
    "client_need": "稳健",
    "next_step": "下周面谈",
    "next_date": "2026-11-25",
}


def test_follow_up_extends_protection_sets_next_date_and_may_change_class(api):
    p = register(api)
    with clock.freeze("2026-11-24T09:00:00+08:00"):
        status, fu = api.post(
            f"/v1/prospects/{p['prospect_id']}/follow-ups", {**FOLLOW_UP, "class_change": "B"}, as_="cm-001"
        )
        assert status == 201 and fu["by"] == "cm-001" and fu["class_change"] == "B"
        status, body = api.get(f"/v1/prospects/{p['prospect_id']}", as_="cm-001")
    assert body["class"] == "B" and body["protected_until"] == "2026-12-09"
    assert body["next_follow_up"] == "2026-11-25" and body["follow_up_count"] == 1
    assert body["follow_ups"][0]["summary"] == "介绍了基金定投"


def test_follow_up_rules_and_roles(api):
    p = register(api)
    url = f"/v1/prospects/{p['prospect_id']}/follow-ups"
    status, body = api.post(url, {**FOLLOW_UP, "next_date": "2026-11-19"}, as_="cm-001")
    assert status == 400 and body["error"]["details"][0]["field"] == "next_date"
    status, body = api.post(url, {**FOLLOW_UP, "channel": "pigeon"}, as_="cm-001")
    assert status == 400 and body["error"]["details"][0]["field"] == "channel"
    assert api.post(url, FOLLOW_UP, as_="cm-002")[0] == 404
    assert api.post(url, FOLLOW_UP, as_="sup-001")[0] == 403
    assert api.post(url, FOLLOW_UP, as_="cmp-001")[0] == 403


# --- the pool -----------------------------------------------------------------------------------
def _release(day: str):
    from chalicelib.domain.prospects import pool
    from chalicelib.wiring import prospects

    with clock.freeze(f"{day}T01:00:00+08:00"):
        return pool.release_lapsed(prospects.deps())


def test_pool_lists_masked_and_a_branch_manager_claims_it(api):
    p = register(api)
    assert _release("2026-11-29")["released"] == 1
    with clock.freeze("2026-11-29T09:00:00+08:00"):
        status, pool = api.get("/v1/prospects/pool", as_="cm-002")
        assert status == 200
        item = pool["items"][0]
        assert item == {
            "prospect_id": p["prospect_id"],
            "name": "张**",
            "phone": "138****5678",
            "class": "A",
            "source": "own_network",
            "outlet_id": "ot-icbc-lujiazui",
            "need": "想做基金定投",
            "released_at": "2026-11-29T01:00:00+08:00",
        }
        assert api.get("/v1/prospects/pool", as_="cm-101")[1]["items"] == []
        assert api.get("/v1/prospects/pool", as_="sup-001")[0] == 200
        assert api.get("/v1/prospects/pool", as_="cmp-001")[0] == 403
        # A collision now says it is in the pool, with no owner.
        status, body = api.post("/v1/prospects", person(), as_="cm-002")
        assert status == 409 and body["error"]["registration"]["state"] == "pool"
        assert body["error"]["registration"]["owner"] is None
        assert api.post(f"/v1/prospects/{p['prospect_id']}/claim", as_="cm-101")[0] == 404
        assert api.post(f"/v1/prospects/{p['prospect_id']}/claim", as_="sup-001")[0] == 403
        status, body = api.post(f"/v1/prospects/{p['prospect_id']}/claim", as_="cm-002")
        assert status == 200 and body["owner_id"] == "cm-002" and body["protected_until"] == "2026-12-06"
        assert body["next_follow_up"] == "2026-12-02"
        status, body = api.post(f"/v1/prospects/{p['prospect_id']}/claim", as_="cm-001")
        assert status == 409
        assert api.get("/v1/prospects/pool", as_="cm-002")[1]["items"] == []


def test_previous_owner_cannot_reclaim_until_the_block_ends(api):
    p = register(api)
    _release("2026-11-29")
    url = f"/v1/prospects/{p['prospect_id']}/claim"
    with clock.freeze("2026-12-28T09:00:00+08:00"):
        status, body = api.post(url, as_="cm-001")
        assert status == 422 and "2026-12-29" in body["error"]["message"]
    with clock.freeze("2026-12-29T09:00:00+08:00"):
        assert api.post(url, as_="cm-001")[0] == 200


def test_daily_pick_limit(api, monkeypatch):
    monkeypatch.setenv("FIELDDESK_POOL_DAILY_PICK_LIMIT", "1")
    reset_settings()
    ids = [register(api, phone=f"1380000000{i}")["prospect_id"] for i in range(3)]
    _release("2026-11-29")
    with clock.freeze("2026-11-29T09:00:00+08:00"):
        assert api.post(f"/v1/prospects/{ids[0]}/claim", as_="cm-002")[0] == 200
        status, body = api.post(f"/v1/prospects/{ids[1]}/claim", as_="cm-002")
        assert status == 422 and "limit" in body["error"]["message"]
    with clock.freeze("2026-11-30T09:00:00+08:00"):
        assert api.post(f"/v1/prospects/{ids[1]}/claim", as_="cm-002")[0] == 200


def test_supervisor_reassigns_between_branch_managers(api):
    p = register(api)
    url = f"/v1/prospects/{p['prospect_id']}/reassign"
    body = {"to_manager_id": "cm-002", "reason": "王晓明调岗"}
    assert api.post(url, body, as_="cm-001")[0] == 403
    assert api.post(url, body, as_="sup-101")[0] == 404
    status, err = api.post(url, {**body, "to_manager_id": "cm-101"}, as_="sup-001")
    assert status == 400 and err["error"]["details"][0]["field"] == "to_manager_id"
    status, err = api.post(url, {**body, "to_manager_id": "sup-002"}, as_="sup-001")
    assert status == 400
    status, out = api.post(url, body, as_="sup-001")
    assert status == 200 and out["owner_id"] == "cm-002"
    assert api.get(f"/v1/prospects/{p['prospect_id']}", as_="cm-001")[0] == 404
    assert [i["prospect_id"] for i in api.get("/v1/prospects", as_="cm-002")[1]["items"]] == [p["prospect_id"]]
    assert api.get("/v1/prospects", as_="cm-001")[1]["items"] == []
    assert api.post(url, body, as_="sup-001")[0] == 422


# --- reveal and audit ------------------------------------------------------------------------------
def test_reveal_returns_the_full_numbers_to_the_owner_and_is_audited(api):
    p = register(api, id_number=ID_NUMBER)
    url = f"/v1/prospects/{p['prospect_id']}/reveal"
    status, body = api.post(url, {"purpose": "follow_up", "reason": "回访前核对号码"}, as_="cm-001")
    assert status == 200 and body["phone"] == PHONE and body["id_number"] == ID_NUMBER
    status, body = api.post(
        url, {"purpose": "follow_up", "reason": "只看手机号码就好", "fields": ["phone"]}, as_="cm-001"
    )
    assert status == 200 and "id_number" not in {k for k, v in body.items() if v}
    status, audit = api.get("/v1/audit/reveals?month=2026-11", as_="cmp-001")
    assert status == 200 and len(audit["items"]) == 2
    # Both reveals carry the same frozen time, so their order in the list is not defined.
    record = next(r for r in audit["items"] if r["reason"] == "回访前核对号码")
    assert record["actor_id"] == "cm-001" and record["subject_id"] == p["prospect_id"]
    assert record["fields"] == ["phone", "id_number"]
    assert record["at"] == NOW
    assert PHONE not in json.dumps(audit)


def test_reveal_refusals_are_audited_and_bad_input_names_fields(api):
    p = register(api)
    url = f"/v1/prospects/{p['prospect_id']}/reveal"
    why = {"purpose": "follow_up", "reason": "看看这个号码是谁"}
    assert api.post(url, why, as_="cm-002")[0] == 404  # another manager's: answered as unknown, audited
    assert api.post(url, why, as_="sup-001")[0] == 403  # a role that never reveals: refused by the route
    status, body = api.post(url, {}, as_="cm-001")
    assert status == 400 and body["error"]["details"][0]["field"] == "purpose"
    status, body = api.post(url, {**why, "fields": ["salary"]}, as_="cm-001")
    assert status == 400 and body["error"]["details"][0]["field"].startswith("fields")
    items = api.get("/v1/audit/reveals?month=2026-11", as_="cmp-001")[1]["items"]
    assert [(i["actor_id"], i["outcome"], i["fields"]) for i in items] == [("cm-002", "refused", [])]


def test_audit_list_is_for_compliance_paginated_and_validates_month(api):
    p = register(api)
    for i in range(3):
        api.post(
            f"/v1/prospects/{p['prospect_id']}/reveal",
            {"purpose": "follow_up", "reason": f"跟进前核对号码 {i}"},
            as_="cm-001",
        )
    status, page1 = api.get("/v1/audit/reveals?month=2026-11&limit=2", as_="cmp-001")
    assert status == 200 and len(page1["items"]) == 2 and page1["next_token"]
    status, page2 = api.get(f"/v1/audit/reveals?month=2026-11&limit=2&next_token={page1['next_token']}", as_="cmp-001")
    assert len(page2["items"]) == 1
    status, body = api.get("/v1/audit/reveals?month=2026-13", as_="cmp-001")
    assert status == 400 and body["error"]["details"][0]["field"] == "query.month"
    for who in ("cm-001", "sup-001", "adm-001", "cba-001"):
        assert api.get("/v1/audit/reveals?month=2026-11", as_=who)[0] == 403


# --- conversion ------------------------------------------------------------------------------------
def _open_account(account_id, phone=None, id_number=None, opened_on="2026-11-25", serving="cm-001"):
    from chalicelib.domain.conversion import on_account_opened
    from chalicelib.storage.prospects import id_hash, phone_hash

    return on_account_opened(
        account_id=account_id,
        branch_id="br-pudong",
        opened_on=opened_on,
        phone_hash=phone_hash(phone) if phone else None,
        id_hash=id_hash(id_number) if id_number else None,
        serving_manager_id=serving,
    )


def test_conversion_attributes_the_account_and_the_report_flags_multiple_claimants(api):
    from chalicelib.domain.prospects.registration import manager_month_counts
    from chalicelib.wiring import prospects

    p = register(api, id_number=ID_NUMBER)
    register(api, phone="13800000009", outlet_id=None)
    api.post("/v1/prospects", person(), as_="cm-002")  # collision: cm-002 also lays claim
    record = _open_account("A-1001", phone=PHONE)
    assert record["prospect_id"] == p["prospect_id"] and record["manager_id"] == "cm-001"
    assert record["outlet_id"] == "ot-icbc-lujiazui" and record["claimants"] == ["cm-001", "cm-002"]
    assert _open_account("A-1001", phone=PHONE) == record  # replay: same record
    assert _open_account("A-1002", id_number=ID_NUMBER) is None  # second account of a converted prospect
    assert _open_account("A-1003", phone="13999999999") is None  # not a prospect
    second = _open_account("A-1004", phone="13800000009", opened_on="2026-11-26", serving="cm-002")
    assert second["multi_claimed"] is False and second["serving_manager_differs"] is True
    _, body = api.get(f"/v1/prospects/{p['prospect_id']}", as_="cm-001")
    assert body["status"] == "converted" and body["converted_account_id"] == "A-1001"
    status, report = api.get("/v1/reports/conversions?month=2026-11", as_="sup-001")
    assert status == 200 and report["total"] == 2
    assert report["by_manager"] == {"cm-001": 2} and report["by_outlet"] == {"ot-icbc-lujiazui": 1}
    assert report["multi_claimed"] == [
        {
            "account_id": "A-1001",
            "prospect_id": p["prospect_id"],
            "owner_id": "cm-001",
            "claimants": ["cm-001", "cm-002"],
            "opened_on": "2026-11-25",
        }
    ]
    assert api.get("/v1/reports/conversions?month=2026-10", as_="sup-001")[1]["total"] == 0
    assert manager_month_counts(prospects.deps(), "cm-001", "2026-11") == {"registered": 2, "converted": 2}
    assert manager_month_counts(prospects.deps(), "cm-002", "2026-11") == {"registered": 0, "converted": 0}


def test_conversion_by_id_number_and_report_roles(api):
    p = register(api, id_number=ID_NUMBER)
    assert _open_account("A-2001", id_number=ID_NUMBER)["prospect_id"] == p["prospect_id"]
    assert api.get("/v1/reports/conversions?month=2026-11&branch_id=br-haidian", as_="sup-001")[0] == 403
    status, report = api.get("/v1/reports/conversions?month=2026-11&branch_id=br-pudong", as_="adm-001")
    assert status == 200 and report["total"] == 1
    assert api.get("/v1/reports/conversions?month=2026-11", as_="sup-101")[1]["total"] == 0
    status, body = api.get("/v1/reports/conversions?month=11-2026", as_="sup-001")
    assert status == 400 and body["error"]["details"][0]["field"] == "query.month"
    for who in ("cm-001", "cmp-001", "cba-001"):
        assert api.get("/v1/reports/conversions?month=2026-11", as_=who)[0] == 403
    status, body = api.post(f"/v1/prospects/{p['prospect_id']}/follow-ups", FOLLOW_UP, as_="cm-001")
    assert status == 422


# --- logs ------------------------------------------------------------------------------------------
def test_nothing_about_prospects_reaches_the_logs(api):
    """Checked with a formatter that does NOT redact: the code itself must never log client data."""
    import io
    import logging

    from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter

    from chalicelib.observability import logger

    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(LambdaPowertoolsFormatter())
    logger.addHandler(handler)
    logger.setLevel("DEBUG")
    try:
        p = register(api, id_number=ID_NUMBER)
        api.post("/v1/prospects", person(), as_="cm-002")
        api.post(
            f"/v1/prospects/{p['prospect_id']}/reveal",
            {"purpose": "follow_up", "reason": "跟进前核对号码"},
            as_="cm-001",
        )
        api.post(f"/v1/prospects/{p['prospect_id']}/follow-ups", FOLLOW_UP, as_="cm-001")
        api.post("/v1/prospects", person(phone="bad"), as_="cm-001")
        _open_account("A-9", phone=PHONE)
    finally:
        logger.setLevel("INFO")
        logger.removeHandler(handler)
    logs = buffer.getvalue()
    assert "prospect registered" in logs and "prospect converted" in logs  # logging was on
    for secret in (PHONE, ID_NUMBER, "张三丰", "想做基金定投", "5678"):
        assert secret not in logs


# --- no oracle, a quota (issue 16 §7) ----------------------------------------------------------------
def test_another_branchs_manager_learns_only_already_registered(api):
    register(api)
    status, same_branch = api.post("/v1/prospects", person(), as_="cm-002")
    assert status == 409 and same_branch["error"]["registration"]["state"]  # 撞单: the branch sees state
    status, other_branch = api.post("/v1/prospects", person(outlet_id=None), as_="cm-101")
    assert status == 409 and other_branch["error"]["code"] == "already_registered"
    assert "registration" not in other_branch["error"] and "王" not in json.dumps(other_branch)
    # The owning branch's supervisor sees the attempt.
    status, collisions = api.get("/v1/collisions", as_="sup-001")
    assert "cm-101" in [c["attempted_by"] for c in collisions["items"]]


def test_registrations_per_manager_per_day_are_capped(api, monkeypatch):
    from chalicelib.config import reset_settings

    monkeypatch.setenv("FIELDDESK_REGISTRATIONS_PER_MANAGER_PER_DAY", "3")
    reset_settings()
    phones = [f"1391234{i:04d}" for i in range(4)]
    answers = [api.post("/v1/prospects", person(phone=p), as_="cm-001") for p in phones]
    assert [s for s, _ in answers] == [201, 201, 201, 429]
    assert answers[-1][1]["error"]["code"] == "registration_quota_exhausted"
    # The refused one locked nothing: another manager registers that number.
    assert api.post("/v1/prospects", person(phone=phones[-1]), as_="cm-002")[0] == 201


def test_another_branchs_manager_registers_a_prospect_from_a_branch_pool(api, monkeypatch):
    # 004 "未备案的信息谁先备案算谁的": a lapsed prospect is nobody's; the first to register it, in any branch,
    # owns it (issue 19 §9). Both supervisors see the collision; the attempting branch sees no details.
    p = register(api)
    assert _release("2026-11-29")["released"] == 1
    with clock.freeze("2026-11-29T09:00:00+08:00"):
        status, body = api.post("/v1/prospects", person(outlet_id=None, first_contact_on="2026-11-29"), as_="cm-101")
        assert status == 201 and body["prospect_id"] == p["prospect_id"] and body["owner_id"] == "cm-101"
        assert body["branch_id"] == "br-haidian"
        assert api.get(f"/v1/prospects/{p['prospect_id']}", as_="cm-101")[0] == 200
        assert api.get("/v1/prospects/pool", as_="cm-002")[1]["items"] == []
        ours = api.get("/v1/collisions", as_="sup-001")[1]["items"]
        theirs = api.get("/v1/collisions", as_="sup-101")[1]["items"]
        assert [c["attempted_by"] for c in ours] == [c["attempted_by"] for c in theirs] == ["cm-101"]
        assert theirs[0]["prospect_id"] is None and theirs[0]["cross_branch"] is True
        # Now owned and protected in br-haidian: the first branch's manager hears "already registered" only.
        status, body = api.post("/v1/prospects", person(), as_="cm-002")
        assert status == 409 and "registration" not in body["error"]


def test_cross_branch_pool_claims_can_be_turned_off(api, monkeypatch):
    from chalicelib.config import reset_settings

    monkeypatch.setenv("FIELDDESK_CROSS_BRANCH_POOL_CLAIMS", "false")
    reset_settings()
    register(api)
    assert _release("2026-11-29")["released"] == 1
    with clock.freeze("2026-11-29T09:00:00+08:00"):
        status, body = api.post("/v1/prospects", person(outlet_id=None, first_contact_on="2026-11-29"), as_="cm-101")
        assert status == 409
