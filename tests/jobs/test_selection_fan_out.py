"""Selection past one invocation (issue 18 §3): the 02:00 schedule queues one SQS message per (date, shard),
the shard function runs each through Chalice's SQS handler, and the date completes with its last shard.

Given four shards, a shard queue on moto and new accounts spread over the shards, when the schedule runs
(twice) and each message is delivered (some twice, one out of time, one failing), then every account has
exactly one task, the per-date parts ran once, and the watermark moves only over completed dates.
"""

from __future__ import annotations

import json
import threading
from datetime import date, datetime, timedelta

import pytest

from chalicelib import clock
from chalicelib.config import get_settings, reset_settings
from chalicelib.domain import quarter_callbacks, selection_fanout, selection_job
from chalicelib.storage import base, keys
from chalicelib.storage import selection as store
from chalicelib.storage import selection_shards as runs
from chalicelib.storage.clients import sqs_client
from chalicelib.storage.tasks import account_tasks_since
from tests.factories.accounts import feed, opened

D = date(2026, 11, 19)  # business date of the 02:00 run on 11-20
SHARDS = 4
AT = "2026-11-20T02:00:00+08:00"


@pytest.fixture(autouse=True)
def queue(directory, monkeypatch, lambda_15_minutes):
    monkeypatch.setenv("FIELDDESK_SAMPLE_SELECTION", "false")
    monkeypatch.setenv("FIELDDESK_SELECTION_SHARDS", str(SHARDS))
    monkeypatch.setenv("FIELDDESK_SELECTION_RETRY_BASE_SECONDS", "0.001")
    monkeypatch.setenv("FIELDDESK_SELECTION_RETRY_MAX_DELAY_SECONDS", "0.01")
    reset_settings()
    url = sqs_client().create_queue(QueueName="fielddesk-selection-shards")["QueueUrl"]
    monkeypatch.setenv("FIELDDESK_SELECTION_QUEUE_URL", url)
    reset_settings()
    yield url


def new_accounts(n: int = 12, on: date = D, prefix: str = "ac") -> list[str]:
    ids = [f"{prefix}-{on:%m%d}-{i:03d}" for i in range(n)]
    feed(*[opened(a, on=str(on), n=i + 1) for i, a in enumerate(ids)])
    return ids


def shard_of(account_id: str) -> int:
    return keys.shard(account_id, SHARDS)


def task_ids_of(account_id: str) -> list[str]:
    return [i["task_id"] for i in base.query_all(f"ACCOUNT#{account_id}#TASKS", index="gsi4")]


def assert_exactly_one_task_each(account_ids: list[str], day: date = D) -> None:
    for a in account_ids:
        assert task_ids_of(a) == [keys.callback_task_id("new_account", a, str(day))], a
        found = account_tasks_since([a], quarter_callbacks.read_from("2026Q4")).get(a, [])
        assert quarter_callbacks.figures(found, "2026Q4")["callbacks"] == 1, a


def received(url: str) -> list[dict]:
    """Every message waiting on the queue (taken off it, as the event source mapping does)."""
    out: list[dict] = []
    while True:
        got = sqs_client().receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        if not got:
            return out
        for m in got:
            out.append(json.loads(m["Body"]))
            sqs_client().delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])


def scheduled(at: str = AT) -> list[dict]:
    from chalice.test import Client

    from app import app

    with clock.freeze(at), Client(app) as client:
        event = client.events.generate_cw_event(
            source="aws.events", detail_type="Scheduled Event", detail={}, resources=[]
        )
        return client.lambda_.invoke("daily_callback_selection", event).payload["runs"]


def deliver(*messages: dict, at: str = AT) -> list[dict]:
    """The SQS event of these messages through the Chalice handler (one invocation per message)."""
    from chalice.test import Client

    from app import app

    out: list[dict] = []
    with clock.freeze(at), Client(app) as client:
        for m in messages:
            event = client.events.generate_sqs_event([json.dumps(m)], queue_name="fielddesk-selection-shards")
            out += client.lambda_.invoke("callback_selection_shard", event).payload["runs"]
    return out


def at(text: str) -> str:
    """A time as the job writes it (chalicelib.clock), so leases compare as the job compares them."""
    return clock.iso(datetime.fromisoformat(text))


def msg(shard: int, day: date = D, continuation: int = 0) -> dict:
    return selection_fanout.message(day, shard, continuation)


@pytest.fixture
def per_date_parts(monkeypatch):
    """How many times the parts that are not per shard were read: departures and the sample."""
    from chalicelib.domain import sample

    calls = {"departures": 0, "sample": 0}
    real_departures, real_sample = store.departures_pending, sample.candidate_pages

    def departures(*args, **kwargs):
        calls["departures"] += 1
        return real_departures(*args, **kwargs)

    def sample_pages(*args, **kwargs):
        calls["sample"] += 1
        return real_sample(*args, **kwargs)

    monkeypatch.setattr(store, "departures_pending", departures)
    monkeypatch.setattr(sample, "candidate_pages", sample_pages)
    return calls


