"""Partner outlets: API keys (issue, rotate, revoke) and referrals, isolated per outlet."""

from __future__ import annotations

import json

import pytest

from chalicelib import clock

NOW = "2026-11-20T10:00:00+08:00"
REFERRAL = {"name": "赵六", "phone": "139 0000 1111", "need": "开户炒股", "referrer_name": "柜员小李"}


@pytest.fixture(autouse=True)
def frozen():
    with clock.freeze(NOW):
        yield


def issue(api, outlet_id="ot-icbc-lujiazui", **body):
    status, out = api.post(f"/v1/outlets/{outlet_id}/api-keys", body or {"label": "main"}, as_="adm-001")
    assert status == 201, out
    return out


def refer(api, key, **overrides):
    return api.post("/v1/partner/referrals", {**REFERRAL, **overrides}, api_key=key["api_key"])


# --- keys --------------------------------------------------------------------------------
def test_key_is_shown_once_and_stored_only_as_a_hash(api):
    from chalicelib.auth import hash_api_secret
    from chalicelib.storage import base, keys

    key = issue(api)
    assert key["api_key"].startswith(f"fdk_{key['key_id']}.") and key["status"] == "active"
    secret = key["api_key"].split(".", 1)[1]
    stored = base.get_item(**keys.api_key(key["key_id"]))
    assert secret not in json.dumps(stored) and stored["secret_hash"] == hash_api_secret(secret)
    status, listing = api.get("/v1/outlets/ot-icbc-lujiazui/api-keys", as_="adm-001")
    assert status == 200 and [k["key_id"] for k in listing["items"]] == [key["key_id"]]
    assert secret not in json.dumps(listing) and "secret_hash" not in json.dumps(listing)
    assert "api_key" not in listing["items"][0]


def test_rotation_keeps_two_active_keys_until_the_old_one_is_revoked(api):
    old = issue(api)
    status, body = api.post("/v1/outlets/ot-icbc-lujiazui/api-keys", {"replaces": "nope"}, as_="adm-001")
    assert status == 400 and body["error"]["details"][0]["field"] == "replaces"
    new = issue(api, replaces=old["key_id"], label="rotation")
    assert new["replaces"] == old["key_id"]
    assert refer(api, old)[0] == 201
    assert refer(api, new, phone="13900002222")[0] == 201
    status, body = api.post("/v1/outlets/ot-icbc-lujiazui/api-keys", {"label": "third"}, as_="adm-001")
    assert status == 409
    status, revoked = api.post(f"/v1/outlets/ot-icbc-lujiazui/api-keys/{old['key_id']}/revoke", as_="adm-001")
    assert status == 200 and revoked["status"] == "revoked" and revoked["revoked_at"] == NOW
    status, body = refer(api, old, phone="13900003333")
    assert status == 401 and body["error"]["code"] == "unauthenticated"
    assert refer(api, new, phone="13900003333")[0] == 201
    # Revoking again is harmless and frees no second slot.
    assert api.post(f"/v1/outlets/ot-icbc-lujiazui/api-keys/{old['key_id']}/revoke", as_="adm-001")[0] == 200
    issue(api, label="next rotation")
    assert api.post("/v1/outlets/ot-icbc-lujiazui/api-keys", {}, as_="adm-001")[0] == 409


def test_bad_keys_are_401(api):
    key = issue(api)
    key_id = key["key_id"]
    for raw in (
        f"fdk_{key_id}.wrong-secret",
        "not-a-key",
        f"fdk_unknown.{key['api_key'].split('.', 1)[1]}",
        key["api_key"].replace("fdk_", ""),
    ):
        status, body = api.get("/v1/partner/referrals", api_key=raw)
        assert status == 401


