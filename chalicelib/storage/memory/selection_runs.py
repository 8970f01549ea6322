"""`SelectionRuns` in memory, with the table's semantics (storage/selection.py, storage/selection_shards.py):
the run record new by date, updates that create what they set, the queued mark and the first start
conditional, the lease on the per-date parts taken only when it lapsed or is the owner's. Every read is a
copy."""

from __future__ import annotations

from datetime import date

from ...domain.selection_ports import COMPLETED
from ..selection import JOB
from ._table import read, stored


class MemorySelectionRuns:
    def __init__(self) -> None:
        self.runs: dict[str, dict] = {}
        self.shards: dict[tuple[str, int], dict] = {}

    def get_run(self, day: date) -> dict | None:
        return read(self.runs.get(str(day)))

    def start_run(self, day: date, at: str) -> bool:
        if str(day) in self.runs:
            return False
        self.runs[str(day)] = stored(
            {"job": JOB, "business_date": str(day), "status": "running", "started_at": at, "attempts": 1}
        )
        return True

    def finish_run(
        self, day: date, status: str, at: str, counts: dict, attempts_add: int, done_triggers: list[str] | None = None
    ) -> None:
        run = self.runs.setdefault(str(day), {})
        run.update(
            stored(
                {
                    "status": status,
                    "finished_at": at,
                    "counts": counts,
                    "job": JOB,
                    "business_date": str(day),
                    "done_triggers": list(done_triggers or []),
                    "attempts": int(run.get("attempts", 0)) + attempts_add,
                }
            )
        )

    def shard_runs(self, day: date) -> dict[int, dict]:
        return {k: read(r) for (d, k), r in sorted(self.shards.items()) if d == str(day) and "shard_no" in r}

    def _shard(self, day: date, shard_no: int) -> dict:
        record = self.shards.setdefault((str(day), shard_no), {})
        record.update({"job": JOB, "business_date": str(day), "shard_no": shard_no})
        return record

    def mark_queued(self, day: date, shard_no: int, at: str, stale_before: str) -> bool:
        queued = self.shards.get((str(day), shard_no), {}).get("queued_at")
        if queued is not None and not queued < stale_before:
            return False
        record = self._shard(day, shard_no)
        record["queued_at"] = at
        record.setdefault("status", "queued")
        return True

    def unmark_queued(self, day: date, shard_no: int, at: str) -> None:
        record = self.shards.get((str(day), shard_no), {})
        if record.get("queued_at") == at:
            del record["queued_at"]

    def start_shard(self, day: date, shard_no: int, at: str) -> bool:
        first = "started_at" not in self.shards.get((str(day), shard_no), {})
        record = self._shard(day, shard_no)
        record.update(status="running", last_started_at=at, attempts=int(record.get("attempts", 0)) + 1)
        if first:
            record["started_at"] = at
        return first

    def finish_shard(
        self, day: date, shard_no: int, status: str, at: str, counts: dict, done_triggers: list[str]
    ) -> None:
        record = self.shards.setdefault((str(day), shard_no), {})
        record.update(stored({"status": status, "finished_at": at, "counts": counts, "done_triggers": done_triggers}))

    def claim_common(self, day: date, owner: str, now: str, until: str) -> dict | None:
        run = self.runs.get(str(day))
        if (
            run is None
            or run.get("common_status") == COMPLETED
            or not ("common_lease" not in run or run["common_lease"] < now or run.get("common_owner") == owner)
        ):
            return None
        before = read(run)
        run.update(common_owner=owner, common_lease=until)
        return before

    def finish_common(
        self, day: date, owner: str, status: str, at: str, counts: dict, done_triggers: list[str]
    ) -> None:
        run = self.runs.get(str(day))
        if run is None or run.get("common_owner") != owner:
            return  # the lease lapsed and another invocation took the parts over: its record wins
        run.update(
            stored({"common_status": status, "common_finished_at": at, "common_counts": counts})
            | {"common_done": list(done_triggers)}
        )
        run.pop("common_lease", None)
        run.pop("common_owner", None)
