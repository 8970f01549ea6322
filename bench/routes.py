"""DynamoDB requests per API route and in-process latency (p50/p95) on moto.

Targets (issue 9, issue 18 §4): a read by id or a list makes at most 1 DynamoDB
request (auth is cached per container), a write with an Idempotency-Key at most 3,
a penalty entry at most 4. Each count is measured warm (the route ran once). Routes
without a target are printed for the record. Latency is printed for regressions
only; moto's speed is not AWS's.
Run: `make bench` (or `.venv/bin/python -m bench.routes`). Exits 1 if a target is missed.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
import uuid

from bench.harness import DynamoCounter, call, local_fieldesk, token

# Each timed route runs 100 times for one manager on one day: the daily caps would answer 429 after a few.
os.environ.setdefault("FIELDDESK_REGISTRATIONS_PER_MANAGER_PER_DAY", "100000")
os.environ.setdefault("FIELDDESK_POOL_DAILY_PICK_LIMIT", "100000")
# A warm container's cached auth (the targets count it as cached): the longest lifetime allowed, so a slow
# machine does not expire a staff record filled one scenario earlier between the warm and the counted call.
os.environ.setdefault("FIELDDESK_PRINCIPAL_CACHE_SECONDS", "30")


def visit_body():
    from chalicelib import clock

    return {
        "kind": "phone",
        "visited_at": clock.iso(clock.now()),
        "unit_name": "某单位",
        "person_met": "王先生",
        "person_contact": "13912345678",
        "discussed": "基金定投",
        "outlet_id": "ot-icbc-lujiazui",
    }


def pool_prospects(count: int):
    """`count` prospects in cm-001's branch pool, each to be claimed once."""
    from chalicelib import clock
    from chalicelib.domain.prospects import registration
    from chalicelib.wiring import prospects

    deps = prospects.deps()
    ids = []
    for n in range(count):
        record = registration.new_record(
            deps,
            branch_id="br-pudong",
            name="池客户",
            phone=f"137{n:08d}",
            id_number=None,
            prospect_class="B",
            source="own_network",
            outlet_id=None,
            first_contact_on=clock.today(),
            need="",
            note="",
            registered_by="sup-001",
            owner=None,
        )
        deps.repo.create(record, counted_for=None)
        ids.append(record.prospect_id)
    return iter(ids)


AGENT = "(callback agent: issue 18 §4, helper cbwork)"


