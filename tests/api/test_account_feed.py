"""The core system's account feed, from the caller's side."""

from __future__ import annotations

import logging

import pytest

from chalicelib import clock
from chalicelib.storage import base, keys
from tests.factories.accounts import closed, id_number, manager_changed, opened, phone, trade, transfer_in, transfer_out

FEED = "/v1/account-events"


@pytest.fixture(autouse=True)
def frozen():
    with clock.freeze("2026-11-20T10:00:00+08:00"):
        yield


def post(api, *events, **kw):
    return api.post(FEED, {"events": list(events)}, as_=kw.pop("as_", "sys-001"), **kw)


def raw_account(account_id):
    return base.get_item(**keys.account(account_id), consistent=True)


# --- roles --------------------------------------------------------------------------------
def test_system_role_feeds_events(api):
    status, body = post(api, opened("ac-1"))
    assert status == 200 and body["accepted"] == 1 and body["results"][0]["status"] == "accepted"


@pytest.mark.parametrize("who", ["cm-001", "sup-001", "cba-001", "cmp-001", "adm-001"])
def test_only_the_system_role_may_feed(api, who):
    status, body = post(api, opened("ac-1"), as_=who)
    assert status == 403 and body["error"]["code"] == "forbidden"


def test_feed_needs_credentials(api):
    status, _ = api.post(FEED, {"events": [opened("ac-1")]})
    assert status == 401


# --- batch-level validation ---------------------------------------------------------------
def test_more_than_500_events_is_a_400_naming_events(api):
    events = [trade(f"ac-{i}", "2026-11-19") for i in range(501)]
    status, body = post(api, *events)
    assert status == 400 and body["error"]["details"][0]["field"] == "events"


def test_empty_batch_and_missing_events_are_400(api):
    status, body = post(api)
    assert status == 400 and body["error"]["details"][0]["field"] == "events"
    status, body = api.post(FEED, {"evts": []}, as_="sys-001")
    assert status == 400


# --- per-event outcomes ---------------------------------------------------------------------
def test_one_bad_event_never_loses_the_good_ones(api):
    bad_phone = {**opened("ac-2", n=2), "phone": "12345"}
    unknown_type = {"type": "teleport", "event_id": "x-1", "account_id": "ac-3"}
    status, body = post(api, opened("ac-1"), bad_phone, "not an object", unknown_type, trade("ac-1", "2026-11-19"))
    assert status == 200
    assert [r["status"] for r in body["results"]] == ["accepted", "rejected", "rejected", "rejected", "accepted"]
    assert body["results"][1]["details"][0]["field"] == "phone"
    assert body["results"][1]["event_id"] == bad_phone["event_id"]
    assert body["results"][3]["details"][0]["field"] == "type"
    assert (body["accepted"], body["duplicate"], body["rejected"]) == (2, 0, 3)
    assert raw_account("ac-1")["last_trade_on"] == "2026-11-19"
    assert raw_account("ac-2") is None


@pytest.mark.parametrize(
    "field,value",
    [
        ("id_number", "310115199001000011"),
        ("opened_at", "2026-11-19T10:00:00"),
        ("tier", "platinum"),
        ("channel", "carrier_pigeon"),
    ],
)
def test_malformed_opening_is_rejected_naming_the_field(api, field, value):
    status, body = post(api, {**opened("ac-1"), field: value})
    assert status == 200 and body["results"][0]["status"] == "rejected"
    assert body["results"][0]["details"][0]["field"] == field


def test_closing_reason_must_come_from_the_attrition_list(api):
    status, body = post(api, opened("ac-1"), closed("ac-1", reason="bored"))
    assert body["results"][1]["status"] == "rejected" and body["results"][1]["details"][0]["field"] == "reason"
    status, body = post(api, closed("ac-1", reason="commission_rate"))
    assert body["results"][0]["status"] == "accepted"


def test_money_is_decimal_to_the_fen_not_float(api):
    status, body = post(
        api,
        opened("ac-1"),
        transfer_out("ac-1", "100.001", "500.00"),
        transfer_out("ac-1", "-5", "500.00"),
        transfer_in("ac-1", "1000.50", "0.00"),
    )
    assert [r["status"] for r in body["results"]] == ["accepted", "rejected", "rejected", "accepted"]
    assert body["results"][1]["details"][0]["field"] == "amount"
    status, acct = api.get("/v1/accounts/ac-1", as_="adm-001")
    assert acct["assets"] == "1000.50"