def test_key_routes_are_admin_only_and_check_the_outlet(api):
    key = issue(api)
    for who in ("cm-001", "sup-001", "cmp-001", "sys-001"):
        assert api.post("/v1/outlets/ot-icbc-lujiazui/api-keys", {}, as_=who)[0] == 403
        assert api.get("/v1/outlets/ot-icbc-lujiazui/api-keys", as_=who)[0] == 403
        assert api.post(f"/v1/outlets/ot-icbc-lujiazui/api-keys/{key['key_id']}/revoke", as_=who)[0] == 403
    assert api.post("/v1/outlets/ot-icbc-lujiazui/api-keys", {}, api_key=key["api_key"])[0] == 403
    assert api.post("/v1/outlets/ot-nowhere/api-keys", {}, as_="adm-001")[0] == 404
    assert api.get("/v1/outlets/ot-nowhere/api-keys", as_="adm-001")[0] == 404
    # A key cannot be revoked through another outlet's path.
    assert api.post(f"/v1/outlets/ot-ccb-zhangjiang/api-keys/{key['key_id']}/revoke", as_="adm-001")[0] == 404


# --- referrals ----------------------------------------------------------------------------
def test_referral_is_owned_by_the_stationed_manager_and_attributed_to_the_outlet(api):
    key = issue(api)
    status, ref = refer(api, key, referrer_employee_no="ICBC-0042")
    assert status == 201
    assert ref["name"] == "赵*" and ref["phone"] == "139****1111" and ref["status"] == "registered"
    assert ref["referrer_name"] == "柜员小李" and ref["referrer_employee_no"] == "ICBC-0042"
    status, mine = api.get("/v1/prospects", as_="cm-001")  # cm-001 is stationed at ot-icbc-lujiazui
    p = mine["items"][0]
    assert p["prospect_id"] == ref["referral_id"] and p["source"] == "outlet_referral"
    assert p["outlet_id"] == "ot-icbc-lujiazui" and p["class"] == "C" and p["first_contact_due"] == "2026-11-23"


def test_referral_without_a_stationed_manager_goes_to_the_branch_pool(api):
    key = issue(api, outlet_id="ot-boc-jinqiao")
    status, ref = refer(api, key, **{"class": "A"})
    assert status == 201 and ref["status"] == "registered"  # never held, so not lapsed
    status, pool = api.get("/v1/prospects/pool", as_="cm-002")
    assert [i["prospect_id"] for i in pool["items"]] == [ref["referral_id"]]
    assert pool["items"][0]["class"] == "A"


def test_referral_of_a_registered_person_reveals_nothing_but_already_registered(api):
    api.post(
        "/v1/prospects",
        {
            "name": "赵六六",
            "phone": "13900001111",
            "class": "A",
            "source": "seminar",
            "first_contact_on": "2026-11-20",
            "need": "大额理财",
        },
        as_="cm-002",
    )
    key = issue(api)
    status, body = refer(api, key)
    assert status == 409
    assert body == {"error": {"code": "already_registered", "message": "already registered", "details": []}}
    status, collisions = api.get("/v1/collisions", as_="sup-001")
    c = collisions["items"][0]
    assert c["attempted_by"] == "ot-icbc-lujiazui" and c["attempted_by_kind"] == "outlet"
    assert c["existing_owner_id"] == "cm-002" and c["source"] == "outlet_referral"


def test_referral_validation_names_the_field(api):
    key = issue(api)
    status, body = refer(api, key, phone="555")
    assert status == 400 and body["error"]["details"][0]["field"] == "phone"
    data = {k: v for k, v in REFERRAL.items() if k != "referrer_name"}
    status, body = api.post("/v1/partner/referrals", data, api_key=key["api_key"])
    assert status == 400 and "referrer" in body["error"]["message"]
    status, body = refer(api, key, id_number="110105194912310021")
    assert status == 400 and body["error"]["details"][0]["field"] == "id_number"
    status, body = refer(api, key, owner_id="cm-002")
    assert status == 400 and body["error"]["details"][0]["field"] == "owner_id"


