"""Running the daily selection for a business date: modes, resumption, catch-up.

- Candidates: account events from the selection inbox (dated up to D, whenever they
  arrived), departures waiting for selection, then dormant, periodic and the 10% sample
  from their date-bucketed indexes. An inbox entry leaves the inbox in its task's transaction.
- First run of a date (its run record created conditionally): candidates are
  written conditionally without reading anything first.
- Re-run or resume (run record exists, or a concurrent run won it): the task
  keys of each page of candidates are read in one BatchGet, and so are the
  quarter counters of the routine ones, and only missing tasks under the cap
  are written, so a re-run of a finished date writes nothing. An index trigger
  (dormant, periodic, sample) a run went through completely is recorded on the
  run record (`done_triggers`) and not read again; the inbox always is (it
  holds only what is still waiting).
- Triggers run in `selection.ORDER`; inside a trigger each account appears once,
  so a small thread pool writes in parallel. A phase does not wait for the last
  writes of the one before (an account both dormant and due for review: its two
  tasks' transactions may meet on its quarter counter, and the loser retries),
  except the sample's, whose cap counts the earlier phases' callbacks.
- Back-pressure, not failure (issue 18): a throttled request (refused, or a transaction
  cancelled with ThrottlingError), a fault and a transaction conflict are retried here with
  full-jitter backoff while the time budget lasts; the job's entry points run it under
  `clients.caller_retries()` so botocore's 1 s throttle backoff does not come first.
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
"""

from __future__ import annotations

import hashlib
import random
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta

from .. import clock
from ..config import get_settings
from ..errors import ConditionFailed, DomainError, TooManyRequests, Unavailable
from ..models.tasks import Trigger
from ..observability import logger
from . import sample
from . import selection as rules
from .selection_ports import LOAD_BATCH, SELECTION, SELECTION_JOB, SELECTION_RUNS, LoadItemBusy, TaskWrite
from .watermark_ports import WATERMARKS


@dataclass
class TriggerCounts:
    candidates: int = 0
    created: int = 0
    existing: int = 0
    capped: int = 0  # sampled callbacks held back by the quarterly cap
    queued: int = 0  # created without an agent: waiting in the branch queue
    late: int = 0  # created after their deadline (the event arrived late): overdue from the start
    provisional: int = 0  # due dates decided by the weekends-only fallback of an unpublished year
    skipped: dict = field(default_factory=dict)  # other reasons, by reason

    def skip(self, reason: str) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + 1


@dataclass
class RunResult:
    business_date: str
    mode: str  # first | resume | dry_run | fan_out (the schedule queued shards)
    status: str  # completed | partial | failed | already_completed (scheduled catch-up only) | queued (fan-out)
    counts: dict
    reason: str | None = None  # partial: out_of_time | incomplete (a write gave up); failed: the error's class
    shards: list[int] = field(default_factory=list)  # fan-out: the shards this result ran or queued

    def totals(self) -> dict:
        out = {"candidates": 0, "created": 0, "existing": 0, "capped": 0, "queued": 0, "late": 0, "provisional": 0}
        for c in self.counts.values():
            for k in out:
                out[k] += c.get(k, 0)
        return out


class OutOfTime(Exception):
    pass


# Worth waiting for: the database is busy (throttled) or briefly unreachable.
TRANSIENT = (TooManyRequests, Unavailable)
# Agents' new tasks are added to their LOAD items (and the agents re-read) every this many tasks and at the
# end of the run: a crash in between leaves at most this many uncounted (`reconcile open-tasks` repairs it).
# A national day spreads its tasks over ~900 agents: every 250 tasks was one LOAD write per task. Now every
# 50,000 tasks or SETTLE_SECONDS of run, whichever first, and at the end (partial runs too): a crash loses
# at most that much. The choice of agent uses the run's own counts meanwhile, so it stays fair.
SETTLE_EVERY = 50_000
SETTLE_SECONDS = 300.0
# Task writes the run keeps in flight while its main thread reads on (issue 18). Waiting for each page's
# last write before reading the next left the workers idle behind any one throttled write's backoff
# (botocore's first retry waits up to 1 s): 115 tasks/s of a possible 800 at 8 workers and 10 ms a request.
# 2,000 is ~2.5 s of writes at that rate, longer than a throttled write's first two retries; the pages are
# small (a query page of one shard), so memory is a few MB.
TASKS_IN_FLIGHT = 2_000