def test_redelivered_event_is_a_duplicate_and_changes_nothing(api):
    first = opened("ac-1", event_id="evt-open-1")
    post(api, first, trade("ac-1", "2026-11-18", event_id="evt-t1"))
    before = raw_account("ac-1")
    status, body = post(api, first, trade("ac-1", "2026-11-18", event_id="evt-t1"))
    assert [r["status"] for r in body["results"]] == ["duplicate", "duplicate"]
    assert body["duplicate"] == 2
    assert raw_account("ac-1")["version"] == before["version"]


def test_event_id_reused_for_different_content_is_rejected(api):
    post(api, opened("ac-1"), trade("ac-1", "2026-11-18", event_id="evt-t1"))
    status, body = post(api, trade("ac-1", "2026-11-19", event_id="evt-t1"))
    assert body["results"][0]["status"] == "rejected" and body["results"][0]["details"][0]["field"] == "event_id"
    assert raw_account("ac-1")["last_trade_on"] == "2026-11-18"


def test_second_opening_of_an_account_is_rejected(api):
    post(api, opened("ac-1"))
    status, body = post(api, opened("ac-1", n=9))
    assert body["results"][0]["status"] == "rejected" and "already opened" in body["results"][0]["reason"]


# --- out of order --------------------------------------------------------------------------
def test_last_trade_date_only_moves_forward(api):
    post(api, opened("ac-1", on="2026-01-05"), trade("ac-1", "2026-11-19"))
    status, body = post(api, trade("ac-1", "2026-11-10"))
    assert body["results"][0]["status"] == "accepted"
    item = raw_account("ac-1")
    assert item["last_trade_on"] == "2026-11-19"
    assert item["gsi4pk"].startswith("ACTIVE#2026-11-19#")


def test_late_manager_change_never_undoes_a_newer_one(api):
    post(
        api,
        opened("ac-1", on="2026-01-05", manager="cm-001"),
        manager_changed("ac-1", "cm-002", "2026-11-19T09:00:00+08:00"),
    )
    post(api, manager_changed("ac-1", "cm-001", "2026-06-01T09:00:00+08:00"))
    item = raw_account("ac-1")
    assert item["serving_manager_id"] == "cm-002" and item["gsi1pk"] == "MGR#cm-002#ACCOUNTS"


def test_events_before_the_opening_are_kept_and_merged(api):
    post(api, trade("ac-1", "2026-11-19"), manager_changed("ac-1", "cm-002", "2026-11-19T09:00:00+08:00"))
    stub = raw_account("ac-1")
    assert stub["status"] == "pending" and "gsi4pk" not in stub and "gsi6pk" not in stub
    post(api, opened("ac-1", on="2026-11-02", manager="cm-001"))
    item = raw_account("ac-1")
    assert item["status"] == "open" and item["serving_manager_id"] == "cm-002"
    assert item["last_trade_on"] == "2026-11-19" and item["gsi4pk"].startswith("ACTIVE#2026-11-19#")


def test_assets_follow_the_newest_transfer(api):
    post(api, opened("ac-1"), transfer_in("ac-1", "100.00", "900.00", at="2026-11-19T15:00:00+08:00"))
    post(api, transfer_out("ac-1", "50.00", "5000.00", at="2026-11-19T09:00:00+08:00"))
    status, acct = api.get("/v1/accounts/ac-1", as_="adm-001")
    assert acct["assets"] == "1000.00"


def test_closing_removes_activity_periodic_and_manager_indexes(api):
    post(api, opened("ac-1", tier="gold"), trade("ac-1", "2026-11-19"))
    item = raw_account("ac-1")
    assert {"gsi1pk", "gsi3pk", "gsi4pk", "gsi6pk"} <= set(item)
    post(api, closed("ac-1", on="2026-11-19"), trade("ac-1", "2026-11-20"))
    item = raw_account("ac-1")
    assert item["status"] == "closed" and item["close_reason"] == "competitor"
    assert not {"gsi1pk", "gsi4pk", "gsi6pk"} & set(item)
    assert item["gsi5pk"].startswith("CLOSED#2026-11-19#")


