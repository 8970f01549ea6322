"""Suggested phone windows for callbacks (seed 001: Monday 14:30-17:00;
Tuesday to Thursday 9:30-11:00 and 15:00-17:00; Friday 9:30-11:00).

The windows are configuration (`FIELDDESK_CALL_WINDOWS`, entries like
"0 14:30-17:00" with 0 = Monday), parsed and checked in models/tasks.py (pure: the
queue's index key uses them too); here they meet the working-day calendar.
"""

from __future__ import annotations

from datetime import datetime

from .. import clock
from ..config import get_settings
from ..models.tasks import CallWindow, in_window, next_window_start, parse_window
from . import workdays

__all__ = ["parse_window", "suggested_windows", "windows_on", "windows_of", "next_open", "outside"]


def suggested_windows() -> list[CallWindow]:
    return sorted((parse_window(w) for w in get_settings().call_windows), key=lambda w: (w.weekday, w.start))


def windows_on(weekday: int) -> list[CallWindow]:
    return [w for w in suggested_windows() if w.weekday == weekday]


def windows_of(task: dict) -> list:
    """A task's own windows, or the suggested ones (settings): selection stores none on a task (issue 18)."""
    return task.get("call_windows") or suggested_windows()


def next_open(task: dict, after: datetime) -> datetime | None:
    """The next best-time window open at or after `after`, holidays skipped (seed 001)."""
    return next_window_start(after, windows_of(task), workdays.is_workday)


def outside(task: dict, at: datetime) -> bool:
    """An attempt outside the task's best-time windows (allowed, and marked on the attempt)."""
    return not in_window(at, windows_of(task)) or not workdays.is_workday(clock.local_date(at))
