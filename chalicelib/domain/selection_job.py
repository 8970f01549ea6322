"""Running the daily selection for a business date: modes, resumption, catch-up.

- Candidates: account events from the selection inbox (dated up to D, whenever they
  arrived), departures waiting for selection, then dormant, periodic and the 10% sample
  from their date-bucketed indexes. An inbox entry leaves the inbox once its task exists (a
  hundred entries per transaction, after their tasks: selection_create.consume_later).
- First run of a date (its run record created conditionally): candidates are
  written conditionally without reading anything first.
- Re-run or resume (run record exists, or a concurrent run won it): the task
  keys of each page of candidates are read in one BatchGet and only missing
  tasks are written, so a re-run of a finished date writes nothing. An index trigger
  (dormant, periodic, sample) a run went through completely is recorded on the
  run record (`done_triggers`) and not read again; the inbox always is (it
  holds only what is still waiting).
- Every run, first or not, holds a sampled candidate back at the quarter's cap (001), counted
  from the account's tasks and this run's own (domain/quarter_callbacks.py).
- Triggers run in `selection.ORDER`; inside a trigger each account appears once,
  so a small thread pool writes in parallel. A phase does not wait for the last
  writes of the one before (each task is its own put: two tasks of one account
  never meet), except the sample's, whose cap counts the earlier phases' callbacks.
- Back-pressure, not failure (issue 18): a throttled request (botocore's retries spent, or a
  LOAD or consume transaction cancelled with ThrottlingError), a fault and a transaction conflict are retried
  with full-jitter backoff while the time budget lasts (selection_patience.py). The job's entry
  points run it under `storage.clients.job_retries()`: botocore resends a throttled request after
  DynamoDB's 50 ms, not standard mode's random 0-1 s. A task put is not resent by botocore: a throttled
  task goes back to the pool's queue with its backoff and its worker sends the next one meanwhile; if
  more than a quarter of the puts of a second are throttled, every put waits, longer each such second
  (selection_create.py, selection_patience.SendPace).
  A run that cannot finish stops cleanly: status "partial", the watermark stays,
  and the next scheduled or operator run resumes the date (every task key is
  deterministic and written conditionally: none is created twice).
- Agents' load: the least-loaded agent is chosen from counts held in memory for
  the run; each agent's new tasks are added to its own `LOAD` item in one write
  every SETTLE_EVERY tasks and at the end, never inside a task's transaction (8 workers on a branch of two
  agents used to conflict on it), and after a consistent read of the agents: a
  task given to an agent who departed meanwhile goes back to the branch queue.
  The adds run on the worker pool (issue 18: the main thread writing them one by one every 250 tasks
  while the workers waited held a run at 62 tasks/s) and are fenced, so a retried add counts once.
- One date that fails or stays partial never blocks the later ones
  (`run_scheduled`); the watermark stops before it, so the next run retries it.

Where it lives: this module holds the entry points (`run_date`, `run_scheduled`, `run_and_advance`, the
watermark); one date's run is `selection_run._Run`, built of `selection_create` (one task's write),
`selection_loads` (the agents' LOAD bookkeeping) and `selection_patience` (time budget and backoff);
`selection_results` holds what a run reports. The names callers import from here are re-exported below.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from datetime import date, timedelta

from .. import clock
from ..config import get_settings
from ..errors import DomainError
from ..observability import logger
from .selection_patience import TRANSIENT, OutOfTime
from .selection_ports import SELECTION_JOB, SELECTION_RUNS
from .selection_results import RunResult, TriggerCounts, summary_lines
from .selection_run import _Run
from .watermark_ports import WATERMARKS

__all__ = [
    "TRANSIENT",
    "OutOfTime",
    "RunResult",
    "TriggerCounts",
    "_Run",
    "advance_watermark",
    "dates_to_run",
    "run_and_advance",
    "run_date",
    "run_scheduled",
    "summary_lines",
    "watermark",
]


def run_date(
    day: date, *, dry_run: bool = False, remaining: Callable[[], float] | None = None, shard: int | None = None
) -> RunResult:
    """Select and create the callback tasks of one business date. Safe to repeat, resume and run concurrently.

    `shard=None`: every shard in this process (one run record for the date). `shard=k`: only shard k's
    candidates, plus the per-date parts if this call claims them (domain/selection_fanout.py); the date
    completes when its last shard does."""
    if shard is not None:
        from . import selection_fanout

        return selection_fanout.run_shard(day, shard, dry_run=dry_run, remaining=remaining)
    runs = SELECTION_RUNS()
    existing = runs.get_run(day)
    now = clock.iso(clock.now())
    if dry_run:
        mode = "dry_run"
    elif existing is None:
        mode = "first" if runs.start_run(day, now) else "resume"  # or a concurrent run started it
    else:
        mode = "resume"
    job = _Run(day, mode, remaining, done=(existing or {}).get("done_triggers", []) if mode == "resume" else ())
    reason = None
    try:
        job.run()
    except DomainError as err:  # the database refused (retries spent): recorded, the next run retries the date
        reason = type(err).__name__
        logger.warning(
            "callback selection run failed; the date stays for the next run",
            extra={"business_date": str(day), "error": reason},
        )
    if reason:
        status = "failed"
    elif job.stopped or job.incomplete:
        status, reason = "partial", "out_of_time" if job.stopped else "incomplete"
    else:
        status = "completed"
    counts = {t: asdict(c) for t, c in job.counts.items()}
    result = RunResult(business_date=str(day), mode=mode, status=status, counts=counts, reason=reason)
    created = result.totals()["created"]
    if mode == "first" or (
        mode == "resume" and (created or (existing or {}).get("status") != status or job.done != job.done_before)
    ):
        # A re-run of a finished date that created nothing writes nothing, not even its run record.
        try:
            job.patiently(
                runs.finish_run,
                day,
                status,
                clock.iso(clock.now()),
                counts,
                0 if mode == "first" else 1,
                sorted(job.done),
                conflicts=True,
                finishing=True,
            )
        except (OutOfTime, *TRANSIENT):
            pass  # the run record says "running" or its last status: the next run resumes the date anyway
    logger.info(
        "callback selection run",
        extra={
            "business_date": str(day),
            "mode": mode,
            "status": status,
            "reason": reason,
            "retries": job.retries,
            "totals": result.totals(),
        },
    )
    return result


def run_and_advance(day: date, *, remaining: Callable[[], float] | None = None) -> RunResult:
    """An operator's run: the watermark moves only if this date is the next one after it."""
    result = run_date(day, remaining=remaining)
    mark = watermark()
    if result.status == "completed" and mark is not None and day == mark + timedelta(days=1):
        advance_watermark(day)
    return result