class _Run:
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
        self.quarter = rules.quarter_of(day)
        self.created_at = clock.iso(clock.now())
        self.counts = {t: TriggerCounts() for t in rules.ORDER}
        self.lock = threading.Lock()
        self.agents_lock = threading.Lock()
        self.agents: dict[str, list[dict]] = {}
        self.loads: dict[str, int] = {}
        self.dry_counters: dict[str, int] = {}
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

    # --- time and back-pressure ---------------------------------------------------------
    def out_of_time(self) -> bool:
        if self.remaining is not None and self.remaining() < self.s.selection_stop_margin_seconds:
            self.stopped = True
        return self.stopped

    def backoff(self, tries: int, started: float, *, finishing: bool = False) -> bool:
        """Sleep a full-jitter delay before try `tries + 1`; False when the time budget (or, finishing a
        page's bookkeeping, the give-up limit alone) does not allow another try."""
        delay = random.uniform(
            0,
            min(self.s.selection_retry_max_delay_seconds, self.s.selection_retry_base_seconds * (2 ** min(tries, 20))),
        )
        if time.monotonic() - started + delay > self.s.selection_retry_give_up_seconds:
            return False
        if (
            not finishing
            and self.remaining is not None
            and self.remaining() - delay < self.s.selection_stop_margin_seconds
        ):
            self.stopped = True
            return False
        with self.lock:
            self.retries += 1
        time.sleep(delay)
        return True

    def patiently(self, fn: Callable, *args, conflicts: bool = False, finishing: bool = False, **kwargs):
        """`fn(*args)`, retried on throttling (and, for writes without a condition, `conflicts`) with backoff.
        Raises OutOfTime when the budget is spent, so the run stops as partial."""
        started, tries = time.monotonic(), 0
        while True:
            try:
                return fn(*args, **kwargs)
            except TRANSIENT:
                pass
            except ConditionFailed:
                if not conflicts:
                    raise
            if not self.backoff(tries, started, finishing=finishing):
                self.stopped = True
                raise OutOfTime(getattr(fn, "__name__", "call"))
            tries += 1

    def call(self, fn: Callable, *args, **kwargs):
        """What the storage page iterators call a query through."""
        return self.patiently(fn, *args, **kwargs)

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
                if self.mode != "dry_run":
                    self.patiently(self.repo.consume, c.inbox_key, "", conflicts=True)
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
                        self.patiently(self.repo.consume, c.inbox_key, c.task_id, conflicts=True)
            todo = [c for c in todo if c.task_id not in existing]
            routine = [c.account_id for c in todo if c.sampled]
            if routine:
                known = self.patiently(self.repo.quarter_counts, routine, self.quarter)
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
        self.in_flight.append([pool.submit(self.create, c) for c in todo])
        while sum(map(len, self.in_flight)) > TASKS_IN_FLIGHT:  # a few dozen pages: cheap to count
            self._land(self.in_flight.popleft())
        with self.lock:
            due = sum(self.assigned.values()) >= SETTLE_EVERY or time.monotonic() - self.settled_at >= SETTLE_SECONDS
        if due:
            self.drain()  # every write so far has landed or failed before its agents are counted
            self.settle(pool)

    def _land(self, futures: list[Future]) -> None:
        wait(futures)
        for future in futures:
            future.result()  # a worker's unexpected error (or OutOfTime) stops the run here

    def drain(self) -> None:
        """Wait for every page in flight: before agents are counted, a phase is called complete or a departure
        marked selected (each needs to know whether a write of it gave up). Every page lands before the first
        error is raised, so nothing is still writing when the run settles."""
        first: Exception | None = None
        while self.in_flight:
            try:
                self._land(self.in_flight.popleft())
            except Exception as err:  # re-raised below, after the other pages landed
                first = first or err
        if first is not None:
            raise first

    # --- one task -------------------------------------------------------------------------
    def _branch_agents(self, branch_id: str) -> list[dict]:
        with self.lock:
            cached = self.agents.get(branch_id)
        if cached is not None:
            return cached
        with self.agents_lock:  # one read per branch however many workers ask
            with self.lock:
                cached = self.agents.get(branch_id)
            if cached is None:
                agents = self.patiently(self.repo.branch_agents, branch_id)
                with self.lock:
                    cached = self.agents.setdefault(branch_id, agents)
                    for a in agents:
                        self.loads.setdefault(a["staff_id"], int(a.get("open_tasks", 0)))
        return cached

    def _pick(self, c: rules.Candidate) -> str | None:
        agents = self._branch_agents(c.account["branch_id"])
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
            self._left_for_next_run(c)
            return
        cap = self.s.callbacks_per_quarter if c.sampled else None
        started, tries = time.monotonic(), 0
        record, token = None, ""
        while True:
            if record is None:  # a new try: the agent chosen again, a new token
                agent = self._pick(c)
                record = rules.build_task(c, self.day, self.created_at, agent)
                # One idempotency token per try: a resend of a transaction that landed gets "created" (its agent
                # counted). Unique per run (`run_nonce`), not per timestamp: DynamoDB answers a token it saw
                # within 10 minutes with the first answer and writes nothing, so two runs sharing a token (a
                # frozen clock, two runs in one second) would each believe they created the task.
                token = hashlib.sha256(f"{c.task_id}#{self.run_nonce}#{tries}".encode()).hexdigest()[:36]
            written: TaskWrite | None
            try:
                written = self.repo.create_task(record, self.quarter, cap, c.inbox_key, token=token)
            except TooManyRequests:
                written = None  # throttled: refused whole, nothing written
            except Unavailable:
                # A 5xx or a lost answer: the transaction may have landed. Sent again as it was (same agent,
                # same token), DynamoDB answers with the first outcome instead of "exists".
                if not self.backoff(tries, started):
                    self._unpick(agent)
                    outcome = "unavailable"
                    break
                tries += 1
                continue
            if written is TaskWrite.created:
                with self.lock:
                    counts.created += 1
                    counts.queued += agent is None
                    counts.late += record.late_arrival
                    counts.provisional += record.due_provisional
                    if agent:
                        self.assigned[agent] = self.assigned.get(agent, 0) + 1
                        self.run_tasks.setdefault(agent, []).append((record.task_id, record.trigger))
                return
            self._unpick(agent)
            record = None
            outcome = written.value if written is not None else "throttled"
            if written is TaskWrite.exists:
                if c.inbox_key:
                    try:
                        self.patiently(self.repo.consume, c.inbox_key, c.task_id, conflicts=True)
                    except OutOfTime:
                        pass  # the entry waits; the next run finds the task and consumes it
                with self.lock:
                    counts.existing += 1
                return
            if written is TaskWrite.capped:
                with self.lock:
                    counts.capped += 1
                return
            # throttled or conflict (a concurrent run, the account's counter): back off and try again
            if not self.backoff(tries, started):
                break
            tries += 1
        if self.stopped:
            self._left_for_next_run(c)
            return
        # Never abort the whole run for one busy task: count it, and leave the date partial so the next
        # run (scheduled or operator) resumes and creates it.
        logger.warning(
            "task kept failing; the date stays partial", extra={"task_id": c.task_id, "last_outcome": outcome}
        )
        with self.lock:
            counts.skip(f"kept_{outcome}")
            self.incomplete = True
            self.incomplete_triggers.add(c.trigger)

    def _left_for_next_run(self, c: rules.Candidate) -> None:
        """Out of time: the date is partial and the next run creates the task. Its trigger is not done,
        though every page of it may have been submitted (phases do not wait for each other's writes)."""
        with self.lock:
            self.incomplete_triggers.add(c.trigger)

    def settle(self, pool: ThreadPoolExecutor | None = None, *, final: bool = False) -> None:
        """Every SETTLE_EVERY tasks and at the end: add each agent's new tasks to its LOAD item, outside the
        tasks' transactions, LOAD_BATCH agents per fenced transaction, in parallel on the pool (issue 18:
        one UpdateItem per agent from the main thread was a write request per task at national scale).

        The last flush first reads every agent of the run consistently (once per run, not per flush: 1
        item per agent): a task given to an agent who departed (or changed role) while the run wrote goes
        to the branch queue, and what earlier flushes added to that agent is taken back. An add that could
        not be written (retries spent) goes back to the run's tally for the next flush."""
        with self.lock:
            pending, self.assigned = self.assigned, {}
            self.flushes += 1
            mark = f"{self.run_mark}#{self.flushes:06d}"
            self.settled_at = time.monotonic()
        gone: set[str] = set()
        if final and self.run_tasks:
            now = self.patiently(self.repo.staff_records, list(self.run_tasks), finishing=True)
            for agent in self.run_tasks:
                record = now.get(agent) or {}
                if not (record.get("status", "active") == "active" and record.get("role") == "callback_agent"):
                    gone.add(agent)
        deltas = {a: n for a, n in pending.items() if a not in gone}
        deltas.update({a: -self.added[a] for a in gone if self.added.get(a)})
        if not deltas and not gone:
            return
        batches = [dict(list(deltas.items())[i : i + LOAD_BATCH]) for i in range(0, len(deltas), LOAD_BATCH)]

        def give_back(batch: dict[str, int]) -> None:
            with self.lock:  # nothing landed: the next flush adds it
                for agent, n in batch.items():
                    if agent not in gone:
                        self.assigned[agent] = self.assigned.get(agent, 0) + n

        def add(batch: dict[str, int]) -> None:
            started, tries = time.monotonic(), 0
            while True:
                try:
                    self.patiently(self.repo.add_loads_once, batch, self.fence, mark, finishing=True)
                except LoadItemBusy as err:
                    # Nothing of the batch was written. The agents not held go again at once (issue 18: a
                    # batch of 20 at 5% contention each clears 36% of tries, and retrying it whole behind a
                    # growing backoff held the end of a 10,000-task run for ~20 s); the held ones back off.
                    held = {a: n for a, n in batch.items() if a in err.agents} or batch
                    if len(held) < len(batch):
                        add({a: n for a, n in batch.items() if a not in held})
                    batch = held
                    if self.backoff(tries, started, finishing=True):
                        tries += 1
                        continue
                    give_back(batch)
                except (OutOfTime, *TRANSIENT):
                    give_back(batch)
                else:
                    with self.lock:
                        for agent, n in batch.items():
                            self.added[agent] = self.added.get(agent, 0) + n
                return

        def requeue(agent: str) -> None:
            for task_id, trigger in self.run_tasks[agent]:
                if self.patiently(self.repo.unassign_new_task_by_id, task_id, agent, rules.NO_AGENT, finishing=True):
                    with self.lock:
                        self.counts[trigger].queued += 1

        work: list[tuple[Callable, object]] = [(add, b) for b in batches] + [(requeue, a) for a in sorted(gone)]
        if pool is None:
            for fn, arg in work:
                fn(arg)
            return
        futures = [pool.submit(fn, arg) for fn, arg in work]
        wait(futures)
        for future in futures:
            future.result()

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
                # The sample's cap (quarterly, counting every callback) is checked against the counters
                # as the earlier phases left them, so those writes land first.
                self.drain()
            if not self._pages(self.candidate_pages(trigger), pool):
                return
            self.reached.add(trigger)
            self.passed.append(trigger)

    def part_completed(self, triggers: Iterable[str], phases: Iterable[str]) -> bool:
        """Whether every phase of a part was gone through and no task of its triggers was left behind."""
        return set(phases) <= self.reached and not (self.incomplete_triggers & set(triggers))


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


def summary_lines(result: RunResult) -> Iterable[str]:
    yield (
        f"callbacks {result.business_date} mode={result.mode} status={result.status}"
        + (f" ({result.reason})" if result.reason else "")
    )
    yield f"{'trigger':<18}{'candidates':>11}{'created':>9}{'existing':>9}{'capped':>8}{'queued':>8}  skipped"
    for trigger, c in result.counts.items():
        skipped = ", ".join(f"{k}={v}" for k, v in sorted(c.get("skipped", {}).items())) or "-"
        yield (
            f"{trigger:<18}{c['candidates']:>11}{c['created']:>9}{c['existing']:>9}{c['capped']:>8}"
            f"{c['queued']:>8}  {skipped}"
        )
    t = result.totals()
    yield f"{'total':<18}{t['candidates']:>11}{t['created']:>9}{t['existing']:>9}{t['capped']:>8}{t['queued']:>8}"
