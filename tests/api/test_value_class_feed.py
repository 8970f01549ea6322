"""Client value classes from the core system's feed (issue 19 §4; 002 第十九条 分类管理: A/B/C by share of
volume), by API event and by CSV row; the contact plan follows the feed, and a supervisor's manual class
holds until the feed's class changes after it."""

from __future__ import annotations

import pytest

from chalicelib import clock
from chalicelib.storage import base, keys
from tests.api.test_account_feed import CORE_FEED_BUCKET, object_created
from tests.factories.accounts import opened

FEED = "/v1/account-events"
_n = iter(range(1, 10_000))


def classified(account_id, value_class, at):
    return {
        "type": "value_class_changed",
        "event_id": f"vc-{next(_n)}",
        "account_id": account_id,
        "value_class": value_class,
        "classified_at": at,
    }


@pytest.fixture
def book(api):
    with clock.freeze("2026-11-02T09:00:00+08:00"):
        status, body = api.post(FEED, {"events": [opened("ka", on="2026-11-02", n=1)]}, as_="sys-001")
        assert status == 200 and body["accepted"] == 1, body
    with clock.freeze("2026-11-20T16:00:00+08:00"):
        yield


def feed(api, *events):
    status, body = api.post(FEED, {"events": list(events)}, as_="sys-001")
    assert status == 200, body
    return body


def account(api):
    status, body = api.get("/v1/accounts/ka", as_="sup-001")
    assert status == 200, body
    return body["value_class"], body["value_class_source"]


def planned(api):
    status, body = api.get("/v1/contact-plan", as_="cm-001")
    assert status == 200, body
    return [i["account_id"] for i in body["items"]]


def changes(account_id="ka"):
    items = base.query_all(keys.account(account_id)["pk"], sk_begins="CLASS#")
    return [(i["source"], i["value_class"], i.get("previous_class")) for i in sorted(items, key=lambda i: i["sk"])]


def test_the_feed_classes_a_client_and_the_contact_plan_follows(api, book):
    assert planned(api) == []
    assert feed(api, classified("ka", "A", "2026-11-19T18:00:00+08:00"))["accepted"] == 1
    assert account(api) == ("A", "feed") and planned(api) == ["ka"]
    feed(api, classified("ka", "C", "2026-11-20T08:00:00+08:00"))
    assert account(api) == ("C", "feed") and planned(api) == []  # C: 减少管理, not planned
    assert changes() == [("feed", "A", None), ("feed", "C", "A")]


def test_an_older_classification_arriving_late_never_undoes_a_newer_one(api, book):
    feed(api, classified("ka", "B", "2026-11-19T18:00:00+08:00"))
    feed(api, classified("ka", "A", "2026-11-18T18:00:00+08:00"))  # yesterday's file, late
    assert account(api) == ("B", "feed")


def test_a_manual_class_holds_until_the_feed_changes_the_class_after_it(api, book):
    feed(api, classified("ka", "A", "2026-11-19T18:00:00+08:00"))
    status, body = api.put(
        "/v1/accounts/ka/value-class", {"value_class": "B", "reason": "客户资产已大部分转出"}, as_="sup-001"
    )
    assert status == 200, body
    with clock.freeze("2026-11-21T08:00:00+08:00"):
        # A change dated before the manual setting (a late file) does not replace it.
        feed(api, classified("ka", "C", "2026-11-20T15:00:00+08:00"))
        assert account(api) == ("B", "supervisor")
        # The nightly file restates C: not a change of the feed's class, the supervisor's B stands.
        feed(api, classified("ka", "C", "2026-11-20T18:00:00+08:00"))
        assert account(api) == ("B", "supervisor")
    # The feed's class changes after the manual setting: the feed wins again.
    with clock.freeze("2026-11-22T08:00:00+08:00"):
        feed(api, classified("ka", "A", "2026-11-21T18:00:00+08:00"))
        assert account(api) == ("A", "feed")
    assert [c[:2] for c in changes()] == [("feed", "A"), ("supervisor", "B"), ("feed", "A")]


def test_a_bad_class_is_rejected_naming_the_field_and_a_redelivery_is_a_duplicate(api, book):
    body = feed(api, {**classified("ka", "A", "2026-11-19T18:00:00+08:00"), "value_class": "D"})
    assert body["rejected"] == 1 and body["results"][0]["details"][0]["field"] == "value_class"
    event = classified("ka", "A", "2026-11-19T18:00:00+08:00")
    assert feed(api, event)["accepted"] == 1 and feed(api, event)["duplicate"] == 1
    assert changes() == [("feed", "A", None)]


def test_the_daily_csv_carries_value_classes(api, book, lambda_15_minutes):
    import boto3
    from chalice.test import Client

    from app import app

    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket=CORE_FEED_BUCKET)
    body = (
        "event_id,type,account_id,value_class,classified_at\n"
        "vc-csv-1,value_class_changed,ka,A,2026-11-19T18:00:00+08:00\n"
        "vc-csv-2,value_class_changed,ka,E,2026-11-19T18:00:00+08:00\n"
    )
    s3.put_object(Bucket=CORE_FEED_BUCKET, Key="core/2026-11-20.csv", Body=body.encode())
    with Client(app) as client:
        result = client.lambda_.invoke(
            "import_account_file", object_created(CORE_FEED_BUCKET, "core/2026-11-20.csv")
        ).payload
    assert (result["rows"], result["accepted"], result["rejected"]) == (2, 1, 1)
    assert account(api) == ("A", "feed")
