"""What a run of the daily selection reports: counts per trigger, the run's result, its summary lines.

Shared by the run itself (domain/selection_run.py), its entry points (domain/selection_job.py) and the
fan-out (domain/selection_fanout.py); it imports nothing of theirs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field


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
