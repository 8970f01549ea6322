"""The daily selection replayed through the whole SDK on a simulated DynamoDB (issue 18 §5).

No moto and no network: `chalicelib.domain.selection_job.run_date` runs as deployed, through boto3 and
botocore (validation, serialization, signing, retries, parsing), and a botocore `before-send` handler
answers every request from the in-memory engine of bench/replay_engine.py. Time is virtual: each request
advances its stream's clock by the simulated latency (10 ms), the job's back-off sleeps and botocore's
retry sleeps advance it instead of sleeping, and the job's 8 workers are 8 concurrent streams (a task
starts when a stream is free and its page was submitted; the page ends when its last task does).
Faults: 5% of the task puts throttled (refused whole, ThrottlingException or
ProvisionedThroughputExceededException; a task put is sent once, `clients.sent_once()`, and the job
re-queues the task behind the others with its backoff) and 5% of the transactions (the agents' LOAD adds, the inbox
consumes: half refused whole, half cancelled with ThrottlingError, which the job retries), 1% of the
transactions cancelled with TransactionConflict (the feed extending an inbox entry, a concurrent run), 5%
of the agents' LOAD writes refused with TransactionConflictException (agent contention). "wr.req/task"
leaves out the writes refused for throttling (DynamoDB bills none; with 5% throttles no count that kept
them could be under 1.05); "wr.sends/task" counts every write sent.

The seed is a national book's day (`book`): candidates in proportion to the book (new accounts,
closings and large transfers out through the selection inbox, dormant accounts, periodic reviews
by tier), over 300 branches of 3 callback agents. Only the candidates are written: the job reads
nothing else (sparse, date-bucketed indexes), so the rest of the book changes no figure.
The 10% sample is not replayed (it needs the year-end snapshot seeded; bench/capacity.py and
bench/scheduler.py leave it out too).

Cases: 10k candidates for the per-candidate figures and a re-run; 100k in one invocation; 1M fanned
out over `selection_shards` invocations, each replaying one shard (`run_date(day, shard=k)` when the
job has the keyword, else only that shard's candidates seeded: printed as modelled, not run through
the code). The invocations are independent and run in parallel, so the fan-out's time is its slowest
shard; to keep wall time small, `--fanout-replayed` (default 1) shards are replayed and the others
are sized, not run.
Run: `make bench-replay` (part of `make bench`) or
`.venv/bin/python -m bench.replay [--per-candidate 10000] [--single 100000] [--fanout 1000000]`.
Exit 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import heapq
import inspect
import os
import sys
import threading
import time as real_time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import wait as real_wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from infra.bench_seed import DAY_SHARES, day_plan  # the seed of a realistic day, shared with bench.capacity

D = date(2026, 11, 19)
RUN_AT = "2026-11-20T02:00:00+08:00"
ENDPOINT = "http://dynamodb.replay.invalid"  # nothing may leave the process: a request sent would fail here
BUDGET_S = 900.0  # one Lambda invocation
WRITES = ("PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem")
BRANCHES, AGENTS = 300, 3


# --- virtual time ---------------------------------------------------------------------------
class VirtualClock:
    """Per-thread virtual seconds, standing in for the `time` module where the job and botocore wait."""

    def __init__(self):
        self._local = threading.local()

    def now(self) -> float:
        return getattr(self._local, "t", 0.0)

    def set(self, t: float) -> None:
        self._local.t = t

    def advance(self, seconds: float) -> None:
        self._local.t = self.now() + max(0.0, seconds)

    monotonic = now

    def sleep(self, seconds: float) -> None:
        self.advance(seconds)

    def __getattr__(self, name):
        return getattr(real_time, name)


class VirtualPool(ThreadPoolExecutor):
    """The job's thread pool as `max_workers` streams on the virtual clock."""

    def __init__(self, clock: VirtualClock, max_workers: int):
        super().__init__(max_workers=max_workers)
        self.clock, self.free, self.vlock = clock, [0.0] * max_workers, threading.Lock()

    def submit(self, fn, /, *args, **kwargs):
        submitted, ends = self.clock.now(), {}

        def on_a_stream():
            with self.vlock:
                free = heapq.heappop(self.free)
            self.clock.set(max(free, submitted))
            try:
                return fn(*args, **kwargs)
            finally:
                ends["end"] = self.clock.now()
                with self.vlock:
                    heapq.heappush(self.free, ends["end"])

        future = super().submit(on_a_stream)
        future.virtual_end = ends  # type: ignore[attr-defined]
        return future


