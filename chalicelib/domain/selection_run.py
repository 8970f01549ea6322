"""One run of the daily selection for a business date (domain/selection_job.py says how it runs): its
candidates read page by page, each page's task writes submitted to a small worker pool and kept in flight
while the next page is read, the phases in `selection.ORDER`, and which triggers and parts it went through.

`_Run` is built of `CreatesTasks` (one task's write, domain/selection_create.py), `AgentLoads` (the agents'
LOAD bookkeeping, domain/selection_loads.py) and `Patience` (time budget and backoff,
domain/selection_patience.py). `bench.replay` swaps this module's `time` and `ThreadPoolExecutor`
for its virtual ones.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import date

from .. import clock
from ..config import get_settings
from ..models.tasks import Trigger
from ..observability import logger
from . import quarter_callbacks as quarters
from . import sample
from . import selection as rules
from .selection_create import CreatesTasks
from .selection_loads import SETTLE_EVERY, SETTLE_SECONDS
from .selection_patience import OutOfTime, SendPace
from .selection_ports import SELECTION
from .selection_results import TriggerCounts

# Task writes the run keeps in flight while its main thread reads on (issue 18). Waiting for each page's
# last write before reading the next left the workers idle behind any one throttled write's backoff
# (botocore's first retry waits up to 1 s): 115 tasks/s of a possible 800 at 8 workers and 10 ms a request.
# 2,000 is ~2.5 s of writes at that rate, longer than a throttled write's first retries, so a re-queued
# write (`requeue`) seldom waits for its backoff; the pages are small (a query page of one shard), so memory
# is a few MB.
TASKS_IN_FLIGHT = 2_000


class _Run(CreatesTasks):
    def __init__(
        self,
        day: date,
        mode: str,
        remaining: Callable[[], float] | None,
        done: Iterable[str] = (),
        *,
        shards: list[int] | None = None,
        common: bool = True,
    ):
        self.day = day
        self.repo = SELECTION()
        # The shards whose candidates this run reads (None: every shard) and whether it runs the parts that
        # are not per shard (departures, the sample): a fanned-out shard runs them only if it claimed them.
        self.shards = shards
        self.common = common
        # Phases whose every page was submitted (inbox, departures, dormant, ...); a part is complete when
        # its phases were reached and none of its tasks was left for the next run (`part_completed`).
        self.reached: set[str] = set()
        # Index triggers an earlier run of the date went through completely: a resume does not read them
        # again (issue 18: a re-run read 3x what the first run did, one task item per candidate).
        self.done_before = set(done)
        self.done: set[str] = set(self.done_before)
        self.incomplete_triggers: set[str] = set()
        self.passed: list[str] = []  # index triggers whose every page was submitted (done once all landed)
        self.mode = mode
        self.remaining = remaining
        self.s = get_settings()
        self.quarter = quarters.quarter_of(day)
        self.created_at = clock.iso(clock.now())
        self.counts = {t: TriggerCounts() for t in rules.ORDER}
        self.lock = threading.Lock()
        self.agents_lock = threading.Lock()
        self.agents: dict[str, list[dict]] = {}
        self.loads: dict[str, int] = {}
        # account -> tasks this run created (a dry run: would create), for the cap (`_within_cap`)
        self.created_for: dict[str, list[str]] = {}
        self.to_consume: list[tuple[dict, str]] = []  # inbox entries whose tasks exist, not yet consumed
        self.assigned: dict[str, int] = {}  # agent -> tasks created for it since its LOAD item was last added to
        self.added: dict[str, int] = {}  # agent -> tasks of this run added to its LOAD item
        self.run_tasks: dict[str, list[tuple[str, str]]] = {}  # agent -> (task id, trigger) of this run
        # The LOAD adds of this run are fenced under one attribute per writer (every shard, or one shard) and
        # marked by the run's start (wall clock, ns: later runs mark higher, even under a frozen test clock)
        # and flush number: a retry of an add that landed writes nothing. Limit: two runs of one shard
        # flushing at the same time, the earlier one's later adds are refused (`reconcile open-tasks`).
        self.fence = "settled_all" if shards is None else "settled_s" + "_".join(str(k) for k in sorted(shards))
        self.run_mark = f"{time.time_ns():020d}"
        self.run_nonce = uuid.uuid4().hex
        self.flushes = 0
        self.settled_at = time.monotonic()
        self.stopped = False
        self.incomplete = False  # something was left for the next run to resume
        self.retries = 0  # back-offs taken (throttles and conflicts)
        self.in_flight: deque[list[Future]] = deque()  # pages of task writes submitted, oldest first
        self.requeued: list[Future] = []  # throttled task writes sent back to the pool (`requeue`)
        self.pace = SendPace()

    # --- candidates -------------------------------------------------------------------
    def candidate_pages(self, trigger: str) -> Iterator[list[rules.Candidate]]:
        """Pages of one trigger's candidates. The inbox triggers come from `inbox_pages` instead."""
        day = self.day
        if trigger == Trigger.dormant.value:
            for page in self.repo.last_active_on(rules.dormant_activity_date(day), self.call, self.shards):
                yield [rules.dormant(a, day) for a in page]
        elif trigger == Trigger.periodic.value:
            for tier in rules.TIERS:
                for page in self.repo.periodic_due(tier, day, rules.period_days(tier), self.call, self.shards):
                    yield [rules.periodic(a, tier, day) for a in page]
        elif trigger == Trigger.sample.value:
            yield from sample.candidate_pages(day, self.mode == "dry_run", self.counts[trigger])

    def inbox_pages(self) -> Iterator[list[rules.Candidate]]:
        """Account events waiting for selection, dated up to D, whenever they arrived (late files too)."""
        for entries in self.repo.inbox_pages(self.day, self.call, self.shards):
            page = [rules.from_inbox(e) for e in entries if e.get("trigger") in rules.INBOX_TRIGGERS]
            # A transfer that arrived before its account's opening carries no branch: read the account.
            missing = [c.account_id for c in page if not c.account.get("branch_id")]
            if missing:
                found = self.patiently(self.repo.accounts, missing)
                for c in page:
                    if not c.account.get("branch_id") and c.account_id in found:
                        c.account = {k: v for k, v in found[c.account_id].items() if k in rules.INBOX_SNAPSHOT}
            yield page

    def departures(self, pool: ThreadPoolExecutor) -> None:
        """Clients of managers who departed (any recorded date up to D): a departure is done once every
        client's task exists; a run that stops before that leaves it waiting for the next run."""
        for manager in self.repo.departures_pending(self.day):
            departed_on = date.fromisoformat(manager["departed_on"])
            for page in self.repo.manager_accounts(manager["staff_id"], self.call):
                if self.out_of_time():
                    return
                self.process(
                    Trigger.departed_manager.value,
                    [rules.departed_manager(a, manager["staff_id"], departed_on) for a in page],
                    pool,
                )
                if self.stopped:
                    break
            self.drain()
            if self.stopped:
                return
            if self.mode != "dry_run" and not self.incomplete:
                self.patiently(
                    self.repo.mark_departure_selected, manager["staff_id"], manager["departed_on"], self.created_at
                )

    # --- one page ------------------------------------------------------------------------
    def process(self, trigger: str, page: list[rules.Candidate], pool: ThreadPoolExecutor) -> None:
        counts = self.counts[trigger]
        counts.candidates += len(page)
        todo = []
        for c in page:
            if rules.too_old(c, self.day):
                counts.skip("older_than_late_limit")
                if self.mode != "dry_run" and c.inbox_key:
                    self.consume_later(c.inbox_key, "")
                continue
            reason = rules.skip_reason(trigger, c.account, self.day)
            if reason:
                counts.skip(reason)  # an inbox entry skipped stays waiting (e.g. for its account's opening)
            else:
                todo.append(c)
        if not todo:
            return
        if self.mode != "first":
            existing = self.patiently(self.repo.existing_tasks, [c.task_id for c in todo])
            counts.existing += sum(1 for c in todo if c.task_id in existing)
            if self.mode != "dry_run":
                for c in todo:
                    if c.task_id in existing and c.inbox_key:
                        self.consume_later(c.inbox_key, c.task_id)
            todo = [c for c in todo if c.task_id not in existing]
        todo = self._within_cap(todo, counts)
        if self.mode == "dry_run":
            for c in todo:
                counts.created += 1
                self.created_for.setdefault(c.account_id, []).append(c.task_id)
            return
        self.in_flight.append([pool.submit(self.create, c) for c in todo])
        while sum(map(len, self.in_flight)) > TASKS_IN_FLIGHT:  # a few dozen pages: cheap to count
            self._land(self.in_flight.popleft())
        with self.lock:
            due = sum(self.assigned.values()) >= SETTLE_EVERY or time.monotonic() - self.settled_at >= SETTLE_SECONDS
        if due:
            self.drain()  # every write so far has landed or failed before its agents are counted
            self.settle(pool)

    def _within_cap(self, todo: list[rules.Candidate], counts: TriggerCounts) -> list[rules.Candidate]:
        """001: "在客户抽样方面，每季度对同一客户回访次数不应超过两次". A sampled candidate is held back once its
        account has the quarter's callbacks, counted from its tasks (domain/quarter_callbacks.py): those on
        the account's index and those this run created (the index may not show them yet). The sample phase
        starts once every earlier write landed (`_run`), so every task of this run is counted."""
        sampled = [c.account_id for c in todo if c.sampled]
        if not sampled:
            return todo
        found = self.patiently(self.repo.account_tasks_since, sampled, quarters.read_from(self.quarter))
        still = []
        for c in todo:
            if c.sampled:
                indexed = quarters.figures(found.get(c.account_id, []), self.quarter)["task_ids"]
                count = len(set(indexed) | set(self.created_for.get(c.account_id, [])))
                if not rules.within_cap(count, c.trigger):
                    counts.capped += 1
                    continue
            still.append(c)
        return still

    def _pages(self, pages: Iterable[list[rules.Candidate]], pool: ThreadPoolExecutor) -> bool:
        """Submit pages (each split by trigger, risk first); False once out of time. Their writes may still
        be in flight when it returns: the next phase's reads and writes go on meanwhile (waiting for the
        slowest write of each phase left 7 of 8 workers idle at every boundary: issue 18), and whether a
        trigger is done is decided once every write has landed (`run`)."""
        for page in pages:
            if self.out_of_time():
                return False
            for trigger in rules.ORDER:
                of_trigger = [c for c in page if c.trigger == trigger]
                if of_trigger:
                    self.process(trigger, of_trigger, pool)
            if self.stopped:
                return False
        return not self.stopped

    def run(self) -> None:
        with ThreadPoolExecutor(max_workers=max(1, self.s.selection_workers)) as pool:
            self.pool = pool
            try:
                self._run(pool)
            except OutOfTime:
                self.stopped = True
            finally:
                try:
                    self.drain()
                except OutOfTime:
                    self.stopped = True
                finally:
                    self.flush_consumes()
                    self.settle(pool, final=True)
                if self.mode != "dry_run":  # every write has landed or given up: the triggers gone through
                    self.done |= {t for t in self.passed if t not in self.incomplete_triggers}
                if self.assigned:  # the last flush could not write them: counted by `reconcile open-tasks`
                    logger.warning(
                        "agents' loads left unadded",
                        extra={"agents": len(self.assigned), "business_date": str(self.day)},
                    )

    def _run(self, pool: ThreadPoolExecutor) -> None:
        if self.shards != []:
            if not self._pages(self.inbox_pages(), pool):
                return
            self.reached.add("inbox")
        if self.common:
            self.departures(pool)
            if self.stopped:
                return
            self.reached.add("departures")
        for trigger in (Trigger.dormant.value, Trigger.periodic.value, Trigger.sample.value):
            if not (self.common if trigger == Trigger.sample.value else self.shards != []):
                continue  # a fanned-out shard: the sample only with the per-date parts
            if trigger in self.done_before:
                self.reached.add(trigger)
                continue
            if trigger == Trigger.sample.value:
                # The sample's cap (quarterly, counting every callback) counts the tasks the earlier
                # phases created, so those writes land first (`_within_cap`).
                self.drain()
            if not self._pages(self.candidate_pages(trigger), pool):
                return
            self.reached.add(trigger)
            self.passed.append(trigger)

    def part_completed(self, triggers: Iterable[str], phases: Iterable[str]) -> bool:
        """Whether every phase of a part was gone through and no task of its triggers was left behind."""
        return set(phases) <= self.reached and not (self.incomplete_triggers & set(triggers))
