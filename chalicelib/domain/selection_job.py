"""Running the daily selection for a business date: modes, resumption, catch-up.

- Candidates: account events from the selection inbox (dated up to D, whenever they
  arrived), departures waiting for selection, then dormant, periodic and the 10% sample
  from their date-bucketed indexes. An inbox entry leaves the inbox in its task's transaction.
- First run of a date (its run record created conditionally): candidates are
  written conditionally without reading anything first.
- Re-run or resume (run record exists, or a concurrent run won it): the task
  keys of each page of candidates are read in one BatchGet, and so are the
  quarter counters of the routine ones, and only missing tasks under the cap
  are written, so a re-run of a finished date writes nothing.
- Triggers run in `selection.ORDER`; inside a trigger each account appears once,
  so a small thread pool writes in parallel without two writers on one
  account's counter. Throttling is retried by the adaptive botocore config;
  transaction conflicts (a concurrent run, a busy agent counter) are retried here.
- Before the Lambda deadline the run stops cleanly: status "partial", the
  watermark stays, and the next run resumes the date.
"""
from __future__ import annotations

import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import Callable, Iterable, Iterator

from .. import clock
from ..config import get_settings
from ..errors import ConditionFailed
from ..models.tasks import Trigger
from ..observability import logger
from ..storage import selection as store
from . import sample
from . import selection as rules



@dataclass
class TriggerCounts:
    candidates: int = 0
    created: int = 0
    existing: int = 0
    capped: int = 0          # sampled callbacks held back by the quarterly cap
    queued: int = 0          # created without an agent: waiting in the branch queue
    late: int = 0            # created after their deadline (the event arrived late): overdue from the start
    provisional: int = 0     # due dates decided by the weekends-only fallback of an unpublished year
    skipped: dict = field(default_factory=dict)  # other reasons, by reason

    def skip(self, reason: str) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + 1


@dataclass
class RunResult:
    business_date: str
    mode: str                 # first | resume | dry_run
    status: str               # completed | partial | already_completed (scheduled catch-up only)
    counts: dict

    def totals(self) -> dict:
        out = {"candidates": 0, "created": 0, "existing": 0, "capped": 0, "queued": 0, "late": 0, "provisional": 0}
        for c in self.counts.values():
            for k in out:
                out[k] += c.get(k, 0)
        return out


class OutOfTime(Exception):
    pass


