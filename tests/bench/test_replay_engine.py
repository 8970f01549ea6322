"""The replay benchmark's DynamoDB is faithful (issue 18 §5; bench/replay.py, bench/replay_engine.py).

Given the same small seeded day (candidates over every trigger the job reads, two branches of three
callback agents), when the daily selection runs once on moto and once through the SDK on the replay
engine, then it creates the same tasks (ids, whole records, counts) and the same quarter counters;
with throttles and conflicts injected on the engine (8 workers, virtual time) it still creates
exactly those tasks, once each, and completes; and the engine refuses loudly what it does not model.
No timing is asserted.
"""

from __future__ import annotations

import pytest

from bench import replay
from bench.replay_engine import Unsupported
from chalicelib import clock
from chalicelib.config import reset_settings
from chalicelib.domain import quarter_callbacks, selection_job
from chalicelib.storage import base, directory
from chalicelib.storage.tasks import account_tasks_since

D = replay.D
CANDIDATES = 42


@pytest.fixture
def day(monkeypatch):
    monkeypatch.setattr(replay, "BRANCHES", 2)
    monkeypatch.setenv("FIELDDESK_SAMPLE_SELECTION", "false")
    monkeypatch.setenv("FIELDDESK_SELECTION_WORKERS", "1")
    reset_settings()
    items, kinds, _ = replay.book(CANDIDATES, D)
    assert len(kinds) == 7 and sum(kinds.values()) == CANDIDATES  # every kind of candidate is in the day
    yield items, sorted({i["account_id"] for i in items if "account_id" in i})
    reset_settings()


def outcome(account_ids: list[str]) -> tuple[dict, dict]:
    """Every account's task records (less the job's try token, random per run) and its callbacks of the
    quarter as the cap counts them (domain/quarter_callbacks.py), read back through the storage helpers."""
    tasks, counters = {}, {}
    for a in account_ids:
        found = account_tasks_since([a], quarter_callbacks.read_from("2026Q4")).get(a, [])
        if found:
            tasks[a] = sorted(
                ({k: v for k, v in t.items() if k != "write_token"} for t in found), key=lambda t: t["task_id"]
            )
            figures = quarter_callbacks.figures(found, "2026Q4")
            counters[a] = (figures["callbacks"], figures["task_ids"])
    return tasks, counters


def run_on_moto(items: list[dict], accounts: list[str]):
    for record in replay.staff_records():
        directory.put_staff(record)
    base.batch_put(items)
    with clock.freeze(replay.RUN_AT):
        result = selection_job.run_date(D)
    return result, outcome(accounts)


def run_on_engine(items: list[dict], accounts: list[str], faults: replay.Faults | None = None, workers: int = 1):
    faults = faults or replay.Faults(throttle=0.0, tx_conflict=0.0, load_conflict=0.0)
    with replay.engine_backed(faults, workers) as (engine, _client, vclock):
        for record in replay.staff_records():
            directory.put_staff(record)
        replay.seed(engine, items)
        engine.reset()
        engine.throttle, engine.tx_conflict = faults.throttle, faults.tx_conflict
        engine.load_conflict = faults.load_conflict
        engine.write_limit, engine.now = faults.write_limit, vclock.now
        engine.advance = vclock.advance
        with clock.freeze(replay.RUN_AT):
            result = selection_job.run_date(D)
        engine.throttle = engine.tx_conflict = engine.load_conflict = engine.write_limit = 0.0
        return result, outcome(accounts), engine


