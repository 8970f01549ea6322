"""Every date a request carries is bounded (models/common.py BoundedDate): far dates are a 400 naming
the field, never a 500 (issue 14 item 5)."""

from __future__ import annotations

import pytest

from chalicelib import clock
from tests.factories.accounts import opened, trade


@pytest.fixture(autouse=True)
def frozen():
    with clock.freeze("2026-11-20T10:00:00+08:00"):
        yield


def fields(body) -> list[str]:
    return [d["field"] for d in body["error"]["details"]]


@pytest.mark.parametrize("day", ["9999-12-31", "2101-01-01", "1900-01-01"])
def test_a_trade_date_out_of_range_is_refused_naming_the_field_and_the_batch_goes_on(api, day):
    status, body = api.post(
        "/v1/account-events",
        {"events": [opened("ac-1"), trade("ac-1", day), trade("ac-1", "2026-11-19")]},
        as_="sys-001",
    )
    assert status == 200
    assert [r["status"] for r in body["results"]] == ["accepted", "rejected", "accepted"]
    assert body["results"][1]["details"][0]["field"] == "trade_date"
    assert "between 1990-12-19 and 2100-12-31" in body["results"][1]["reason"]


def test_the_range_ends_are_accepted(api):
    status, body = api.post(
        "/v1/account-events", {"events": [opened("ac-1", on="1990-12-19"), trade("ac-1", "2100-12-31")]}, as_="sys-001"
    )
    assert [r["status"] for r in body["results"]] == ["accepted", "accepted"], body


def test_an_event_time_far_in_the_future_is_refused(api):
    event = opened("ac-1")
    event["opened_at"] = "9999-12-31T23:59:59+08:00"
    _, body = api.post("/v1/account-events", {"events": [event]}, as_="sys-001")
    assert body["results"][0]["status"] == "rejected" and body["results"][0]["details"][0]["field"] == "opened_at"


@pytest.mark.parametrize(
    "path,field",
    [
        ("/v1/visits/activity?from=9999-12-25&to=9999-12-31&manager_id=cm-001", "query.from"),
        ("/v1/visits/activity?from=2026-11-01&to=9999-12-31&manager_id=cm-001", "query.to"),
        ("/v1/visits?from=0001-01-01", "query.from"),
        ("/v1/reports/coverage?opened_from=9999-12-01&opened_to=9999-12-31", "query.opened_from"),
        ("/v1/reports/coverage?opened_from=2026-10-01&opened_to=9999-12-31", "query.opened_to"),
        ("/v1/reports/coverage.csv?opened_from=0001-01-01&opened_to=0001-01-31", "query.opened_from"),
    ],
)
def test_far_dates_on_report_queries_are_400_naming_the_parameter(api, path, field):
    status, body = api.get(path, as_="cmp-001" if "coverage" in path else "sup-001")
    assert status == 400, body
    assert field in fields(body), body


def test_far_dates_in_bodies_are_400_naming_the_field(api):
    status, body = api.post(
        "/v1/penalties",
        {"manager_id": "cm-001", "rule_code": "DRESS", "breach_date": "9999-12-31", "evidence_note": "x"},
        as_="sup-001",
    )
    assert status == 400 and "breach_date" in fields(body), body
    status, body = api.post(
        "/v1/visits",
        {
            "kind": "on_site",
            "visited_at": "9999-12-31T10:00:00+08:00",
            "unit_name": "某公司",
            "person_met": "李总",
            "discussed": "两融",
            "outcome": "x",
            "clients_count": 1,
        },
        as_="cm-001",
    )
    assert status == 400 and "visited_at" in fields(body), body
    status, body = api.post(
        "/v1/prospects",
        {
            "name": "王五",
            "phone": "13912345678",
            "class": "A",
            "source": "own_network",
            "first_contact_on": "9999-12-31",
            "need": "基金",
        },
        as_="cm-001",
    )
    assert status == 400 and "first_contact_on" in fields(body), body