# --- the schedule: one message per shard, once ---------------------------------------------------------------
def test_the_schedule_queues_one_message_per_shard_and_a_repeated_schedule_queues_none(queue):
    accounts = new_accounts()
    runs_now = scheduled()
    assert runs_now == [
        {
            "business_date": str(D),
            "mode": "fan_out",
            "status": "queued",
            "shards": [0, 1, 2, 3],
            **{k: 0 for k in ("candidates", "created", "existing", "capped", "queued", "late", "provisional")},
        }
    ]
    assert sorted(received(queue), key=lambda m: m["shard"]) == [msg(k) for k in range(SHARDS)]
    assert all(task_ids_of(a) == [] for a in accounts)  # the schedule itself selects nothing
    again = scheduled("2026-11-20T03:00:00+08:00")
    assert [(r["status"], r.get("shards")) for r in again] == [("queued", None)]
    assert received(queue) == []


def test_a_shard_queued_long_ago_and_not_completed_is_queued_again_by_a_later_schedule(queue):
    new_accounts()
    scheduled()
    received(queue)
    deliver(msg(0), msg(1), msg(2))  # shard 3's message was lost (dead-lettered)
    later = scheduled("2026-11-20T09:00:00+08:00")  # past selection_requeue_after_seconds (6 h)
    assert [(r["status"], r.get("shards")) for r in later] == [("queued", [3])]
    assert received(queue) == [msg(3)]


# --- delivering the shards ---------------------------------------------------------------------------------
def test_each_shard_creates_its_accounts_tasks_and_the_date_completes_only_after_the_last(queue, per_date_parts):
    accounts = new_accounts()
    assert {shard_of(a) for a in accounts} == set(range(SHARDS))  # the book spreads over every shard
    scheduled()
    messages = sorted(received(queue), key=lambda m: m["shard"])
    for m in messages[:-1]:
        (result,) = deliver(m)
        assert result["status"] == "completed"
        assert result["created"] == sum(1 for a in accounts if shard_of(a) == m["shard"])
        assert store.get_run(D)["status"] == "running" and selection_job.watermark() is None
    mine = [a for a in accounts if shard_of(a) != messages[-1]["shard"]]
    assert_exactly_one_task_each(mine)
    deliver(messages[-1])
    assert store.get_run(D)["status"] == "completed" and selection_job.watermark() == D
    assert store.get_run(D)["counts"]["new_account"]["created"] == len(accounts)
    assert_exactly_one_task_each(accounts)
    # The per-date parts ran once, in the shard that claimed them, and their lease is released.
    assert per_date_parts == {"departures": 1, "sample": 1}
    assert store.get_run(D)["common_status"] == "completed" and "common_lease" not in store.get_run(D)
    assert received(queue) == []  # nothing partial, no continuation


def test_two_deliveries_of_one_message_create_each_task_once(queue, per_date_parts):
    accounts = new_accounts()
    scheduled()
    received(queue)
    first, second = deliver(msg(1), msg(1))
    assert (first["status"], second["status"], second["created"]) == ("completed", "already_completed", 0)
    # Two deliveries at the same moment (SQS is at least once): each task still once.
    results = []
    threads = [
        threading.Thread(target=lambda: results.append(selection_job.run_date(D, shard=2, remaining=lambda: 900.0)))
        for _ in range(2)
    ]
    with clock.freeze(AT):
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert sorted(r.status for r in results) in (["completed", "completed"], ["already_completed", "completed"])
    assert sum(r.totals()["created"] for r in results) == sum(1 for a in accounts if shard_of(a) == 2)
    assert_exactly_one_task_each([a for a in accounts if shard_of(a) in (1, 2)])
    assert per_date_parts == {"departures": 1, "sample": 1}  # shard 1 ran them; nobody again


def test_a_shard_out_of_time_queues_its_continuation_which_resumes_it_exactly_once(queue, monkeypatch):
    from chalicelib.jobs import callbacks

    accounts = new_accounts(40)
    shard = shard_of(accounts[0])
    in_shard = [a for a in accounts if shard_of(a) == shard]
    scheduled()
    received(queue)
    ticks = {"n": 0}

    def running_out():
        ticks["n"] += 1
        return 900.0 if ticks["n"] < 6 else 30.0  # below the 60 s margin part-way through

    monkeypatch.setattr(callbacks, "_remaining", lambda event: running_out)
    (first,) = deliver(msg(shard))
    assert (first["status"], first["continuation"]) == ("partial", 0)
    assert runs.shard_runs(D)[shard]["status"] == "partial"
    made = sum(len(task_ids_of(a)) for a in in_shard)
    assert made < len(in_shard)
    assert received(queue) == [msg(shard, continuation=1)]
    monkeypatch.setattr(callbacks, "_remaining", lambda event: (lambda: 900.0))
    (again,) = deliver(msg(shard, continuation=1))
    assert (again["status"], again["mode"], again["created"]) == ("completed", "resume", len(in_shard) - made)
    assert_exactly_one_task_each(in_shard)
    assert received(queue) == []