@contextmanager
def virtual_time(clock: VirtualClock, workers: int):
    import botocore.endpoint

    from chalicelib.domain import selection_create, selection_loads, selection_patience, selection_run

    def wait(futures, *args, **kwargs):
        done = real_wait(futures, *args, **kwargs)
        clock.set(max([clock.now(), *(getattr(f, "virtual_end", {}).get("end", 0.0) for f in futures)]))
        return done

    # The job's modules each import `time` (monotonic time, back-off sleeps), `wait` and `ThreadPoolExecutor`
    # where they use them (selection_job.py was split, issue 17 §5): every one is swapped.
    patches = [
        *((m, "time", clock) for m in (selection_patience, selection_loads, selection_create, selection_run)),
        (selection_run, "ThreadPoolExecutor", lambda max_workers: VirtualPool(clock, max_workers)),
        *((m, "wait", wait) for m in (selection_loads, selection_create)),
        (botocore.endpoint, "time", clock),  # botocore's retry sleeps
    ]
    # A job module that uses one of them and is missing above would run on real time: a wrong figure, silently.
    swapped = {(id(m), name) for m, name, _ in patches}
    real = {"time": real_time, "ThreadPoolExecutor": ThreadPoolExecutor, "wait": real_wait}
    for module_name, module in sorted(sys.modules.items()):
        if module_name.startswith("chalicelib.domain.selection"):
            for name, value in real.items():
                if getattr(module, name, None) is value and (id(module), name) not in swapped:
                    raise RuntimeError(f"virtual_time does not swap {module_name}.{name}")
    saved = [(module, name, getattr(module, name)) for module, name, _ in patches]
    for module, name, value in patches:
        setattr(module, name, value)
    try:
        yield
    finally:
        for module, name, value in saved:
            setattr(module, name, value)


# --- the seed -----------------------------------------------------------------------------------
def book(candidates: int, day: date, *, shard: int | None = None, shards: int = 1, prefix: str = "r"):
    """(items, {kind: n}, book size) of a day with `candidates` candidates, or only those of one shard."""
    from chalicelib.config import get_settings
    from chalicelib.domain.accounts import OUTFLOW_SNAPSHOT
    from chalicelib.domain.selection import INBOX_SNAPSHOT, period_days
    from chalicelib.storage.accounts import account_item, inbox_item, periodic_bucket, transfer_item

    s = get_settings()
    long_ago, recent = str(day - timedelta(days=400)), str(day - timedelta(days=10))
    items: list[dict] = []
    kinds: Counter = Counter()
    for i, kind in enumerate(day_plan(candidates)):
        if shard is not None and i % shards != shard:
            continue
        tier = kind.split("/")[1] if "/" in kind else "ordinary"
        days = period_days(tier)
        bucket, j = periodic_bucket(day, days), 0
        # An id in its tier's phase for today (periodic), off it for the others.
        while not fast_periodic_ok(f"{prefix}{i}-{j}", days, bucket, kind.startswith("periodic")):
            j += 1
        account_id = f"{prefix}{i}-{j}"
        # Every branch in every shard, as the hash spreads them (i % BRANCHES alone would give shard k of 4
        # only the branches b = k mod 4).
        branch = f"br-{(i if shard is None else i // shards) % BRANCHES:03d}"
        account = {
            "account_id": account_id,
            "status": "open",
            "branch_id": branch,
            "client_name": "测试客户",
            "phone_masked": "139****0000",
            "id_masked": "310***********0000",
            "opened_at": f"{long_ago}T10:00:00+08:00",
            "opened_on": long_ago,
            "channel": "counter",
            "tier": tier,
            "last_trade_on": recent,
            "serving_manager_id": f"cm-{branch}-{i % 7}",
            "manager_since": f"{long_ago}T10:00:00+08:00",
            "version": 1,
            "updated_at": f"{day}T20:00:00+08:00",
        }
        event: dict = {}
        if kind == "new_account":
            account.update(opened_on=str(day), opened_at=f"{day}T10:00:00+08:00", last_trade_on=None)
        elif kind == "dormant":
            account["last_trade_on"] = str(day - timedelta(days=s.dormant_days))
        elif kind == "closed_account":
            account.update(status="closed", closed_on=str(day), closed_at=f"{day}T15:00:00+08:00")
            account["close_reason"] = "competitor"
        elif kind == "large_outflow":
            record = {
                "account_id": account_id,
                "event_id": f"{account_id}-out",
                "amount": s.large_outflow_yuan,
                "balance_before": s.large_outflow_yuan * 3,
                "at": f"{day}T14:00:00+08:00",
                "on": str(day),
                "large": True,
                "account": {k: account[k] for k in OUTFLOW_SNAPSHOT if account.get(k)},
            }
            items.append(transfer_item(record, True))
            event["transfer"] = {k: record[k] for k in ("event_id", "amount", "balance_before", "at")}
        items.append(account_item(account))
        if kind in ("new_account", "closed_account", "large_outflow"):
            entry: dict = {"trigger": kind, "episode": str(day), "event_on": str(day), "account_id": account_id}
            entry["account"] = {k: account[k] for k in INBOX_SNAPSHOT if account.get(k)}
            items.append(inbox_item({**entry, **event}))
        kinds[kind] += 1
    size = round(candidates / sum(DAY_SHARES.values()))
    items = [{k: v for k, v in item.items() if v is not None} for item in items]
    return [in_shard(i, shard) for i in items] if shard is not None else items, kinds, size


