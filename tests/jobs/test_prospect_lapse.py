"""The daily lapse job: releases claims not followed up in time, reading only the buckets that fell due."""

from __future__ import annotations

import pytest

from chalicelib import clock
from chalicelib.domain.prospects import pool
from chalicelib.storage import prospects as repo
from chalicelib.wiring import prospects

REGISTERED = "2026-11-20T10:00:00+08:00"


def register(api, phone, klass, as_="cm-001"):
    body = {
        "name": "钱七",
        "phone": phone,
        "class": klass,
        "source": "own_network",
        "first_contact_on": "2026-11-20",
        "need": "了解港股通",
    }
    with clock.freeze(REGISTERED):
        status, out = api.post("/v1/prospects", body, as_=as_)
    assert status == 201, out
    return out["prospect_id"]


def run(day: str) -> dict:
    with clock.freeze(f"{day}T01:00:00+08:00"):
        return pool.release_lapsed(prospects.deps())


def status_of(prospect_id: str) -> str:
    return repo.get_prospect(prospect_id)["status"]


@pytest.fixture
def bucket_reads(monkeypatch):
    days: list[str] = []
    original = repo.lapsing_on

    def recording(day):
        days.append(str(day))
        return original(day)

    monkeypatch.setattr(repo, "lapsing_on", recording)
    return days


def test_each_class_lapses_after_its_protection_days_and_d_at_once(api):
    a, b, c, d = (register(api, f"1360000000{i}", k) for i, k in enumerate("ABCD"))
    run("2026-11-21")
    assert [status_of(p) for p in (a, b, c, d)] == ["active", "active", "active", "pool"]
    run("2026-11-27")  # A is protected through 11-27 (7 days without a follow-up)
    assert status_of(a) == "active"
    run("2026-11-28")
    assert status_of(a) == "pool" and status_of(b) == "active"
    run("2026-12-06")  # B: through 12-05
    assert status_of(b) == "pool" and status_of(c) == "active"
    run("2026-12-21")  # C: through 12-20
    assert status_of(c) == "pool"


def test_a_follow_up_keeps_the_claim_protected(api):
    p = register(api, "13600000001", "A")
    with clock.freeze("2026-11-26T15:00:00+08:00"):
        status, _ = api.post(f"/v1/prospects/{p}/follow-ups", {"channel": "visit", "summary": "上门拜访"}, as_="cm-001")
        assert status == 201
    run("2026-11-28")
    assert status_of(p) == "active"
    run("2026-12-04")
    assert status_of(p) == "pool"


def test_released_claims_leave_the_owner_list_and_join_the_pool(api):
    p = register(api, "13600000001", "A")
    assert run("2026-11-28")["released"] == 1
    with clock.freeze("2026-11-28T09:00:00+08:00"):
        assert api.get("/v1/prospects", as_="cm-001")[1]["items"] == []
        assert [i["prospect_id"] for i in api.get("/v1/prospects/pool", as_="cm-001")[1]["items"]] == [p]
    record = repo.get_prospect(p)
    assert record["previous_owners"] == {"cm-001": "2026-11-28"} and "owner_id" not in record


def test_reads_only_the_due_buckets_and_catches_up_missed_days_from_the_watermark(api, bucket_reads):
    a = register(api, "13600000001", "A")
    b = register(api, "13600000002", "B")
    run("2026-11-21")
    bucket_reads.clear()
    run("2026-11-22")
    assert bucket_reads == ["2026-11-21"]
    bucket_reads.clear()
    # The job missed 11-23 .. 11-30: the next run reads every bucket since the watermark, once.
    result = run("2026-12-01")
    assert bucket_reads == [f"2026-11-{d}" for d in range(22, 31)]
    assert result == {"from": "2026-11-22", "through": "2026-11-30", "released": 1}
    assert status_of(a) == "pool" and status_of(b) == "active"
    bucket_reads.clear()
    assert run("2026-12-01")["released"] == 0 and bucket_reads == []  # a re-run reads nothing
    run("2026-12-06")
    assert status_of(b) == "pool"


def test_a_stale_index_entry_does_not_release_a_claim_followed_up_meanwhile(api, monkeypatch):
    p = register(api, "13600000001", "A")
    stale = repo.get_prospect(p)
    with clock.freeze("2026-11-27T15:00:00+08:00"):
        api.post(f"/v1/prospects/{p}/follow-ups", {"channel": "phone", "summary": "电话回访"}, as_="cm-001")
    monkeypatch.setattr(repo, "lapsing_on", lambda day: [stale] if day == "2026-11-27" else [])
    assert run("2026-11-28")["released"] == 0
    assert status_of(p) == "active"


def test_the_scheduled_handler_runs_the_job(api):
    from chalice.test import Client

    from app import app

    register(api, "13600000001", "D")
    with Client(app) as client, clock.freeze("2026-11-21T01:00:00+08:00"):
        response = client.lambda_.invoke(
            "release_lapsed_prospects",
            client.events.generate_cw_event(
                source="aws.events", detail_type="Scheduled Event", detail={}, resources=[]
            ),
        )
    assert response.payload["released"] == 1


def test_the_schedule_is_01_00_shanghai():
    from app import app

    handlers = [h for h in app.event_sources if getattr(h, "name", "") == "release_lapsed_prospects"]
    assert handlers and str(handlers[0].schedule_expression.to_string()) == "cron(0 17 * * ? *)"