def test_a_failing_shard_blocks_neither_the_other_shards_nor_the_later_dates(queue, monkeypatch):
    from chalicelib.domain import selection as rules
    from chalicelib.jobs.callbacks import ShardFailed

    earlier = D - timedelta(days=1)
    selection_job.advance_watermark(earlier - timedelta(days=1))
    old = new_accounts(12, on=earlier, prefix="old")
    new = new_accounts(12, on=D, prefix="new")
    bad_shard = shard_of(old[0])
    real = rules.build_task

    def broken(candidate, business_date, *args):
        if business_date == earlier and shard_of(candidate.account_id) == bad_shard:
            raise ValueError("a record the rules cannot read")
        return real(candidate, business_date, *args)

    monkeypatch.setattr(rules, "build_task", broken)
    assert [(r["business_date"], r["shards"]) for r in scheduled()] == [
        (str(earlier), [0, 1, 2, 3]),
        (str(D), [0, 1, 2, 3]),
    ]
    messages = received(queue)
    assert len(messages) == 2 * SHARDS
    for m in messages:
        if m == msg(bad_shard, earlier):
            with pytest.raises(ShardFailed):  # SQS delivers it again, then dead-letters it
                deliver(m)
        else:
            assert deliver(m)[0]["status"] == "completed"
    assert store.get_run(D)["status"] == "completed"
    assert store.get_run(earlier)["status"] == "running"
    assert selection_job.watermark() == earlier - timedelta(days=1)  # waits before the open date
    assert_exactly_one_task_each(new, D)
    assert_exactly_one_task_each([a for a in old if shard_of(a) != bad_shard], earlier)
    monkeypatch.setattr(rules, "build_task", real)
    (redelivered,) = deliver(msg(bad_shard, earlier))
    assert redelivered["status"] == "completed"
    assert selection_job.watermark() == D  # over the date it closed and the completed one after it
    assert_exactly_one_task_each(old, earlier)


# --- rules of the fan-out, below the handlers ------------------------------------------------------------
def test_run_date_of_one_shard_reads_only_that_shard_and_the_per_date_parts_once(queue, per_date_parts):
    accounts = new_accounts()
    with clock.freeze(AT):
        results = [selection_job.run_date(D, shard=k) for k in range(SHARDS)]
    assert [r.status for r in results] == ["completed"] * SHARDS
    assert [r.totals()["candidates"] for r in results] == [
        sum(1 for a in accounts if shard_of(a) == k) for k in range(SHARDS)
    ]
    assert per_date_parts == {"departures": 1, "sample": 1}
    assert store.get_run(D)["status"] == "completed"


def test_a_shard_number_outside_the_settings_is_refused():
    with pytest.raises(ValueError, match="shard 4"):
        selection_job.run_date(D, shard=get_settings().selection_shards)


def test_per_date_parts_held_by_a_crashed_invocation_are_taken_over_once_its_lease_lapses(queue, per_date_parts):
    accounts = new_accounts()
    scheduled()
    received(queue)
    # Shard 3's invocation claimed the per-date parts and crashed (its lease runs until 03:00).
    assert runs.claim_common(D, "shard-3", at("2026-11-20T02:00:00+08:00"), at("2026-11-20T03:00:00+08:00")) is not None
    deliver(msg(0), msg(1), msg(2))
    assert per_date_parts == {"departures": 0, "sample": 0}  # held: nobody else runs them
    deliver(msg(3), at="2026-11-20T02:20:00+08:00")  # SQS delivers the crashed message again: same owner
    assert per_date_parts == {"departures": 1, "sample": 1}
    assert store.get_run(D)["status"] == "completed" and selection_job.watermark() == D
    assert_exactly_one_task_each(accounts)


def test_when_only_the_per_date_parts_are_left_a_later_schedule_queues_shard_0_to_run_them(queue, per_date_parts):
    new_accounts()
    scheduled()
    received(queue)
    assert runs.claim_common(D, "shard-9", at("2026-11-20T02:00:00+08:00"), at("2026-11-20T03:00:00+08:00")) is not None
    deliver(*[msg(k) for k in range(SHARDS)])
    assert store.get_run(D)["status"] == "running" and per_date_parts["departures"] == 0
    later = scheduled("2026-11-20T09:00:00+08:00")  # the lease and the 6 h have lapsed
    assert [(r["status"], r.get("shards")) for r in later] == [("queued", [0])]
    (result,) = deliver(*received(queue), at="2026-11-20T09:00:00+08:00")
    assert result["status"] == "completed" and per_date_parts == {"departures": 1, "sample": 1}
    assert store.get_run(D)["status"] == "completed" and selection_job.watermark() == D
