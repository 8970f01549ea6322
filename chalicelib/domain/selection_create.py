"""Writing one task of a selection run: its agent chosen, its put sent (a new try: a new agent and a new
idempotency token; a lost answer: sent again as it was), a throttled put re-queued behind the others with
its backoff, conflicts backed off, a task that keeps failing counted and left for the next run
(domain/selection_job.py), and the inbox entries the tasks answer consumed after them, a hundred to a write.

`CreatesTasks` is the part of `selection_run._Run` that does it on the run's worker pool and lands the writes
in flight (`drain`); `bench.replay` swaps this module's `time` and `wait` for its virtual ones.
"""

from __future__ import annotations

import hashlib
import time
from collections import deque
from concurrent.futures import Executor, Future, wait
from dataclasses import dataclass
from datetime import date

from ..errors import TooManyRequests, Unavailable
from ..observability import logger
from . import selection as rules
from .selection_loads import AgentLoads
from .selection_patience import OutOfTime, SendPace
from .selection_ports import CONSUME_BATCH, TaskWrite


@dataclass(frozen=True)
class NextTry:
    """A throttled task's next try (`CreatesTasks.requeue`): the tries it took, when its first began (its
    time budget counts from there) and the monotonic time its backoff ends."""

    tries: int
    started: float
    not_before: float