# --- large outflow threshold ----------------------------------------------------------------
@pytest.mark.parametrize(
    "amount,balance,large",
    [
        ("499999.99", "100000000.00", False),  # one fen under the yuan threshold
        ("500000.00", "100000000.00", True),  # exactly at it
        ("49.99", "100.00", False),  # one fen under half the assets
        ("50.00", "100.00", True),  # exactly half
    ],
)
def test_large_outflow_threshold_boundaries(api, amount, balance, large):
    post(api, opened("ac-1"), transfer_out("ac-1", amount, balance, event_id="evt-out"))
    item = base.get_item(**keys.transfer_out("ac-1", "2026-11-19T14:00:00+08:00", "evt-out"))
    assert item["large"] is large
    assert ("gsi3pk" in item) is large


# --- client data -------------------------------------------------------------------------------
def test_phone_and_id_are_sealed_hashed_and_masked(api, capsys):
    from chalicelib.storage import pii

    post(api, opened("ac-1", n=7))
    item = raw_account("ac-1")
    assert phone(7) not in str(item) and id_number(7) not in str(item)
    assert item["phone_hash"] == pii.phone_hash(phone(7))
    assert item["id_hash"] == pii.id_hash(id_number(7))
    status, acct = api.get("/v1/accounts/ac-1", as_="cm-001")
    assert status == 200 and acct["phone_masked"] == "139****0007"
    assert acct["id_number_masked"].startswith("310") and "*" in acct["id_number_masked"]
    assert phone(7) not in str(acct) and id_number(7) not in str(acct) and "张三丰" not in str(acct)
    assert "phone_sealed" not in acct and "phone_hash" not in acct
    out = capsys.readouterr()
    assert phone(7) not in out.out + out.err and id_number(7) not in out.out + out.err


def test_a_rejected_event_never_echoes_the_number(api):
    bad = {**opened("ac-1"), "id_number": "31011519900100001X"}
    status, body = post(api, bad)
    assert body["results"][0]["status"] == "rejected"
    assert "31011519900100001X" not in str(body)


def test_reveal_is_refused_to_managers_and_needs_a_purpose(api):
    # The reveal policy itself (who, for which work): tests/api/test_reveal_policy.py.
    post(api, opened("ac-1", n=7))
    status, _ = api.post(
        "/v1/accounts/ac-1/reveal", {"purpose": "callback", "reason": "核对客户号码回访"}, as_="cm-001"
    )
    assert status == 403
    status, body = api.post(
        "/v1/accounts/ac-1/reveal",
        {"purpose": "compliance_case", "reason": "投诉调查核对身份", "case_ref": "CASE-1"},
        as_="cmp-001",
    )
    assert status == 200 and body["phone"] == phone(7) and body["id_number"] == id_number(7)
    status, body = api.post("/v1/accounts/ac-1/reveal", {}, as_="cba-001")
    assert status == 400 and body["error"]["details"][0]["field"] == "purpose"


def test_account_visibility_by_role(api):
    post(api, opened("ac-1", manager="cm-001"), opened("ac-h", branch_id="br-haidian", manager="cm-101", n=2))
    assert api.get("/v1/accounts/ac-1", as_="cm-001")[0] == 200
    assert api.get("/v1/accounts/ac-1", as_="cm-002")[0] == 404
    assert api.get("/v1/accounts/ac-1", as_="cba-001")[0] == 200
    assert api.get("/v1/accounts/ac-h", as_="sup-001")[0] == 404
    assert api.get("/v1/accounts/ac-h", as_="cmp-001")[0] == 200
    assert api.get("/v1/accounts/ac-1", as_="sys-001")[0] == 403
    status, page = api.get("/v1/accounts", as_="cm-001")
    assert status == 200 and [a["account_id"] for a in page["items"]] == ["ac-1"]
    assert api.get("/v1/accounts?manager_id=cm-002", as_="cm-001")[0] == 403
    status, body = api.get("/v1/accounts", as_="adm-001")
    assert status == 400 and body["error"]["details"][0]["field"] == "query.manager_id"