def staff_records() -> list[dict]:
    return [
        {
            "staff_id": f"cba-{b:03d}-{a}",
            "name": "回访专员",
            "role": "callback_agent",
            "branch_id": f"br-{b:03d}",
            "outlet_ids": [],
            "status": "active",
            "created_at": "2026-01-05T09:00:00+08:00",
        }
        for b in range(BRANCHES)
        for a in range(AGENTS)
    ]


def fast_periodic_ok(account_id: str, days: int, bucket: int, want: bool) -> bool:
    import hashlib

    # chalicelib.storage.accounts.periodic_phase, inlined: the seed tries ~90 ids per ordinary review.
    phase = int.from_bytes(hashlib.sha256(b"periodic:" + account_id.encode()).digest()[:6], "big") % days
    return (phase == bucket) is want


def in_shard(item: dict, shard: int) -> dict:
    """The item with its sharded index keys in `shard`: the fan-out's shard k holds every k-th candidate
    of the day (the hash spreads a day evenly; this saves hashing 4x more ids for the seed)."""
    import re

    out = dict(item)
    for name in ("gsi2pk", "gsi3pk", "gsi4pk", "gsi5pk", "gsi6pk"):
        value = out.get(name)
        if isinstance(value, str) and value.split("#", 1)[0] in (
            "SELECT",
            "OPENED",
            "OUTFLOW",
            "ACTIVE",
            "CLOSED",
            "PERIODIC",
        ):
            if value.startswith("SELECT#") and value.count("#") == 2:  # SELECT#<shard>#<part> (keys.INBOX_PARTS)
                out[name] = re.sub(r"^SELECT#\d+#", f"SELECT#{shard}#", value)
            else:
                out[name] = re.sub(r"#\d+$", f"#{shard}", value)
    return out


# --- one replay ---------------------------------------------------------------------------------
@dataclass
class Figures:
    label: str
    candidates: int = 0
    created: int = 0
    existing: int = 0
    status: str = ""
    seconds: float = 0.0
    rcu: float = 0.0
    wcu: float = 0.0
    items_read: int = 0
    write_calls: int = 0  # write requests sent, less the transactions refused for throttling (not billed, resent)
    write_sends: int = 0  # every write request sent, throttled resends included
    calls: dict = field(default_factory=dict)
    refused: dict = field(default_factory=dict)
    top_share: float = 0.0
    top_key: str = ""
    serial: dict = field(default_factory=dict)
    due: int = 0  # tasks the day should create (its seeded candidates)

    def whole_s(self) -> float:
        """The day's modelled run time: measured when it completed, else at the rate it ran until stopped."""
        if self.status.startswith("completed"):
            return self.seconds
        return self.seconds * self.due / self.created if self.created else float("nan")

    retries: int = 0
    wall: float = 0.0


class Calls:
    """API calls by operation, counted once each however many times botocore retries (`before-call`)."""

    def __init__(self):
        self.n: Counter = Counter()
        self.lock = threading.Lock()

    def __call__(self, model, **kwargs):
        with self.lock:
            self.n[model.name] += 1


@dataclass
class Faults:
    latency: float = 0.010
    throttle: float = 0.05
    tx_conflict: float = 0.01
    load_conflict: float = 0.05
    write_limit: float = 0.0  # WCU a second the table accepts, 0 for no limit (bench/send_pace.py)


def has_shard_keyword() -> bool:
    from chalicelib.domain import selection_job

    return "shard" in inspect.signature(selection_job.run_date).parameters