class CreatesTasks(AgentLoads):
    """One task's write. The state below is set by `selection_run._Run.__init__`."""

    day: date
    created_at: str
    run_nonce: str
    incomplete: bool
    incomplete_triggers: set[str]
    created_for: dict[str, list[str]]
    to_consume: list[tuple[dict, str]]
    pool: Executor
    pace: SendPace
    requeued: list[Future]  # throttled tasks sent back to the pool (`requeue`), landed by `drain`
    in_flight: deque[list[Future]]  # pages of task writes submitted, oldest first

    # --- one task -------------------------------------------------------------------------
    def create(self, c: rules.Candidate, again: NextTry | None = None) -> None:
        """Write `c`'s task: its first try, or (`again`) a throttled task's next one (`requeue`)."""
        counts = self.counts[c.trigger]
        if again is not None and (wait := again.not_before - time.monotonic()) > 0:
            time.sleep(wait)  # its backoff is not over (few tasks were queued behind it)
        if self.out_of_time():
            self._left_for_next_run(c)
            return
        tries, started = (again.tries, again.started) if again else (0, time.monotonic())
        record, token = None, ""
        while True:
            if record is None:  # a new try: the agent chosen again, a new token
                agent = self._pick(c)
                record = rules.build_task(c, self.day, self.created_at, agent)
                # One idempotency token per try, kept on the task: a resend of a put that landed is refused by
                # the task it wrote, which carries this token, so it counts as "created" (its agent counted).
                # Unique per run (`run_nonce`), not per timestamp: two runs sharing a token (a frozen clock,
                # two runs in one second) would each believe they created the task.
                # 64 bits: tries of one task never meet; the task item stays small (it is ~1 KB).
                token = hashlib.sha256(f"{c.task_id}#{self.run_nonce}#{tries}".encode()).hexdigest()[:16]
            self.pace.wait()
            try:
                written = self.repo.create_task(record, token=token)
            except TooManyRequests:  # refused whole, nothing written: a new try, later, behind the others
                self.pace.record(throttled=True)
                self._unpick(agent)
                delay = self.retry_delay(tries, started)
                if delay is None:
                    outcome = "throttled"
                    break
                self.requeue(c, NextTry(tries + 1, started, time.monotonic() + delay))
                return
            except Unavailable:
                # A 5xx or a lost answer: the put may have landed. Sent again as it was (same agent, same
                # token), the task it wrote answers with this try's token instead of "exists".
                if not self.backoff(tries, started):
                    self._unpick(agent)
                    outcome = "unavailable"
                    break
                tries += 1
                continue
            self.pace.record(throttled=False)
            if written is TaskWrite.created:
                with self.lock:
                    counts.created += 1
                    counts.queued += agent is None
                    counts.late += record.late_arrival
                    counts.provisional += record.due_provisional
                    self.created_for.setdefault(record.account_id, []).append(record.task_id)
                    if agent:
                        self.assigned[agent] = self.assigned.get(agent, 0) + 1
                        self.run_tasks.setdefault(agent, []).append((record.task_id, record.trigger))
                if c.inbox_key:
                    self.consume_later(c.inbox_key, record.task_id)
                return
            self._unpick(agent)
            record = None
            outcome = written.value
            if written is TaskWrite.exists:
                if c.inbox_key:
                    self.consume_later(c.inbox_key, c.task_id)
                with self.lock:
                    counts.existing += 1
                return
            # a conflict (the task's item in another writer's transaction): back off, try again
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

    def requeue(self, c: rules.Candidate, again: NextTry) -> None:
        """A throttled task goes to the back of the pool's queue, to be tried again no earlier than its
        backoff allows, and its worker sends the next task meanwhile: waiting out the backoff on the worker
        (botocore's 50 ms resend) kept 19% of the workers' time idle at 5% throttles (issue 18). If the
        throttles go on, `pace` slows every put down. `drain` lands the re-queued tasks too."""
        future = self.pool.submit(self.create, c, again)
        with self.lock:
            self.requeued.append(future)

    # --- the writes in flight ----------------------------------------------------------------
    def _land(self, futures: list[Future]) -> None:
        wait(futures)
        for future in futures:
            future.result()  # a worker's unexpected error (or OutOfTime) stops the run here

    def drain(self) -> None:
        """Wait for every page in flight: before agents are counted, a phase is called complete or a departure
        marked selected (each needs to know whether a write of it gave up). Every page lands before the first
        error is raised, so nothing is still writing when the run settles."""
        first: Exception | None = None
        while True:
            if self.in_flight:
                page = self.in_flight.popleft()
            else:
                # A throttled write re-queues itself before its own future ends: once every future waited on
                # has ended, nothing is left unseen here.
                with self.lock:
                    page, self.requeued = self.requeued, []
                if not page:
                    break
            try:
                self._land(page)
            except Exception as err:  # re-raised below, after the other pages landed
                first = first or err
        if first is not None:
            raise first

    # --- inbox entries, after their tasks ----------------------------------------------------
    def consume_later(self, inbox_key: dict, task_id: str) -> None:
        """The entry stops waiting (its task exists, or `task_id` "" for an event too old): consumed with
        others, CONSUME_BATCH to a write. A run that stops first leaves entries waiting, and the next run
        finds their tasks and consumes them (a task is never created twice: its key is its id)."""
        with self.lock:
            self.to_consume.append((inbox_key, task_id))
            if len(self.to_consume) < CONSUME_BATCH:
                return
            batch, self.to_consume = self.to_consume[:CONSUME_BATCH], self.to_consume[CONSUME_BATCH:]
        self._consume(batch)

    def flush_consumes(self) -> None:
        """The run's last entries, once its writes have landed."""
        with self.lock:
            left, self.to_consume = self.to_consume, []
        for start in range(0, len(left), CONSUME_BATCH):
            self._consume(left[start : start + CONSUME_BATCH], finishing=True)

    def _consume(self, batch: list[tuple[dict, str]], finishing: bool = False) -> None:
        try:
            self.patiently(self.repo.consume_all, batch, conflicts=True, finishing=finishing)
        except OutOfTime:
            pass  # the entries wait; the next run finds their tasks and consumes them

    def _left_for_next_run(self, c: rules.Candidate) -> None:
        """Out of time: the date is partial and the next run creates the task. Its trigger is not done,
        though every page of it may have been submitted (phases do not wait for each other's writes)."""
        with self.lock:
            self.incomplete_triggers.add(c.trigger)