def test_opening_calls_conversion_with_the_hashes(api, monkeypatch):
    from chalicelib.domain import conversion
    from chalicelib.storage import pii

    calls = []
    monkeypatch.setattr(conversion, "on_account_opened", lambda **kw: calls.append(kw))
    post(api, opened("ac-1", n=5, manager="cm-002"), trade("ac-1", "2026-11-19"))
    assert len(calls) == 1
    call = calls[0]
    assert call["phone_hash"] == pii.phone_hash(phone(5))
    assert call["id_hash"] == pii.id_hash(id_number(5))
    assert call["account_id"] == "ac-1" and call["serving_manager_id"] == "cm-002"
    assert str(call["opened_on"]) == "2026-11-19" and call["branch_id"] == "br-pudong"


def test_conversion_failure_never_loses_the_account(api, monkeypatch):
    from chalicelib.domain import conversion

    def boom(**kw):
        raise RuntimeError("conversion down")

    monkeypatch.setattr(conversion, "on_account_opened", boom)
    logging.disable(logging.CRITICAL)
    try:
        status, body = post(api, opened("ac-1"))
    finally:
        logging.disable(logging.NOTSET)
    assert body["results"][0]["status"] == "accepted" and raw_account("ac-1")["status"] == "open"


def test_idempotency_key_replays_the_first_answer(api):
    headers = {"Idempotency-Key": "feed-batch-0001"}
    event = opened("ac-1")
    status, first = post(api, event, headers=headers)
    status, again = post(api, event, headers=headers)
    assert first == again and again["accepted"] == 1


# --- the daily CSV file in S3 ------------------------------------------------------------------
CSV_HEADER = (
    "event_id,type,account_id,branch_id,client_name,phone,id_number,opened_at,channel,serving_manager_id,"
    "tier,trade_date,amount,balance_before,at,closed_at,reason\n"
)


CORE_FEED_BUCKET = "fielddesk-account-files"


def object_created(bucket: str, key: str) -> dict:
    """What EventBridge delivers for an S3 "Object Created" event."""
    return {
        "version": "0",
        "source": "aws.s3",
        "detail-type": "Object Created",
        "detail": {"bucket": {"name": bucket}, "object": {"key": key, "size": 1}},
    }


def test_a_file_that_is_not_csv_is_ignored(api):
    from chalice.test import Client

    from app import app

    with Client(app) as client:
        result = client.lambda_.invoke("import_account_file", object_created("b", "core/readme.txt")).payload
    assert result["status"] == "ignored"


def csv_body(rows: list[str]) -> bytes:
    return ("\ufeff" + CSV_HEADER + "".join(r + "\n" for r in rows)).encode()