@contextmanager
def engine_backed(faults: Faults, workers: int = 8):
    """(engine, the job's DynamoDB client, the virtual clock): `chalicelib.storage.clients.dynamodb_client()`
    answered by a fresh engine, the job's waits on virtual time; faults off until the caller sets them."""
    from bench.replay_engine import Engine
    from chalicelib.config import get_settings, reset_settings
    from chalicelib.storage import clients

    saved = {k: os.environ.get(k) for k in ("FIELDDESK_SELECTION_WORKERS", "DYNAMODB_ENDPOINT_URL")}
    os.environ["FIELDDESK_SELECTION_WORKERS"] = str(workers)
    os.environ["DYNAMODB_ENDPOINT_URL"] = ENDPOINT
    reset_settings()
    clients.reset_clients()
    engine = Engine(get_settings().table_name, latency=faults.latency)
    clock = VirtualClock()
    try:
        # As the job's entry points run it (jobs/callbacks.py): DynamoDB's legacy retry policy.
        with clients.job_retries():
            client = clients.dynamodb_client()
            engine.attach(client)
            try:
                with virtual_time(clock, workers):
                    yield engine, client, clock
            finally:
                engine.detach(client)
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        reset_settings()
        clients.reset_clients()


def seed(engine, items: list[dict]) -> None:
    """Plain items (as the storage modules build them) straight into the engine: no request, no capacity."""
    from boto3.dynamodb.types import TypeSerializer

    from chalicelib.storage import base

    serializer = TypeSerializer()
    for item in items:
        engine.store({k: serializer.serialize(v) for k, v in base.to_dynamo(item).items()})


def replay(
    label: str,
    candidates: int,
    faults: Faults,
    *,
    workers: int = 8,
    shard: int | None = None,
    rerun: bool = False,
    budget: bool = False,
    window: float = BUDGET_S - 60,
):
    """[first run figures] (+ re-run figures) of one invocation on a fresh engine. `budget`: the run has a
    Lambda's 900 s (virtual) and stops as partial 60 s before, as deployed; without it, it runs to the end."""
    import random

    from chalicelib import clock as app_clock
    from chalicelib.config import get_settings
    from chalicelib.domain import selection_job
    from chalicelib.storage import directory

    started = real_time.perf_counter()
    with engine_backed(faults, workers) as (engine, client, clock):
        for record in staff_records():
            directory.put_staff(record)
        items, kinds, _ = book(candidates, D, shard=shard, shards=get_settings().selection_shards)
        seed(engine, items)
        del items
        engine.throttle, engine.tx_conflict = faults.throttle, faults.tx_conflict
        engine.load_conflict = faults.load_conflict
        engine.write_limit, engine.now = faults.write_limit, clock.now
        engine.advance = clock.advance
        calls = Calls()
        client.meta.events.register("before-call.dynamodb", calls)
        random.seed(7)
        kwargs: dict[str, Any] = {"shard": shard} if shard is not None and has_shard_keyword() else {}
        out = []
        # The job stops once `remaining()` < its 60 s margin: at `window` virtual seconds (840 by default, as a
        # Lambda of 900 s; a shorter window replays the start of the run only, then extrapolates).
        stop_at = window + get_settings().selection_stop_margin_seconds
        with app_clock.freeze(RUN_AT):
            for name in (label, f"{label}, re-run")[: 2 if rerun else 1]:
                clock.set(0.0)
                engine.reset()
                calls.n.clear()
                t0 = real_time.perf_counter()
                remaining = (lambda: stop_at - clock.now()) if budget else None
                result = selection_job.run_date(D, remaining=remaining, **kwargs)
                out.append(figures(name, result, engine, calls, clock.now(), real_time.perf_counter() - t0))
                out[-1].due = sum(kinds.values()) if len(out) == 1 else 0
                row(out[-1])
        client.meta.events.unregister("before-call.dynamodb", calls)
    out[0].calls["seeded kinds"] = dict(kinds)
    print(f"  ({label}: seeded and replayed in {real_time.perf_counter() - started:.0f} s wall)", flush=True)
    return out