def test_the_engine_creates_the_same_tasks_as_moto(day):
    items, accounts = day
    on_moto, (moto_tasks, moto_counters) = run_on_moto(items, accounts)
    on_engine, (tasks, counters), engine = run_on_engine(items, accounts)

    assert on_moto.status == on_engine.status == "completed"
    assert on_engine.counts == on_moto.counts
    assert on_moto.totals()["created"] == CANDIDATES
    assert sum(len(t) for t in tasks.values()) == CANDIDATES
    assert tasks == moto_tasks  # same ids, triggers, due dates, assignees: whole records
    assert counters == moto_counters
    # one put per task (and the run record's), the agents' LOAD adds: one transaction per 20 agents (the run
    # flushes once here), and the inbox entries consumed a hundred to a transaction
    agents = {t.get("assignee_id") for ts in tasks.values() for t in ts} - {None}
    inbox = sum(1 for i in items if str(i.get("sk", "")).startswith("SELECT#"))
    assert engine.calls["PutItem"] == CANDIDATES + 1
    assert engine.calls["TransactWriteItems"] == -(-len(agents) // 20) + -(-inbox // 100) and not engine.refused


def test_throttles_and_conflicts_slow_the_replay_but_every_task_is_created_once(day):
    items, accounts = day
    _, (clean, _), _ = run_on_engine(items, accounts)
    faults = replay.Faults(throttle=0.25, tx_conflict=0.15, load_conflict=0.5)
    result, (tasks, counters), engine = run_on_engine(items, accounts, faults, workers=8)

    assert result.status == "completed", result
    assert {"ThrottlingException", "ProvisionedThroughputExceededException"} & set(engine.refused)
    assert engine.refused["TransactionCanceledException"] > 0  # the job's own retries, not only botocore's
    assert engine.throttled > engine.calls["TransactWriteItems"] * 0.25  # task puts throttled too
    assert engine.refused["TransactionConflict (LOAD)"] > 0  # an agents' LOAD transaction refused
    assert {a: [t["task_id"] for t in ts] for a, ts in tasks.items()} == {
        a: [t["task_id"] for t in ts] for a, ts in clean.items()
    }
    assert all(n == 1 and len(ids) == 1 for n, ids in counters.values())
    assert result.totals()["created"] == CANDIDATES


def test_a_table_at_its_write_limit_refuses_the_writes_past_each_seconds_units_and_every_task_is_created_once(day):
    """bench/send_pace.py's table: throttles from load, not chance."""
    items, accounts = day
    _, (clean, _), _ = run_on_engine(items, accounts)
    faults = replay.Faults(throttle=0.0, tx_conflict=0.0, load_conflict=0.0, write_limit=20.0)
    result, (tasks, counters), engine = run_on_engine(items, accounts, faults, workers=8)

    assert result.status == "completed", result
    assert engine.limited > 0 and engine.refused["ProvisionedThroughputExceededException"] == engine.limited
    assert max(engine.second_units.values()) <= 20.0  # what each virtual second accepted
    assert len(engine.second_units) > 1  # the run was spread over several seconds by the limit
    assert {a: [t["task_id"] for t in ts] for a, ts in tasks.items()} == {
        a: [t["task_id"] for t in ts] for a, ts in clean.items()
    }
    assert all(n == 1 and len(ids) == 1 for n, ids in counters.values())


def test_the_engine_refuses_what_it_does_not_model():
    with replay.engine_backed(replay.Faults()) as (engine, client, _):
        with pytest.raises(Unsupported, match="DeleteItem"):
            client.delete_item(TableName=engine.table, Key={"pk": {"S": "A"}, "sk": {"S": "B"}})
        with pytest.raises(Unsupported, match="DELETE"):
            base.update("A", "B", "DELETE tags :t", values={":t": {"x"}})
        with pytest.raises(Unsupported, match="nested"):
            base.update("A", "B", "SET a.b = :v", values={":v": 1})


def test_a_fanned_out_shards_seed_moves_the_shard_of_each_sharded_key_and_keeps_the_inbox_part():
    moved = replay.in_shard({"gsi2pk": "SELECT#3#2", "gsi4pk": "ACTIVE#2026-05-23#3", "gsi6pk": "PERIODIC#g#5#1"}, 0)
    assert moved == {"gsi2pk": "SELECT#0#2", "gsi4pk": "ACTIVE#2026-05-23#0", "gsi6pk": "PERIODIC#g#5#0"}