class _Run:
    def __init__(self, day: date, mode: str, remaining: Callable[[], float] | None):
        self.day = day
        self.mode = mode
        self.remaining = remaining
        self.s = get_settings()
        self.quarter = rules.quarter_of(day)
        self.created_at = clock.iso(clock.now())
        self.counts = {t: TriggerCounts() for t in rules.ORDER}
        self.lock = threading.Lock()
        self.agents: dict[str, list[dict]] = {}
        self.loads: dict[str, int] = {}
        self.dry_counters: dict[str, int] = {}
        self.stopped = False
        self.incomplete = False  # something was left for the next run to resume

    # --- time ------------------------------------------------------------------------
    def out_of_time(self) -> bool:
        if self.remaining is not None and self.remaining() < self.s.selection_stop_margin_seconds:
            self.stopped = True
        return self.stopped

    # --- candidates -------------------------------------------------------------------
    def candidate_pages(self, trigger: str) -> Iterator[list[rules.Candidate]]:
        """Pages of one trigger's candidates. The inbox triggers come from `inbox_pages` instead."""
        day = self.day
        if trigger == Trigger.dormant.value:
            for page in store.last_active_on(rules.dormant_activity_date(day)):
                yield [rules.dormant(a, day) for a in page]
        elif trigger == Trigger.periodic.value:
            for tier in rules.TIERS:
                for page in store.periodic_due(tier, day, rules.period_days(tier)):
                    # A tier change moves the account to another bucket; read its cycle from the item.
                    yield [rules.periodic(a, tier, day) for a in page if store.periodic_tier(a) == tier]
        elif trigger == Trigger.sample.value:
            yield from sample.candidate_pages(day, self.mode == "dry_run", self.counts[trigger])

    def inbox_pages(self) -> Iterator[list[rules.Candidate]]:
        """Account events waiting for selection, dated up to D, whenever they arrived (late files too)."""
        for entries in store.inbox_pages(self.day):
            page = [rules.from_inbox(e) for e in entries if e.get("trigger") in rules.INBOX_TRIGGERS]
            # A transfer that arrived before its account's opening carries no branch: read the account.
            missing = [c.account_id for c in page if not c.account.get("branch_id")]
            if missing:
                found = store.accounts(missing)
                for c in page:
                    if not c.account.get("branch_id") and c.account_id in found:
                        c.account = {k: v for k, v in found[c.account_id].items() if k in rules.INBOX_SNAPSHOT}
            yield page

    def departures(self, pool: ThreadPoolExecutor) -> None:
        """Clients of managers who departed (any recorded date up to D): a departure is done once every
        client's task exists; a run that stops before that leaves it waiting for the next run."""
        for manager in store.departures_pending(self.day):
            departed_on = date.fromisoformat(manager["departed_on"])
            for page in store.manager_accounts(manager["staff_id"]):
                if self.out_of_time():
                    return
                self.process(Trigger.departed_manager.value,
                             [rules.departed_manager(a, manager["staff_id"], departed_on) for a in page], pool)
                if self.stopped:
                    return
            if self.mode != "dry_run":
                store.mark_departure_selected(manager["staff_id"], manager["departed_on"], self.created_at)

    # --- one page ------------------------------------------------------------------------
    def process(self, trigger: str, page: list[rules.Candidate], pool: ThreadPoolExecutor) -> None:
        counts = self.counts[trigger]
        counts.candidates += len(page)
        todo = []
        for c in page:
            if rules.too_old(c, self.day):
                counts.skip("older_than_late_limit")
                if self.mode != "dry_run":
                    store.consume(c.inbox_key, "")
                continue
            reason = rules.skip_reason(trigger, c.account, self.day)
            if reason:
                counts.skip(reason)  # an inbox entry skipped stays waiting (e.g. for its account's opening)
            else:
                todo.append(c)
        if not todo:
            return
        if self.mode != "first":
            existing = store.existing_tasks([c.task_id for c in todo])
            counts.existing += sum(1 for c in todo if c.task_id in existing)
            if self.mode != "dry_run":
                for c in todo:
                    if c.task_id in existing and c.inbox_key:
                        store.consume(c.inbox_key, c.task_id)
            todo = [c for c in todo if c.task_id not in existing]
            routine = [c.account_id for c in todo if c.sampled]
            if routine:
                known = store.quarter_counts(routine, self.quarter)
                still = []
                for c in todo:
                    count = known.get(c.account_id, 0) + self.dry_counters.get(c.account_id, 0)
                    if rules.within_cap(count, trigger):
                        still.append(c)
                    else:
                        counts.capped += 1
                todo = still
        if self.mode == "dry_run":
            for c in todo:
                counts.created += 1
                self.dry_counters[c.account_id] = self.dry_counters.get(c.account_id, 0) + 1
            return
        for future in [pool.submit(self.create, c) for c in todo]:
            future.result()

    # --- one task -------------------------------------------------------------------------
    def _branch_agents(self, branch_id: str, refresh: bool = False) -> list[dict]:
        with self.lock:
            if refresh or branch_id not in self.agents:
                agents = store.branch_agents(branch_id)
                self.agents[branch_id] = agents
                for a in agents:
                    self.loads.setdefault(a["staff_id"], int(a.get("open_tasks", 0)))
            return self.agents[branch_id]

    def _pick(self, c: rules.Candidate, refresh: bool) -> str | None:
        agents = self._branch_agents(c.account["branch_id"], refresh)
        with self.lock:
            agent = rules.choose_agent(agents, self.loads, c.account.get("serving_manager_id"))
            if agent:
                self.loads[agent] += 1
            return agent

    def _unpick(self, agent: str | None) -> None:
        if agent:
            with self.lock:
                self.loads[agent] -= 1

    def create(self, c: rules.Candidate) -> None:
        counts = self.counts[c.trigger]
        if self.out_of_time():
            return
        cap = self.s.callbacks_per_quarter if c.sampled else None
        refresh = False
        for attempt in range(self.s.selection_conflict_retries + 1):
            agent = self._pick(c, refresh)
            record = rules.build_task(c, self.day, self.created_at, agent)
            outcome = store.create_task(record, self.quarter, cap, c.inbox_key)
            if outcome == "created":
                with self.lock:
                    counts.created += 1
                    counts.queued += agent is None
                    counts.late += record.late_arrival
                    counts.provisional += record.due_provisional
                return
            self._unpick(agent)
            if outcome == "exists":
                if c.inbox_key:
                    store.consume(c.inbox_key, c.task_id)
                with self.lock:
                    counts.existing += 1
                return
            if outcome == "capped":
                with self.lock:
                    counts.capped += 1
                return
            refresh = outcome == "agent_unavailable"  # departed or changed role since we read the branch
            if outcome == "conflict":
                time.sleep(random.uniform(0, 0.05 * (2 ** attempt)))
        # Never abort the whole run for one busy task: count it, and leave the date partial so the next
        # run (scheduled or operator) resumes and creates it.
        logger.warning("task kept conflicting; the date stays partial", extra={"task_id": c.task_id})
        with self.lock:
            counts.skip("kept_conflicting")
            self.incomplete = True

    def _pages(self, pages: Iterable[list[rules.Candidate]], pool: ThreadPoolExecutor) -> bool:
        """Process pages (each split by trigger, risk first); False once out of time."""
        for page in pages:
            if self.out_of_time():
                return False
            for trigger in rules.ORDER:
                of_trigger = [c for c in page if c.trigger == trigger]
                if of_trigger:
                    self.process(trigger, of_trigger, pool)
            if self.stopped:
                return False
        return True

    def run(self) -> None:
        with ThreadPoolExecutor(max_workers=max(1, self.s.selection_workers)) as pool:
            if not self._pages(self.inbox_pages(), pool):
                return
            self.departures(pool)
            if self.stopped:
                return
            for trigger in (Trigger.dormant.value, Trigger.periodic.value, Trigger.sample.value):
                if not self._pages(self.candidate_pages(trigger), pool):
                    return