def figures(label, result, engine, calls, seconds: float, wall: float) -> Figures:
    totals = result.totals()
    top = max(engine.written_keys.items(), key=lambda kv: kv[1], default=(("-", "-"), 0))
    return Figures(
        label=label,
        candidates=totals["candidates"],
        created=totals["created"],
        existing=totals["existing"],
        status=result.status + (f" ({result.reason})" if result.reason else ""),
        seconds=seconds,
        rcu=sum(v for (_, kind), v in engine.units.items() if kind == "read"),
        wcu=sum(v for (_, kind), v in engine.units.items() if kind == "write"),
        items_read=engine.items_read,
        write_calls=sum(n for op, n in engine.calls.items() if op in WRITES) - engine.throttled,
        write_sends=sum(n for op, n in engine.calls.items() if op in WRITES),
        calls=dict(calls.n),
        refused=dict(engine.refused),
        top_share=top[1] / max(engine.item_writes, 1),
        top_key=f"{top[0][0]} {top[0][1]}",
        serial=dict(engine.serial),
        wall=wall,
    )


# --- report ---------------------------------------------------------------------------------------
def per(a: float, b: float) -> float:
    # nan for a case not run (or nothing to divide by): it meets no target, above or below.
    return a / b if b else float("nan")


HEADER = (
    f"{'run':<40} {'cand.':>9} {'created':>9} {'status':<24} {'virtual s':>9} {'tasks/s':>8} "
    f"{'items/c':>7} {'RCU/c':>6} {'WCU/task':>8} {'wr.req/task':>13} {'wr.sends/task':>13} {'wall s':>6}"
)


def row(f: Figures) -> None:
    print(
        f"{f.label:<40} {f.candidates:>9,} {f.created:>9,} {f.status:<24} {f.seconds:>9.1f} "
        f"{per(f.created, f.seconds):>8.0f} {per(f.items_read, f.candidates):>7.3f} "
        f"{per(f.rcu, f.candidates):>6.3f} {per(f.wcu, f.created):>8.2f} {per(f.write_calls, f.created):>13.3f} "
        f"{per(f.write_sends, f.created):>13.3f} {f.wall:>6.0f}",
        flush=True,
    )


def bench_environment() -> None:
    """The process's settings for `python -m bench.replay` (not at import: the tests import this module)."""
    os.environ.update(
        {
            "FIELDDESK_STAGE": "test",
            "FIELDDESK_DEV_TOKENS": "true",  # what the test stage requires to start (no JWKS); no token is used
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_ACCESS_KEY_ID": "replay",
            "AWS_SECRET_ACCESS_KEY": "replay",
            "POWERTOOLS_TRACE_DISABLED": "true",
            "POWERTOOLS_METRICS_DISABLED": "true",
            "POWERTOOLS_LOG_LEVEL": "ERROR",
            "FIELDDESK_SAMPLE_SELECTION": "false",
        }
    )