def test_outlets_are_isolated_and_never_reach_staff_routes(api):
    a = issue(api)
    b = issue(api, outlet_id="ot-ccb-zhangjiang")
    _, ref_a = refer(api, a)
    _, ref_b = refer(api, b, phone="13900009999")
    status, list_a = api.get("/v1/partner/referrals", api_key=a["api_key"])
    assert status == 200 and [r["referral_id"] for r in list_a["items"]] == [ref_a["referral_id"]]
    status, list_b = api.get("/v1/partner/referrals", api_key=b["api_key"])
    assert [r["referral_id"] for r in list_b["items"]] == [ref_b["referral_id"]]
    assert api.get(f"/v1/partner/referrals/{ref_b['referral_id']}", api_key=a["api_key"])[0] == 404
    assert api.get(f"/v1/partner/referrals/{ref_a['referral_id']}", api_key=a["api_key"])[0] == 200
    for method, path in (
        ("GET", "/v1/prospects"),
        ("GET", "/v1/prospects/pool"),
        ("GET", "/v1/me"),
        ("GET", f"/v1/prospects/{ref_a['referral_id']}"),
        ("GET", "/v1/collisions"),
        ("GET", "/v1/staff"),
        ("GET", "/v1/reports/conversions?month=2026-11"),
        ("GET", "/v1/audit/reveals?month=2026-11"),
        ("POST", f"/v1/prospects/{ref_a['referral_id']}/reveal"),
        ("POST", f"/v1/prospects/{ref_a['referral_id']}/claim"),
    ):
        status, body = api.call(method, path, {"purpose": "xxxx"} if method == "POST" else None, api_key=a["api_key"])
        assert status == 403, path
    # Staff may not use the partner routes either.
    assert api.post("/v1/partner/referrals", REFERRAL, as_="cm-001")[0] == 403
    assert api.get("/v1/partner/referrals", as_="adm-001")[0] == 403
    # A token minted for one outlet's list cannot page another's.
    status, page = api.get("/v1/partner/referrals?limit=1", api_key=a["api_key"])
    refer(api, a, phone="13900008888")
    status, page = api.get("/v1/partner/referrals?limit=1", api_key=a["api_key"])
    assert page["next_token"]
    status, body = api.get(f"/v1/partner/referrals?limit=1&next_token={page['next_token']}", api_key=b["api_key"])
    assert status == 400


def test_referral_status_follows_the_prospect(api):
    from chalicelib.domain.conversion import on_account_opened
    from chalicelib.domain.prospects import pool
    from chalicelib.storage.prospects import phone_hash
    from chalicelib.wiring import prospects

    key = issue(api)
    _, first = refer(api, key, **{"class": "A"})
    _, second = refer(api, key, phone="13900002222", **{"class": "A"})
    api.post(
        f"/v1/prospects/{first['referral_id']}/follow-ups", {"channel": "phone", "summary": "已联系"}, as_="cm-001"
    )
    on_account_opened(
        account_id="A-77",
        branch_id="br-pudong",
        opened_on="2026-11-21",
        phone_hash=phone_hash("13900001111"),
        id_hash=None,
        serving_manager_id="cm-001",
    )
    with clock.freeze("2026-11-28T01:00:00+08:00"):
        pool.release_lapsed(prospects.deps())
    statuses = {
        r["referral_id"]: r["status"] for r in api.get("/v1/partner/referrals", api_key=key["api_key"])[1]["items"]
    }
    assert statuses == {first["referral_id"]: "converted", second["referral_id"]: "lapsed"}
    _, report = api.get("/v1/reports/conversions?month=2026-11", as_="sup-001")
    assert report["by_outlet"] == {"ot-icbc-lujiazui": 1} and report["by_manager"] == {"cm-001": 1}


