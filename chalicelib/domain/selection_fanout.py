"""Fan-out of the daily selection past one Lambda invocation (issue 18 §3).

"fits 100k candidates in one 15-minute run only if nothing throttles, and has no way past one
invocation": a date is split by the shard of its accounts (the `SELECT#<shard>`, `ACTIVE#<date>#<shard>`
and `PERIODIC#...#<shard>` partitions hold disjoint accounts), and each shard runs in its own invocation.

- The 02:00 schedule (`fan_out_scheduled`) queues one message per (date, shard) not yet completed, for
  the missed dates after the watermark; a shard queued within `selection_requeue_after_seconds` is not
  queued again (its message may still be alive), so a repeated schedule sends nothing.
- A message runs `run_shard(day, k)`: shard k's candidates, resumable (its record keeps the index triggers
  it finished) and exactly once (every task key is deterministic and written conditionally; the first
  delivery writes without reading, later ones resume). Out of time, the handler queues a continuation.
- The parts that are not per shard (departures, the 10% sample, DOMAIN 4) run once per date, in whichever
  shard claims them first (a lease on the date's run record; a crashed holder's lease lapses).
- The date completes, and the watermark moves over it and over the completed dates after it, only when
  every shard and the per-date parts are completed; a failing shard (its message dead-lettered) keeps
  only its date open, never the other shards nor the later dates.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict
from datetime import date, timedelta

from .. import clock
from ..config import get_settings
from ..errors import DomainError
from ..models.tasks import Trigger
from ..observability import logger
from . import selection as rules
from .selection_job import advance_watermark, dates_to_run, watermark
from .selection_patience import TRANSIENT, OutOfTime
from .selection_ports import COMPLETED, SELECTION_RUNS, ShardQueue
from .selection_results import RunResult
from .selection_run import _Run

COMMON_TRIGGERS = (Trigger.departed_manager.value, Trigger.sample.value)
SHARD_TRIGGERS = tuple(t for t in rules.ORDER if t not in COMMON_TRIGGERS)
SHARD_PHASES = ("inbox", Trigger.dormant.value, Trigger.periodic.value)
COMMON_PHASES = ("departures", Trigger.sample.value)
COUNTED = ("candidates", "created", "existing", "capped", "queued", "late", "provisional")


def message(day: date, shard: int, continuation: int = 0) -> dict:
    return {"business_date": str(day), "shard": shard, "continuation": continuation}


def _sum_counts(parts: Iterable[dict]) -> dict:
    total: dict[str, dict] = {}
    for counts in parts:
        for trigger, c in (counts or {}).items():
            into = total.setdefault(trigger, {k: 0 for k in COUNTED} | {"skipped": {}})
            for k in COUNTED:
                into[k] += int(c.get(k, 0))
            for reason, n in (c.get("skipped") or {}).items():
                into["skipped"][reason] = into["skipped"].get(reason, 0) + int(n)
    return total


def _ensure_run(day: date) -> dict:
    """The date's run record, created (status running) if no run started it yet."""
    runs = SELECTION_RUNS()
    existing = runs.get_run(day)
    if existing is not None:
        return existing
    runs.start_run(day, clock.iso(clock.now()))  # False: a concurrent schedule or shard created it
    return runs.get_run(day) or {}


def advance_over_completed(day: date | None = None) -> date | None:
    """Move the watermark over every completed date right after it (a date completed by its last shard may
    close a gap before later dates already completed). No watermark yet: `day`, once completed."""
    s = get_settings()
    runs = SELECTION_RUNS()
    mark = watermark()
    if mark is None:
        if day is None or (runs.get_run(day) or {}).get("status") != "completed":
            return None
        advance_watermark(day)
        mark = day
    for _ in range(s.selection_catch_up_max_days):
        following = mark + timedelta(days=1)
        if (runs.get_run(following) or {}).get("status") != "completed":
            break
        advance_watermark(following)
        mark = following
    return mark


def complete_if_done(day: date) -> bool:
    """Mark the date completed (its counts the sum of its shards' and the per-date parts' last runs) once
    every part is; then advance the watermark. Every finishing shard calls it after writing its own record,
    so the last one to finish sees them all."""
    runs = SELECTION_RUNS()
    run = runs.get_run(day) or {}
    if run.get("status") != "completed":
        shards = runs.shard_runs(day)
        if run.get("common_status") != COMPLETED or any(
            shards.get(k, {}).get("status") != COMPLETED for k in range(get_settings().selection_shards)
        ):
            return False
        counts = _sum_counts([shards[k].get("counts", {}) for k in sorted(shards)] + [run.get("common_counts", {})])
        runs.finish_run(day, "completed", clock.iso(clock.now()), counts, 0, [])
    advance_over_completed(day)
    return True


def _part_counts(job: _Run, triggers: Iterable[str]) -> dict:
    return {t: asdict(job.counts[t]) for t in triggers}