def main(argv: list[str] | None = None) -> int:
    bench_environment()
    from chalicelib.wiring import install

    install()  # the domain's ports bound, as app.py and the schedules bind them (else: "port ... not bound")
    ap = argparse.ArgumentParser(prog="python -m bench.replay")
    ap.add_argument("--per-candidate", type=int, default=10_000, help="candidates of the per-candidate case")
    ap.add_argument("--single", type=int, default=100_000, help="candidates in one invocation")
    ap.add_argument("--fanout", type=int, default=1_000_000, help="candidates fanned out over the shards")
    ap.add_argument("--fanout-replayed", type=int, default=1, help="shards of the fan-out replayed (others sized)")
    ap.add_argument(
        "--window", type=float, default=BUDGET_S - 60, help="virtual seconds the 100k and 1M cases run (840: a Lambda)"
    )
    ap.add_argument("--latency-ms", type=float, default=10.0)
    ap.add_argument("--throttle", type=float, default=0.05)
    ap.add_argument("--tx-conflict", type=float, default=0.01)
    ap.add_argument("--load-conflict", type=float, default=0.05)
    ap.add_argument("--workers", type=int, default=8)
    args = ap.parse_args(argv)
    faults = Faults(args.latency_ms / 1000, args.throttle, args.tx_conflict, args.load_conflict)
    from chalicelib.config import get_settings

    shards = get_settings().selection_shards
    print(
        f"replay: selection_job.run_date through boto3/botocore on an in-memory DynamoDB (no moto, no network); "
        f"{args.workers} workers, {args.latency_ms:g} ms per request, {faults.throttle:.0%} of task puts and "
        f"transactions throttled, {faults.tx_conflict:.0%} of transactions cancelled by a conflict, "
        f"{faults.load_conflict:.0%} of agents' LOAD writes refused by a conflict; "
        f"{BRANCHES} branches x {AGENTS} callback agents; virtual time",
        flush=True,
    )
    print(HEADER, flush=True)
    # A case given 0 candidates is not run (its targets print as not run, and the exit status is 1).
    skipped = Figures("not run", status="not run")
    first, again = (
        replay(f"{args.per_candidate:,} candidates", args.per_candidate, faults, workers=args.workers, rerun=True)
        if args.per_candidate
        else (skipped, skipped)
    )
    single = (
        replay(
            f"{args.single:,} candidates, one invocation",
            args.single,
            faults,
            workers=args.workers,
            budget=True,
            window=args.window,
        )[0]
        if args.single
        else skipped
    )
    keyword = has_shard_keyword()
    fan = []
    for k in range(min(args.fanout_replayed, shards) if args.fanout else 0):
        fan.append(
            replay(
                f"{args.fanout:,} candidates, shard {k} of {shards}",
                args.fanout,
                faults,
                workers=args.workers,
                shard=k,
                budget=True,
                window=args.window,
            )[0]
        )
    book_size = round(args.single / sum(DAY_SHARES.values()))
    print(
        f"\nseed: a day of a book of ~{book_size:,} accounts per {args.single:,} candidates "
        f"({', '.join(f'{k} {v / sum(DAY_SHARES.values()):.0%}' for k, v in DAY_SHARES.items())}); "
        "the sample not replayed"
    )
    for f in (f for f in (first, single, *fan) if f is not skipped):
        print(f"  {f.label}: refused {f.refused}; hottest written key {f.top_key} ({f.top_share:.2%} of item writes)")
        print(f"    API calls {f.calls}")
        print(f"    requests from the job's main thread (the workers wait meanwhile) {f.serial}")
    fan_s = max((f.whole_s() for f in fan), default=float("nan"))
    for f in (single, *fan):
        if f is not skipped and not f.status.startswith("completed"):
            print(
                f"  {f.label}: stopped at {f.seconds:.0f} s (window {args.window:g} s) with {f.created:,} of "
                f"{f.due:,} tasks; at that rate the whole takes ~{f.whole_s():,.0f} s (the next runs resume it)"
            )
    fan_note = (
        f"run_date(day, shard=k), {len(fan)} of {shards} invocations replayed"
        if keyword
        else f"fan-out modelled, not run through the code (run_date has no `shard` keyword): shard k's "
        f"candidates seeded alone, {len(fan)} of {shards} invocations replayed"
    )
    print(f"\n1M fan-out: {fan_note}; the invocations run in parallel, so its time is the slowest one's")
    ideal = args.workers / faults.latency
    # The hottest key of any replayed run: one invocation and each replayed shard of the fan-out (a shard's
    # run writes its own shard's keys only, so its shares differ from the single run's).
    ran = [f for f in (single, *fan) if f is not skipped]
    hottest = max(ran, key=lambda f: f.top_share, default=None)
    checks = [
        ("items read per candidate <= 1.2", per(first.items_read, first.candidates), 1.2),
        ("RCU per candidate <= 0.5", per(first.rcu, first.candidates), 0.5),
        ("re-run RCU <= 1.5x first-run RCU", per(again.rcu, first.rcu), 1.5),
        ("WCU per new task <= 6", per(first.wcu, first.created), 6),
        ("write requests per task <= 1.05 (throttles, contention)", per(first.write_calls, first.created), 1.05),
        (
            "largest share of a run's writes on one partition key <= 5% "
            f"({hottest.label + ': ' + hottest.top_key if hottest else 'no run'})",
            hottest.top_share if hottest else float("nan"),
            0.05,
        ),
        (f"{args.single:,} candidates: modelled run time <= 420 s, one invocation", single.whole_s(), 420),
        (f"{args.fanout:,} candidates: modelled run time <= 840 s, fan-out", fan_s, 840),
    ]
    low = [
        (
            f"tasks/s >= 0.8 x workers / latency = {0.8 * ideal:.0f} ({args.single:,} run)",
            per(single.created, single.seconds),
            0.8 * ideal,
        ),
    ]
    failed = False
    print()
    for name, value, target in checks:
        ok = value <= target
        failed |= not ok
        print(f"{'ok' if ok else 'MISS':<4} {name}: {value:.3f} (target {target:g})")
    for name, value, target in low:
        ok = value >= target
        failed |= not ok
        print(f"{'ok' if ok else 'MISS':<4} {name}: {value:.1f}")
    if not first.status.startswith("completed"):
        failed = True
        print(f"MISS {first.label} ended {first.status}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
