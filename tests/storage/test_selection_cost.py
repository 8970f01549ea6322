"""Cost grows with the candidates, not the accounts.

The same 25 candidates among 100 and then 1,000 other accounts: the job must
read the same number of items and make the same number of requests, one write
request per task, and a re-run must write nothing. Counted on the botocore
clients themselves (after-call events), so nothing in the code under test can
hide a read.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from chalicelib import clock
from chalicelib.domain import selection_job

D = date(2026, 11, 19)
CANDIDATES = 25
WRITES = {"PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem"}


class Meter:
    def __init__(self):
        from chalicelib.storage.clients import dynamodb_client, dynamodb_resource

        self.items_read = 0
        self.requests: list[str] = []
        self.clients = [dynamodb_client(), dynamodb_resource().meta.client]
        self.queries: list[str] = []
        for client in self.clients:
            client.meta.events.register("after-call.dynamodb", self.record)
            client.meta.events.register("before-call.dynamodb.Query", self.query)

    def query(self, params, **kwargs):
        # Which partition each Query read: a failure then names the read that differs.
        import json as _json

        body = _json.loads(params.get("body") or b"{}")
        values = body.get("ExpressionAttributeValues") or {}
        self.queries.append(f"{body.get('IndexName', 'table')} {sorted(str(v) for v in values.values())[:2]}")

    def record(self, model, parsed, **kwargs):
        self.requests.append(model.name)
        if model.name in ("Query", "Scan"):
            self.items_read += parsed.get("ScannedCount", parsed.get("Count", 0))
        elif model.name == "GetItem":
            self.items_read += 1 if parsed.get("Item") else 0
        elif model.name == "BatchGetItem":
            self.items_read += sum(len(v) for v in parsed.get("Responses", {}).values())

    def close(self):
        for client in self.clients:
            client.meta.events.unregister("after-call.dynamodb", self.record)
            client.meta.events.unregister("before-call.dynamodb.Query", self.query)

    @property
    def writes(self) -> list[str]:
        return [r for r in self.requests if r in WRITES]


def reset_table():
    from chalicelib.config import get_settings
    from chalicelib.storage.clients import dynamodb_client
    from infra.demo_data import seed_directory
    from infra.tables import create_tables

    s = get_settings()
    dynamodb_client().delete_table(TableName=s.table_name)
    create_tables(dynamodb_client(), s.table_name, s.idempotency_table_name)
    seed_directory()


def measure(others: int) -> dict:
    from chalicelib.storage import cache
    from infra.bench_seed import seed_accounts

    reset_table()
    selected = seed_accounts(CANDIDATES + others, 0, D, candidates=CANDIDATES)
    # why: per-container caches expire on the wall clock (outlets 60 s, calendar 300 s); seeding
    # 1,000 accounts on a slow machine outlasts them and seeding 100 does not, so each run starts cold.
    cache.clear_all()
    with clock.freeze("2026-11-20T02:00:00+08:00"):
        meter = Meter()
        first = selection_job.run_date(D)
        meter.close()
        rerun_meter = Meter()
        again = selection_job.run_date(D)
        rerun_meter.close()
    return {
        "selected": selected,
        "first": first,
        "again": again,
        "reads": meter.items_read,
        "requests": len(meter.requests),
        "request_names": meter.requests + meter.queries,
        "writes": meter.writes,
        "rerun_reads": rerun_meter.items_read,
        "rerun_requests": len(rerun_meter.requests),
        "rerun_writes": rerun_meter.writes,
    }


def test_reads_and_requests_do_not_grow_with_the_table(directory, monkeypatch):
    # The 10% sample grows with the book by design (a tenth of it a year): bench/scheduler.py measures it.
    from chalicelib.config import reset_settings

    monkeypatch.setenv("FIELDDESK_SAMPLE_SELECTION", "false")
    reset_settings()
    small = measure(100)
    large = measure(1000)
    assert small["selected"] == large["selected"]
    for m in (small, large):
        assert m["first"].totals()["created"] == CANDIDATES
        # one put per task (and the run record's), one transaction adding to the agents' LOAD items (20 agents
        # each) and one consuming the inbox entries (a hundred each)
        assert m["writes"].count("PutItem") == CANDIDATES + 1
        assert m["writes"].count("TransactWriteItems") == 1 + 1
        assert "BatchWriteItem" not in m["writes"]
        # Inbox entries once selected are not read again, nor the index triggers the first run went through
        # completely (issue 18: `done_triggers` on the run record).
        assert m["again"].totals()["existing"] == 0
        assert m["rerun_writes"] == []
    assert large["reads"] == small["reads"]
    from collections import Counter

    assert large["requests"] == small["requests"], (
        Counter(large["request_names"]) - Counter(small["request_names"]),
        Counter(small["request_names"]) - Counter(large["request_names"]),
    )
    assert large["rerun_reads"] == small["rerun_reads"]
    # About one item read per candidate (plus the directory, run record and a BatchGet of outflow accounts).
    assert small["reads"] <= 2 * CANDIDATES + 20
    assert small["rerun_reads"] <= 4 * CANDIDATES + 20


@pytest.mark.parametrize("fraction", [0.1])
def test_bench_seeder_builds_the_requested_fraction(directory, fraction):
    from infra.bench_seed import build_accounts

    items, selected = build_accounts(500, fraction, D)
    assert sum(len(v) for v in selected.values()) == 50
    accounts = [i for i in items if i["sk"] == "PROFILE"]
    assert len(accounts) == 500 and len({i["pk"] for i in accounts}) == 500


def test_a_realistic_day_draws_a_tenth_of_its_candidates_from_the_inbox_and_reviews_every_tier(directory):
    # issue 18 §5: the benchmark's seed is "candidates proportional to the book"; bench.capacity and
    # bench.replay both seed it from infra.bench_seed.day_plan.
    from infra.bench_seed import build_accounts, day_plan

    items, selected = build_accounts(9_000, 0.0, D, candidates=200, kinds=day_plan(200))
    inbox = len(selected["new_account"]) + len(selected["large_outflow"]) + len(selected["closed_account"])
    assert 15 <= inbox <= 25 and 19 <= len(selected["dormant"]) <= 25  # 9.5% and 10.8% of 200
    tiers = Counter(i["tier"] for i in items if i["sk"] == "PROFILE" and i["pk"].endswith(tuple(selected["periodic"])))
    assert set(tiers) == {"gold", "silver", "ordinary"}
    with pytest.raises(ValueError, match="199 kinds for 200 candidates"):
        build_accounts(9_000, 0.0, D, candidates=200, kinds=day_plan(199))
