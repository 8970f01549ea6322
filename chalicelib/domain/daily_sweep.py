"""The days a daily job reads: from the day after its watermark to `through`, each day committed as it is read.

One catch-up loop for every daily job (the penalty overdue sweep, the prospects' lapse and first-contact
runs, the callback overdue and contact-request sweeps), on the shared job watermark
(`watermark_ports.WATERMARKS`): a missed run is caught up by the next, a rerun reads nothing twice, and a
run that fails half way resumes at the first day it did not finish.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from .. import clock
from .watermark_ports import WATERMARKS


@dataclass(frozen=True)
class DaysRead:
    start: date
    through: date
    days: int


def sweep_days(
    job: str,
    through: date,
    read_day: Callable[[date], None],
    *,
    first_run_days: int,
    at_most_days: int | None = None,
) -> DaysRead:
    """Call `read_day` for each day after the watermark up to `through`, moving the watermark after each.

    A first run reads the last `first_run_days`; `at_most_days` bounds any catch-up (None: unbounded)."""
    mark = WATERMARKS().get(job)
    start = date.fromisoformat(mark) + timedelta(days=1) if mark else through - timedelta(days=first_run_days - 1)
    if at_most_days is not None:
        start = max(start, through - timedelta(days=at_most_days - 1))
    day, days = start, 0
    while day <= through:
        read_day(day)
        WATERMARKS().set(job, day.isoformat(), clock.iso(clock.now()))
        days += 1
        day += timedelta(days=1)
    return DaysRead(start, through, days)


def sweep_to_yesterday(job: str, now: datetime, read_day: Callable[[date], None], *, lookback_hours: int) -> int:
    """The callback sweeps' days (overdue tasks, expired contact requests): through yesterday in Asia/Shanghai,
    a first run looking back `lookback_hours` in whole days (at least one). Returns the days read."""
    lookback = max(lookback_hours // 24, 1)
    return sweep_days(job, clock.local_date(now) - timedelta(days=1), read_day, first_run_days=lookback).days
