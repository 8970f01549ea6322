"""Nothing lost, nothing doubled, at a larger size: tests/fault_harness.py's flows (the API and the
CSV import) with its figures.

Target: 0 lost, 0 duplicated, 0 answers that are neither a success nor a retryable error, at 10%,
20% and 30% of DynamoDB calls faulted (throttles, applied-then-500, exhausted retries).
"""

from __future__ import annotations

import os
import sys
import time

os.environ.setdefault("FIELDDESK_STAGE", "test")
os.environ.setdefault("FIELDDESK_DEV_TOKENS", "true")
os.environ["FIELDDESK_IDEMPOTENCY_IN_PROGRESS_SECONDS"] = "0"
for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
    os.environ.setdefault(name, "testing")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
os.environ.setdefault("FIELDDESK_SELECTION_WORKERS", "1")  # moto in-process is not thread-safe
os.environ.setdefault("FIELDDESK_IMPORT_RETRY_BASE_SECONDS", "0.01")
os.environ.setdefault("FIELDDESK_ACCOUNT_FEED_MAX_EVENTS", "10")  # several batches, so resumes are exercised

SIZE = int(os.environ.get("FIELDDESK_BENCH_DURABILITY_SIZE", "20"))


def main() -> int:
    from chalice.test import Client

    from bench.harness import moto_backend
    from chalicelib import clock
    from chalicelib.observability import logger
    from tests.conftest import Api
    from tests.fault_harness import FaultInjector, run_flows, run_import_flow

    # tests.conftest sets INFO for the tests (a broken log call must break a test); here the figures are the
    # output, not ~500 request lines.
    logger.setLevel("WARNING")

    missed = 0
    for rate in (0.1, 0.2, 0.3):
        with moto_backend(), clock.freeze("2026-11-20T16:00:00+08:00"):
            from app import app
            from chalicelib.api import idempotency
            from chalicelib.auth import clear_principal_cache

            idempotency.reset()
            clear_principal_cache()
            with Client(app) as client:
                faults = FaultInjector(rate=rate, seed=int(rate * 100))
                started = time.perf_counter()
                figures = run_flows(Api(client), faults, size=SIZE)
                elapsed = time.perf_counter() - started
        print(
            f"-- fault rate {rate:.0%}: {dict(faults.counts)}; answers {dict(sorted(figures.answers.items()))}; "
            f"{elapsed:.1f} s"
        )
        for flow in ("visits", "penalties", "prospects", "attempts", "claims"):
            print("   " + figures.line(flow))
        with moto_backend(), clock.freeze("2026-11-20T16:00:00+08:00"):
            faults = FaultInjector(rate=rate, seed=int(rate * 100) + 1)
            imported = run_import_flow(faults, accounts=SIZE, transfers=3)
        print("   " + imported.line() + f"  faults {dict(faults.counts)}")
        missed += imported.lost + imported.duplicated + (imported.status != "completed")
        bad = (
            sum(figures.lost.values())
            + sum(figures.duplicated.values())
            + len(figures.bad_answers)
            + sum(figures.gave_up.values())
        )
        if figures.bad_answers:
            print(f"   answers neither success nor retryable: {figures.bad_answers[:10]}")
        missed += bad
    print("target 0 lost / 0 duplicated / 0 bad answers: " + ("met" if not missed else "MISSED"))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