def test_daily_csv_imports_good_rows_reports_bad_ones_and_never_twice(api, lambda_15_minutes):
    import boto3
    from chalice.test import Client

    from app import app

    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket=CORE_FEED_BUCKET)
    rows = [
        f"c-1,account_opened,ac-1,br-pudong,李四,{phone(1)},{id_number(1)},2026-11-19T10:00:00+08:00,"
        "bank_outlet_bulk,cm-001,gold,,,,,,",
        "c-2,trade_day,ac-1,,,,,,,,,2026-11-19,,,,,",
        "c-3,transfer_out,ac-1,,,,,,,,,,600000.00,700000.00,2026-11-19T14:00:00+08:00,,",
        "c-4,trade_day,ac-1,,,,,,,,,2026-13-45,,,,,",  # bad date
        f"c-5,account_opened,ac-2,br-pudong,王五,12345,{id_number(2)},2026-11-19T10:00:00+08:00,,,,,,,,,",  # bad phone
        "c-6,trade_day,ac-1,br-pudong,,,,,,,,2026-11-18,,,,,",  # a column its type has not
    ]
    s3.put_object(Bucket=CORE_FEED_BUCKET, Key="core/2026-11-19.csv", Body=csv_body(rows))
    with Client(app) as client:
        event = object_created(CORE_FEED_BUCKET, "core/2026-11-19.csv")
        result = client.lambda_.invoke("import_account_file", event).payload
    assert (result["rows"], result["accepted"], result["rejected"]) == (6, 3, 3)
    etag = s3.head_object(Bucket=CORE_FEED_BUCKET, Key="core/2026-11-19.csv")["ETag"]
    status, summary = api.get(
        f"/v1/account-imports?bucket={CORE_FEED_BUCKET}&key=core/2026-11-19.csv&etag=" f"{etag.strip(chr(34))}",
        as_="adm-001",
    )
    assert status == 200 and summary["status"] == "completed"
    errors = {e["row"]: e for e in summary["errors"]}
    assert set(errors) == {5, 6, 7}
    assert errors[5]["details"][0]["field"] == "trade_date"
    assert errors[6]["details"][0]["field"] == "phone" and "12345" not in str(summary)
    assert errors[7]["details"][0]["field"] == "branch_id"
    item = raw_account("ac-1")
    assert item["channel"] == "bank_outlet_bulk" and item["client_name"] == "李四"
    version = item["version"]

    # Re-delivered (same file): nothing is imported twice.
    with Client(app) as client:
        again = client.lambda_.invoke("import_account_file", event).payload
    assert again["status"] == "completed" and raw_account("ac-1")["version"] == version
    # Same key, new content (new etag): the old rows are duplicates, the new row is imported.
    s3.put_object(
        Bucket=CORE_FEED_BUCKET,
        Key="core/2026-11-19.csv",
        Body=csv_body(rows[:3] + ["c-7,trade_day,ac-1,,,,,,,,,2026-11-20,,,,,"]),
    )
    with Client(app) as client:
        third = client.lambda_.invoke("import_account_file", event).payload
    assert (third["accepted"], third["duplicate"]) == (1, 3)
    assert raw_account("ac-1")["last_trade_on"] == "2026-11-20"
    status, _ = api.get(f"/v1/account-imports?bucket={CORE_FEED_BUCKET}&key=nope&etag=x", as_="adm-001")
    assert status == 404
    status, _ = api.get(f"/v1/account-imports?bucket={CORE_FEED_BUCKET}&key=nope&etag=x", as_="cm-001")
    assert status == 403


def test_a_database_refusal_rejects_that_accounts_events_for_resending(api, monkeypatch):
    from chalicelib.errors import TooManyRequests
    from chalicelib.storage import accounts as repo

    real = repo.write_event

    def busy(record, state, version, transfer, *effects):
        if record["account_id"] == "ac-busy":
            raise TooManyRequests("the database is busy, retry shortly")
        return real(record, state, version, transfer, *effects)

    monkeypatch.setattr(repo, "write_event", busy)
    status, body = post(api, opened("ac-busy"), opened("ac-ok", n=2), trade("ac-busy", "2026-11-19"))
    assert status == 200
    assert [r["status"] for r in body["results"]] == ["rejected", "accepted", "rejected"]
    assert body["results"][0]["reason"].startswith("too_many_requests")


def test_a_conversion_that_failed_at_opening_is_retried_by_the_sweep_until_delivered(api, monkeypatch):
    from chalicelib.domain import conversion, outbox
    from chalicelib.jobs import sweeps
    from chalicelib.storage import outbox as outbox_repo

    real = conversion.on_account_opened
    calls = []

    def down(**kw):
        raise RuntimeError("conversion down")

    monkeypatch.setattr(conversion, "on_account_opened", down)
    logging.disable(logging.CRITICAL)
    try:
        status, body = post(api, opened("ac-9", n=5))
    finally:
        logging.disable(logging.NOTSET)
    assert body["results"][0]["status"] == "accepted"
    entry_id = outbox.entry("account.conversion", "ac-9", {})["entry_id"]
    assert outbox_repo.get(entry_id)["status"] == "pending"  # recorded with the opening, not lost

    monkeypatch.setattr(conversion, "on_account_opened", lambda **kw: calls.append(kw) or real(**kw))
    with clock.freeze("2026-11-21T12:00:00+08:00"):
        sweeps.run()
    assert len(calls) == 1 and calls[0]["account_id"] == "ac-9"
    assert outbox_repo.get(entry_id)["status"] == "delivered"