def scenarios(client, iterations: int):
    """(name, target or None, callable returning (status, body)). Targets: issue 18 §4 - reads by id and
    lists 1 request (auth cached), writes with an Idempotency-Key at most 3, a penalty entry at most 4."""
    from datetime import timedelta

    from chalicelib import clock

    cm, sup, agent = token("cm-001"), token("sup-001"), token("cba-001")

    def key():
        return {"Idempotency-Key": uuid.uuid4().hex}

    _, created = call(client, "POST", "/v1/visits", visit_body(), token=cm)
    visit_id = created["visit_id"]
    yield "GET /v1/visits/{id} (read by id)", 1, lambda: call(client, "GET", f"/v1/visits/{visit_id}", token=cm)
    yield "GET /v1/me (read by id)", 1, lambda: call(client, "GET", "/v1/me", token=cm)
    yield (
        "POST /v1/visits + Idempotency-Key (create)",
        3,
        lambda: call(client, "POST", "/v1/visits", visit_body(), token=cm, headers=key()),
    )
    from chalicelib.storage import accounts

    served = accounts.list_manager_accounts("cm-001", limit=1).items
    if served:  # the demo book: a client cm-001 serves (the log counts toward its contact plan)
        with_account = {**visit_body(), "account_id": served[0]["account_id"]}
        yield (
            "POST /v1/visits + Idempotency-Key (naming a served client)",
            3,
            lambda: call(client, "POST", "/v1/visits", with_account, token=cm, headers=key()),
        )
    yield "GET /v1/visits (mine, 20)", 1, lambda: call(client, "GET", "/v1/visits", token=cm)
    yield (
        "GET /v1/visits?manager_id= (supervisor, filtered)",
        1,
        lambda: call(client, "GET", "/v1/visits?manager_id=cm-001", token=sup),
    )
    yield "GET /v1/visits (supervisor, branch)", 1, lambda: call(client, "GET", "/v1/visits", token=sup)

    phones = iter(f"139{n:08d}" for n in range(10_000_000))

    def prospect():
        return {
            "name": "测试",
            "phone": next(phones),
            "class": "B",
            "source": "own_network",
            "first_contact_on": clock.today().isoformat(),
        }

    _, p = call(client, "POST", "/v1/prospects", prospect(), token=cm)
    yield (
        "GET /v1/prospects/{id} (read by id)",
        1,
        lambda: call(client, "GET", f"/v1/prospects/{p['prospect_id']}", token=cm),
    )
    yield (
        "POST /v1/prospects + Idempotency-Key (create)",
        3,
        lambda: call(client, "POST", "/v1/prospects", prospect(), token=cm, headers=key()),
    )
    yield "GET /v1/prospects (mine, 20)", 1, lambda: call(client, "GET", "/v1/prospects", token=cm)
    yield (
        "GET /v1/prospects?owner_id= (supervisor)",
        1,
        lambda: call(client, "GET", "/v1/prospects?owner_id=cm-001", token=sup),
    )
    yield "GET /v1/prospects/pool (list)", 1, lambda: call(client, "GET", "/v1/prospects/pool", token=cm)
    pooled = pool_prospects(iterations + 2)
    yield (
        "POST /v1/prospects/{id}/claim + Idempotency-Key (pool claim)",
        3,
        lambda: call(client, "POST", f"/v1/prospects/{next(pooled)}/claim", None, token=cm, headers=key()),
    )

    def penalty():
        return {
            "manager_id": "cm-001",
            "rule_code": "DRESS",
            "evidence_note": "未佩戴工牌",
            "breach_date": (clock.today() - timedelta(days=1)).isoformat(),
        }

    _, pen = call(client, "POST", "/v1/penalties", penalty(), token=sup)
    yield (
        "GET /v1/penalties/{id} (read by id, with history)",
        1,
        lambda: call(client, "GET", f"/v1/penalties/{pen['penalty_id']}", token=sup),
    )
    yield (
        "POST /v1/penalties + Idempotency-Key (create, with flag checks)",
        4,
        lambda: call(client, "POST", "/v1/penalties", penalty(), token=sup, headers=key()),
    )
    yield (
        "GET /v1/penalties?manager_id= (supervisor)",
        1,
        lambda: call(client, "GET", "/v1/penalties?manager_id=cm-001", token=sup),
    )
    yield "GET /v1/flags?staff_id= (supervisor)", 1, lambda: call(client, "GET", "/v1/flags?staff_id=cm-001", token=sup)
    _, mine = call(client, "GET", "/v1/callback-tasks/mine", token=agent)
    if mine and mine.get("items"):
        task_id = mine["items"][0]["task_id"]
        yield (
            f"GET /v1/callback-tasks/{{id}} {AGENT}",
            1,
            lambda: call(client, "GET", f"/v1/callback-tasks/{task_id}", token=agent),
        )
    yield (
        f"GET /v1/callback-tasks/mine {AGENT}",
        1,
        lambda: call(client, "GET", "/v1/callback-tasks/mine", token=agent),
    )
    queued, held = callback_tasks(iterations + 2, None), callback_tasks(iterations + 2, "cba-001")
    yield (
        "POST /v1/callback-tasks/{id}/claim + Idempotency-Key (queue claim)",
        3,
        lambda: call(client, "POST", f"/v1/callback-tasks/{next(queued)}/claim", None, token=agent, headers=key()),
    )
    no_answer = {"channel": "phone", "reached": False, "reason": "no_answer"}
    yield (
        "POST /v1/callback-tasks/{id}/attempts + Idempotency-Key (no answer)",
        3,
        lambda: call(
            client, "POST", f"/v1/callback-tasks/{next(held)}/attempts", no_answer, token=agent, headers=key()
        ),
    )


def callback_tasks(count: int, assignee: str | None):
    """`count` open dormant tasks of the demo branch, each on its own account: in the queue (no assignee) or
    held by `assignee`. Each claim or first attempt takes a fresh one."""
    from tests.factories.tasks import make_account, make_task

    prefix = "RQ" if assignee is None else "RH"
    ids = [
        make_task("dormant", make_account(f"{prefix}{i:05d}")["account_id"], assignee_id=assignee)["task_id"]
        for i in range(count)
    ]  # written now, not while a route's requests are counted
    return iter(ids)


def main(iterations: int = 100) -> int:
    failures = []
    rows = []
    with local_fieldesk(demo=True) as client, DynamoCounter() as counter:
        for name, target, run in scenarios(client, iterations):
            run()  # warm: principal and outlet caches, lazily created clients
            counter.reset()
            status, body = run()
            if status >= 400:
                failures.append(f"{name}: HTTP {status} {body}")
            requests = counter.total
            detail = dict(counter.requests)
            samples = []
            for _ in range(iterations):
                started = time.perf_counter()
                run()
                samples.append((time.perf_counter() - started) * 1000)
            samples.sort()
            p50 = statistics.median(samples)
            p95 = samples[int(len(samples) * 0.95) - 1]
            ok = target is None or requests <= target
            if not ok:
                failures.append(f"{name}: {requests} DynamoDB requests > target {target}")
            rows.append((name, requests, target, detail, p50, p95, ok))
    print(f"{'route':<62} {'ddb req':>7} {'target':>6} {'p50 ms':>7} {'p95 ms':>7}  requests")
    for name, requests, target, detail, p50, p95, ok in rows:
        print(
            f"{name:<62} {requests:>7} {('<=' + str(target)) if target else '-':>6} {p50:>7.1f} {p95:>7.1f}  "
            f"{detail}{'' if ok else '  MISSED'}"
        )
    for f in failures:
        print("FAIL:", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 100))
