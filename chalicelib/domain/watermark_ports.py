"""A job's watermark: how far it has read, so a missed run catches up and a rerun reads nothing twice.

One item per job (`keys.job_watermark`), its position under `value`: the hourly SLA sweeps (hourly_sweep.py),
the daily jobs (daily_sweep.py: penalty overdue, prospect lapse and first contact, the callback sweeps) and
the daily callback selection (selection_job.py, job "selection": it moves its position only forward with
`advance`, since the shards of a fanned-out date finish concurrently). Positions are ISO dates or hours, so
they compare as strings (issue 17 §5)."""

from __future__ import annotations

from typing import Protocol

from .ports import Port


class JobWatermarks(Protocol):
    def get(self, job: str) -> str | None:
        """The job's position (a consistent read), or None before its first run."""
        ...

    def set(self, job: str, value: str, at: str) -> None:
        """Move the job's position to `value` (written at `at`)."""
        ...

    def advance(self, job: str, value: str, at: str) -> bool:
        """Move the job's position to `value` only if it is before it (or absent); False otherwise."""
        ...


WATERMARKS: Port[JobWatermarks] = Port("watermarks")