def run_shard(
    day: date, shard: int, *, dry_run: bool = False, remaining: Callable[[], float] | None = None
) -> RunResult:
    """One shard of a date: its candidates, and the per-date parts if this call claims them."""
    s = get_settings()
    if not 0 <= shard < s.selection_shards:
        raise ValueError(f"shard {shard} is not one of the {s.selection_shards} selection shards")
    if dry_run:
        job = _Run(day, "dry_run", remaining, shards=[shard], common=True)
        job.run()
        counts = {t: asdict(c) for t, c in job.counts.items()}
        status = "partial" if job.stopped else "completed"
        return RunResult(str(day), "dry_run", status, counts, reason="out_of_time" if job.stopped else None)
    runs = SELECTION_RUNS()
    run = _ensure_run(day)
    if run.get("status") == "completed":
        return RunResult(str(day), "resume", "already_completed", {}, shards=[shard])
    record = runs.shard_runs(day).get(shard, {})
    shard_done = record.get("status") == COMPLETED
    now = clock.now()
    owner = f"shard-{shard}"
    # The lease outlives this invocation's budget: a crashed holder's parts are taken over after it.
    lease = (remaining() if remaining else 0) + s.selection_stop_margin_seconds + 900
    claimed = runs.claim_common(day, owner, clock.iso(now), clock.iso(now + timedelta(seconds=lease)))
    if shard_done and claimed is None:
        complete_if_done(day)  # a holder that finished may have crashed before completing the date
        return RunResult(str(day), "resume", "already_completed", {}, shards=[shard])
    first = False if shard_done else runs.start_shard(day, shard, clock.iso(now))
    fresh_common = claimed is not None and not claimed.get("common_status") and not claimed.get("common_owner")
    mode = "first" if (first or shard_done) and (claimed is None or fresh_common) else "resume"
    done = set() if shard_done else set(record.get("done_triggers", []))
    if claimed is not None:
        done |= set(claimed.get("common_done", []))
    job = _Run(day, mode, remaining, done=done, shards=[] if shard_done else [shard], common=claimed is not None)
    reason = None
    try:
        job.run()
    except Exception as err:  # noqa: BLE001 - the database refused (retries spent), or a bad record: the
        # shard is recorded failed and its message retried, then dead-lettered; the other shards go on.
        reason = type(err).__name__
        logger.exception(
            "callback selection shard failed; it stays for a retry",
            extra={"business_date": str(day), "shard": shard, "error": reason},
        )

    def part_status(triggers: Iterable[str], phases: Iterable[str]) -> str:
        if reason:
            return "failed"
        return COMPLETED if job.part_completed(triggers, phases) else "partial"

    at = clock.iso(clock.now())
    statuses = []
    try:
        if not shard_done:
            statuses.append(part_status(SHARD_TRIGGERS, SHARD_PHASES))
            job.patiently(
                runs.finish_shard,
                day,
                shard,
                statuses[-1],
                at,
                _part_counts(job, SHARD_TRIGGERS),
                sorted(job.done & set(SHARD_TRIGGERS)),
                conflicts=True,
                finishing=True,
            )
        if claimed is not None:
            statuses.append(part_status(COMMON_TRIGGERS, COMMON_PHASES))
            job.patiently(
                runs.finish_common,
                day,
                owner,
                statuses[-1],
                at,
                _part_counts(job, COMMON_TRIGGERS),
                sorted(job.done & set(COMMON_TRIGGERS)),
                conflicts=True,
                finishing=True,
            )
    except (OutOfTime, *TRANSIENT):
        statuses.append("partial")  # the record says running: the next delivery resumes the shard
    if reason:
        status = "failed"
    elif all(st == COMPLETED for st in statuses):
        status = "completed"
        complete_if_done(day)
    else:
        status, reason = "partial", "out_of_time" if job.stopped else "incomplete"
    counts = {t: asdict(c) for t, c in job.counts.items()}
    result = RunResult(str(day), mode, status, counts, reason=reason, shards=[shard])
    logger.info(
        "callback selection shard",
        extra={
            "business_date": str(day),
            "shard": shard,
            "per_date_parts": claimed is not None,
            "mode": mode,
            "status": status,
            "reason": reason,
            "retries": job.retries,
            "totals": result.totals(),
        },
    )
    return result


def fan_out_scheduled(today: date, queue: ShardQueue) -> list[RunResult]:
    """The 02:00 run when a shard queue is configured: queue the shards of yesterday and of every missed
    date after the watermark that are not completed (nor queued recently); nothing runs here."""
    s = get_settings()
    now = clock.now()
    at, stale = clock.iso(now), clock.iso(now - timedelta(seconds=s.selection_requeue_after_seconds))
    runs = SELECTION_RUNS()
    results = []
    for day in dates_to_run(today - timedelta(days=1), watermark(), s.selection_catch_up_max_days):
        try:
            run = _ensure_run(day)
            if run.get("status") == "completed":
                results.append(RunResult(str(day), "fan_out", "already_completed", run.get("counts", {})))
                continue
            records = runs.shard_runs(day)
            wanted = [k for k in range(s.selection_shards) if records.get(k, {}).get("status") != COMPLETED]
            if not wanted and run.get("common_status") != COMPLETED:
                wanted = [0]  # every shard is done but the per-date parts are not: shard 0 claims them
            if not wanted and complete_if_done(day):
                results.append(RunResult(str(day), "fan_out", "completed", (runs.get_run(day) or {}).get("counts", {})))
                continue
            queued = [k for k in wanted if runs.mark_queued(day, k, at, stale)]
            if queued:
                try:
                    queue.send([message(day, k) for k in queued])
                except DomainError:
                    for k in queued:
                        runs.unmark_queued(day, k, at)
                    raise
            results.append(RunResult(str(day), "fan_out", "queued", {}, shards=queued))
        except DomainError as err:  # this date is queued by the next schedule; the later ones still are now
            logger.warning(
                "callback selection fan-out of a date failed", extra={"business_date": str(day), "error": str(err)}
            )
            results.append(RunResult(str(day), "fan_out", "failed", {}, reason=type(err).__name__))
    advance_over_completed()
    return results