def test_demo_data_seeds_prospects_and_a_local_only_outlet_key(api, monkeypatch):
    from chalicelib.config import reset_settings
    from infra.demo.prospects import DEMO_OUTLET_API_KEY
    from infra.demo.prospects import seed as seed_prospects

    seed_prospects()
    assert api.get("/v1/partner/referrals", api_key=DEMO_OUTLET_API_KEY)[0] == 401  # test stage: no demo key
    monkeypatch.setenv("FIELDDESK_STAGE", "local")
    reset_settings()
    seed_prospects()
    seed_prospects()  # idempotent: no duplicates, no collisions
    assert len(api.get("/v1/prospects", as_="cm-001")[1]["items"]) == 3
    assert len(api.get("/v1/prospects", as_="cm-002")[1]["items"]) == 2
    assert api.get("/v1/collisions", as_="sup-001")[1]["items"] == []
    assert api.get("/v1/partner/referrals", api_key=DEMO_OUTLET_API_KEY)[0] == 200


def test_revoking_a_key_the_counter_never_counted_still_revokes_it(api):
    """A key written outside the issuing transaction (as the demo seeder's once was) must still be revocable."""
    from chalicelib import clock
    from chalicelib.auth import hash_api_secret
    from chalicelib.storage import directory

    directory.put_api_key(
        {
            "key_id": "uncounted1",
            "outlet_id": "ot-ccb-zhangjiang",
            "branch_id": "br-pudong",
            "status": "active",
            "secret_hash": hash_api_secret("s3cret-value"),
            "label": "legacy",
            "created_at": clock.iso(clock.now()),
        }
    )
    key = "fdk_uncounted1.s3cret-value"
    assert api.get("/v1/partner/referrals", api_key=key)[0] == 200
    status, body = api.post("/v1/outlets/ot-ccb-zhangjiang/api-keys/uncounted1/revoke", as_="adm-001")
    assert status == 200 and body["status"] == "revoked"
    assert api.get("/v1/partner/referrals", api_key=key)[0] == 401


def test_issued_keys_join_the_outlet_usage_plan_and_leave_it_when_revoked(api, monkeypatch):
    """In AWS the gateway meters each outlet: a key is registered with the usage plan when issued."""
    import boto3

    from chalicelib.config import reset_settings

    gw = boto3.client("apigateway", region_name="us-east-1")
    rest = gw.create_rest_api(name="fielddesk")
    plan = gw.create_usage_plan(name="outlets", throttle={"rateLimit": 5, "burstLimit": 10})
    monkeypatch.setenv("FIELDDESK_OUTLET_USAGE_PLAN_ID", plan["id"])
    reset_settings()
    assert rest["id"]
    status, issued = api.post("/v1/outlets/ot-ccb-zhangjiang/api-keys", {"label": "柜台系统"}, as_="adm-001")
    assert status == 201
    plan_keys = gw.get_usage_plan_keys(usagePlanId=plan["id"])["items"]
    assert len(plan_keys) == 1 and plan_keys[0]["value"] == issued["api_key"]
    status, _ = api.post(f"/v1/outlets/ot-ccb-zhangjiang/api-keys/{issued['key_id']}/revoke", as_="adm-001")
    assert status == 200
    assert gw.get_usage_plan_keys(usagePlanId=plan["id"])["items"] == []
    assert api.get("/v1/partner/referrals", api_key=issued["api_key"])[0] == 401


def test_a_key_the_gateway_refuses_is_not_issued(api, monkeypatch):
    from botocore.exceptions import ClientError

    from chalicelib.config import reset_settings
    from chalicelib.storage import gateway_keys

    deleted = []

    class RefusingGateway:
        def create_api_key(self, **kwargs):
            return {"id": "gw-1"}

        def create_usage_plan_key(self, **kwargs):
            raise ClientError({"Error": {"Code": "NotFoundException", "Message": "no such plan"}}, "CreateUsagePlanKey")

        def delete_api_key(self, apiKey):
            deleted.append(apiKey)

    monkeypatch.setattr(gateway_keys, "apigateway_client", lambda: RefusingGateway())
    monkeypatch.setenv("FIELDDESK_OUTLET_USAGE_PLAN_ID", "plan-1")
    reset_settings()
    status, body = api.post("/v1/outlets/ot-ccb-zhangjiang/api-keys", {"label": "x"}, as_="adm-001")
    assert status == 503 and "api_key" not in json.dumps(body)
    assert deleted == ["gw-1"]
    status, keys = api.get("/v1/outlets/ot-ccb-zhangjiang/api-keys", as_="adm-001")
    assert keys["items"] and all(k["status"] == "revoked" for k in keys["items"])