def run_date(day: date, *, dry_run: bool = False, remaining: Callable[[], float] | None = None) -> RunResult:
    """Select and create the callback tasks of one business date. Safe to repeat, resume and run concurrently."""
    existing = store.get_run(day)
    now = clock.iso(clock.now())
    if dry_run:
        mode = "dry_run"
    elif existing is None:
        try:
            store.start_run(day, now)
            mode = "first"
        except ConditionFailed:
            mode = "resume"
    else:
        mode = "resume"
    job = _Run(day, mode, remaining)
    job.run()
    status = "partial" if job.stopped or job.incomplete else "completed"
    counts = {t: asdict(c) for t, c in job.counts.items()}
    result = RunResult(business_date=str(day), mode=mode, status=status, counts=counts)
    created = result.totals()["created"]
    if mode == "first" or (mode == "resume" and (created or (existing or {}).get("status") != status)):
        # A re-run of a finished date that created nothing writes nothing, not even its run record.
        store.finish_run(day, status, clock.iso(clock.now()), counts, 0 if mode == "first" else 1)
    logger.info("callback selection run", extra={"business_date": str(day), "mode": mode, "status": status,
                                                 "totals": result.totals()})
    return result


def run_and_advance(day: date, *, remaining: Callable[[], float] | None = None) -> RunResult:
    """An operator's run: the watermark moves only if this date is the next one after it."""
    result = run_date(day, remaining=remaining)
    watermark = store.get_watermark()
    if result.status == "completed" and watermark is not None and day == watermark + timedelta(days=1):
        store.advance_watermark(day, clock.iso(clock.now()))
    return result


def dates_to_run(target: date, watermark: date | None, max_days: int) -> list[date]:
    """The missed dates after the watermark up to `target`, in order, at most `max_days` per invocation."""
    start = target if watermark is None else watermark + timedelta(days=1)
    days = []
    day = start
    while day <= target and len(days) < max_days:
        days.append(day)
        day += timedelta(days=1)
    return days


def run_scheduled(today: date, *, remaining: Callable[[], float] | None = None) -> list[RunResult]:
    """The 02:00 run: yesterday, after catching up every missed date in order."""
    s = get_settings()
    target = today - timedelta(days=1)
    watermark = store.get_watermark()
    if watermark is not None and target - watermark > timedelta(days=s.selection_catch_up_max_days):
        logger.warning("selection is far behind; catching up in steps",
                       extra={"watermark": str(watermark), "target": str(target)})
    results = []
    for day in dates_to_run(target, watermark, s.selection_catch_up_max_days):
        run = store.get_run(day)
        if run and run.get("status") == "completed":
            store.advance_watermark(day, clock.iso(clock.now()))
            results.append(RunResult(str(day), "resume", "already_completed", run.get("counts", {})))
            continue
        result = run_date(day, remaining=remaining)
        results.append(result)
        if result.status != "completed":
            break  # out of time: the watermark stays so the next run resumes this date
        store.advance_watermark(day, clock.iso(clock.now()))
    return results


def summary_lines(result: RunResult) -> Iterable[str]:
    yield f"callbacks {result.business_date} mode={result.mode} status={result.status}"
    yield f"{'trigger':<18}{'candidates':>11}{'created':>9}{'existing':>9}{'capped':>8}{'queued':>8}  skipped"
    for trigger, c in result.counts.items():
        skipped = ", ".join(f"{k}={v}" for k, v in sorted(c.get("skipped", {}).items())) or "-"
        yield (f"{trigger:<18}{c['candidates']:>11}{c['created']:>9}{c['existing']:>9}{c['capped']:>8}"
               f"{c['queued']:>8}  {skipped}")
    t = result.totals()
    yield f"{'total':<18}{t['candidates']:>11}{t['created']:>9}{t['existing']:>9}{t['capped']:>8}{t['queued']:>8}"
