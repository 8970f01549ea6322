"""DynamoDB requests per API route and in-process latency (p50/p95) on moto.

Targets (issue 9): a read by id makes at most 1 DynamoDB request (auth is cached
per container), an idempotent create at most 3. Latency is printed for
regressions only; moto's speed is not AWS's.
Run: `make bench` (or `.venv/bin/python -m bench.routes`). Exits 1 if a target is missed.
"""
from __future__ import annotations

import statistics
import sys
import time
import uuid

from bench.harness import DynamoCounter, call, local_fieldesk, token


def visit_body():
    from chalicelib import clock

    return {"kind": "phone", "visited_at": clock.iso(clock.now()), "unit_name": "某单位", "person_met": "王先生",
            "person_contact": "13912345678", "discussed": "基金定投", "outlet_id": "ot-icbc-lujiazui"}


def scenarios(client):
    """(name, target or None, callable returning (status, body)). Targets: issue 9, part 2."""
    from datetime import timedelta

    from chalicelib import clock

    cm, sup, agent = token("cm-001"), token("sup-001"), token("cba-001")
    _, created = call(client, "POST", "/v1/visits", visit_body(), token=cm)
    visit_id = created["visit_id"]
    yield "GET /v1/visits/{id} (read by id)", 1, lambda: call(client, "GET", f"/v1/visits/{visit_id}", token=cm)
    yield "GET /v1/me (read by id)", 1, lambda: call(client, "GET", "/v1/me", token=cm)
    yield ("POST /v1/visits + Idempotency-Key (create)", 3,
           lambda: call(client, "POST", "/v1/visits", visit_body(), token=cm,
                        headers={"Idempotency-Key": uuid.uuid4().hex}))
    yield "GET /v1/visits (list, 20)", None, lambda: call(client, "GET", "/v1/visits", token=cm)

    phones = iter(f"139{n:08d}" for n in range(10_000_000))

    def prospect():
        return {"name": "测试", "phone": next(phones), "class": "B", "source": "own_network",
                "first_contact_on": clock.today().isoformat()}

    _, p = call(client, "POST", "/v1/prospects", prospect(), token=cm)
    yield ("GET /v1/prospects/{id} (read by id)", 1,
           lambda: call(client, "GET", f"/v1/prospects/{p['prospect_id']}", token=cm))
    yield ("POST /v1/prospects + Idempotency-Key (create)", 3,
           lambda: call(client, "POST", "/v1/prospects", prospect(), token=cm,
                        headers={"Idempotency-Key": uuid.uuid4().hex}))
    yield "GET /v1/prospects (mine, 20)", None, lambda: call(client, "GET", "/v1/prospects", token=cm)

    def penalty():
        return {"manager_id": "cm-001", "rule_code": "DRESS", "evidence_note": "未佩戴工牌",
                "breach_date": (clock.today() - timedelta(days=1)).isoformat()}

    _, pen = call(client, "POST", "/v1/penalties", penalty(), token=sup)
    yield ("GET /v1/penalties/{id} (read by id, with history)", 1,
           lambda: call(client, "GET", f"/v1/penalties/{pen['penalty_id']}", token=sup))
    yield ("POST /v1/penalties + Idempotency-Key (create, with flag checks)", None,
           lambda: call(client, "POST", "/v1/penalties", penalty(), token=sup,
                        headers={"Idempotency-Key": uuid.uuid4().hex}))
    _, mine = call(client, "GET", "/v1/callback-tasks/mine", token=agent)
    if mine and mine.get("items"):
        task_id = mine["items"][0]["task_id"]
        yield ("GET /v1/callback-tasks/{id} (read by id, with attempts)", None,
               lambda: call(client, "GET", f"/v1/callback-tasks/{task_id}", token=agent))
    yield "GET /v1/callback-tasks/mine (list)", None, lambda: call(client, "GET", "/v1/callback-tasks/mine",
                                                                  token=agent)


def main(iterations: int = 100) -> int:
    failures = []
    rows = []
    with local_fieldesk(demo=True) as client, DynamoCounter() as counter:
        for name, target, run in scenarios(client):
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
        print(f"{name:<62} {requests:>7} {('<=' + str(target)) if target else '-':>6} {p50:>7.1f} {p95:>7.1f}  "
              f"{detail}{'' if ok else '  MISSED'}")
    for f in failures:
        print("FAIL:", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 100))
