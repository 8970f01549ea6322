"""Writing one task of a selection run: its agent chosen, its transaction sent (a new try: a new agent and a
new idempotency token; a lost answer: sent again as it was), throttles and conflicts backed off, and a task
that keeps failing counted and left for the next run (domain/selection_job.py).

`CreatesTasks` is the part of `selection_run._Run` that does it, on the run's worker pool; `bench.replay`
swaps this module's `time` for its virtual clock.
"""

from __future__ import annotations

import hashlib
import time
from datetime import date

from ..errors import TooManyRequests, Unavailable
from ..observability import logger
from . import selection as rules
from .selection_loads import AgentLoads
from .selection_patience import OutOfTime
from .selection_ports import TaskWrite


class CreatesTasks(AgentLoads):
    """One task's write. The state below is set by `selection_run._Run.__init__`."""

    day: date
    quarter: str
    created_at: str
    run_nonce: str
    incomplete: bool
    incomplete_triggers: set[str]

    # --- one task -------------------------------------------------------------------------
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
