"""The agents' LOAD bookkeeping of a selection run: the least-loaded agent chosen from counts held in memory,
and each agent's new tasks added to its own `LOAD` item every SETTLE_EVERY tasks (or SETTLE_SECONDS) and at
the end, never inside a task's transaction (domain/selection_job.py, "Agents' load").

`AgentLoads` is the part of `selection_run._Run` that does it; `bench.replay` swaps this module's `time`
and `wait` for its virtual ones.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import wait
from typing import TYPE_CHECKING

from . import selection as rules
from .selection_agents import choose_agent
from .selection_patience import TRANSIENT, OutOfTime, Patience
from .selection_ports import LOAD_BATCH, LoadItemBusy, SelectionRepository
from .selection_results import TriggerCounts

if TYPE_CHECKING:  # annotations only: the pool is made (and swapped by bench.replay) in selection_run
    from concurrent.futures import ThreadPoolExecutor

# Agents' new tasks are added to their LOAD items (and the agents re-read) every this many tasks and at the
# end of the run: a crash in between leaves at most this many uncounted (`reconcile open-tasks` repairs it).
# A national day spreads its tasks over ~900 agents: every 250 tasks was one LOAD write per task. Now every
# 50,000 tasks or SETTLE_SECONDS of run, whichever first, and at the end (partial runs too): a crash loses
# at most that much. The choice of agent uses the run's own counts meanwhile, so it stays fair.
SETTLE_EVERY = 50_000
SETTLE_SECONDS = 300.0


class AgentLoads(Patience):
    """Agents' loads of a run. The state below is set by `selection_run._Run.__init__`."""

    repo: SelectionRepository
    counts: dict[str, TriggerCounts]
    agents_lock: threading.Lock
    agents: dict[str, list[dict]]
    loads: dict[str, int]
    assigned: dict[str, int]
    added: dict[str, int]
    run_tasks: dict[str, list[tuple[str, str]]]
    fence: str
    run_mark: str
    flushes: int
    settled_at: float

    # --- an agent for a task ----------------------------------------------------------------
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
            agent = choose_agent(agents, self.loads, c.account.get("serving_manager_id"))
            if agent:
                self.loads[agent] += 1
            return agent

    def _unpick(self, agent: str | None) -> None:
        if agent:
            with self.lock:
                self.loads[agent] -= 1

    # --- their LOAD items ---------------------------------------------------------------------
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