# --- closing an outlet (issue 16: its keys kept working for reads and new referrals) -------------
OUTLET = "ot-icbc-lujiazui"


def test_closing_an_outlet_stops_its_keys_at_once_for_reads_and_referrals(api):
    key = issue(api)
    assert refer(api, key)[0] == 201
    assert api.get("/v1/partner/referrals", api_key=key["api_key"])[0] == 200
    status, body = api.patch(f"/v1/outlets/{OUTLET}", {"status": "closed"}, as_="adm-001")
    assert status == 200 and body["status"] == "closed"
    status, body = api.get("/v1/partner/referrals", api_key=key["api_key"])
    assert status == 401 and body["error"]["code"] == "unauthenticated"
    status, body = refer(api, key, phone="13900004444")
    assert status == 401 and body["error"]["code"] == "unauthenticated"
    # Revoked with the closure, in the same transaction; no new key for a closed outlet.
    listing = api.get(f"/v1/outlets/{OUTLET}/api-keys", as_="adm-001")[1]["items"]
    assert [(k["key_id"], k["status"], k["revoked_at"]) for k in listing] == [(key["key_id"], "revoked", NOW)]
    status, _ = api.post(f"/v1/outlets/{OUTLET}/api-keys", {"label": "again"}, as_="adm-001")
    assert status == 422
    # Reopening does not bring the old key back; a new key works and fits the emptied slots.
    assert api.patch(f"/v1/outlets/{OUTLET}", {"status": "active"}, as_="adm-001")[0] == 200
    assert refer(api, key, phone="13900005555")[0] == 401
    fresh, second = issue(api), issue(api, label="second")
    assert refer(api, fresh, phone="13900005555")[0] == 201 and refer(api, second, phone="13900006666")[0] == 201


def _closed_elsewhere(outlet_id: str) -> None:
    """Another container closed the outlet, and its key listing (an index) did not show the key yet:
    the outlet item says closed, the key item still says active, this container's cache says open."""
    from chalicelib.storage import base
    from chalicelib.storage import directory as directory_repo

    assert directory_repo.get_outlet(outlet_id)["status"] == "active"  # cached here for 60 s
    record = {**directory_repo.read_outlet(outlet_id), "status": "closed"}
    base.put(directory_repo.outlet_item(record))
    assert directory_repo.get_outlet(outlet_id)["status"] == "active"  # still, in this container


def test_a_key_the_closure_did_not_revoke_is_refused_by_the_outlets_status(api):
    key = issue(api)
    assert api.get("/v1/partner/referrals", api_key=key["api_key"])[0] == 200
    _closed_elsewhere(OUTLET)
    status, body = api.get("/v1/partner/referrals", api_key=key["api_key"])
    assert status == 401 and "closed" in body["error"]["message"]
    assert refer(api, key, phone="13900004444")[0] == 401


def test_no_key_is_issued_for_an_outlet_closed_in_another_container(api):
    _closed_elsewhere(OUTLET)
    status, body = api.post(f"/v1/outlets/{OUTLET}/api-keys", {"label": "late"}, as_="adm-001")
    assert status == 422 and "closed" in body["error"]["message"]
    assert api.get(f"/v1/outlets/{OUTLET}/api-keys", as_="adm-001")[1]["items"] == []