def watermark() -> date | None:
    """The last business date the selection completed with every date before it (None before its first)."""
    mark = WATERMARKS().get(SELECTION_JOB)
    return date.fromisoformat(mark) if mark else None


def advance_watermark(day: date) -> bool:
    """Move the watermark to `day`, only forward (two shards finishing together never move it back)."""
    return WATERMARKS().advance(SELECTION_JOB, day.isoformat(), clock.iso(clock.now()))


def dates_to_run(target: date, watermark: date | None, max_days: int) -> list[date]:
    """The missed dates after the watermark up to `target`, in order, at most `max_days` per invocation."""
    start = target if watermark is None else watermark + timedelta(days=1)
    days: list[date] = []
    day = start
    while day <= target and len(days) < max_days:
        days.append(day)
        day += timedelta(days=1)
    return days


def run_scheduled(today: date, *, remaining: Callable[[], float] | None = None) -> list[RunResult]:
    """The 02:00 run: yesterday, after catching up every missed date in order.

    A date that fails or stays incomplete does not block the later ones: they run, and the watermark stops
    before the first date not completed, so the next run retries it (and skips the completed ones after it,
    moving the watermark over them). Only running out of time ends the loop."""
    s = get_settings()
    target = today - timedelta(days=1)
    mark = watermark()
    if mark is not None and target - mark > timedelta(days=s.selection_catch_up_max_days):
        logger.warning(
            "selection is far behind; catching up in steps", extra={"watermark": str(mark), "target": str(target)}
        )
    results = []
    behind = False  # a date before this one was not completed: the watermark waits for it
    for day in dates_to_run(target, mark, s.selection_catch_up_max_days):
        if remaining is not None and remaining() < s.selection_stop_margin_seconds:
            break
        try:
            run = SELECTION_RUNS().get_run(day)
        except TRANSIENT as err:
            results.append(RunResult(str(day), "resume", "failed", {}, reason=type(err).__name__))
            behind = True
            continue
        if run and run.get("status") == "completed":
            if not behind:
                advance_watermark(day)
            results.append(RunResult(str(day), "resume", "already_completed", run.get("counts", {})))
            continue
        try:
            result = run_date(day, remaining=remaining)
        except Exception as err:  # noqa: BLE001 - a bad date (its data, a bug) must not stop the later dates
            logger.exception(
                "callback selection of a date raised; the later dates still run",
                extra={"business_date": str(day), "error": type(err).__name__},
            )
            result = RunResult(str(day), "resume", "failed", {}, reason=type(err).__name__)
        results.append(result)
        if result.status == "completed":
            if not behind:
                advance_watermark(day)
            continue
        behind = True
        if result.reason == "out_of_time":
            break  # the watermark stays so the next run resumes this date
    return results
