"""The days a daily sweep reads: from its watermark to yesterday (Asia/Shanghai), through the shared job
watermark (domain/watermark_ports.py), like hourly_sweep for the hourly ones.

A missed run catches up, a rerun reads nothing twice; the first run looks back
`sweep_initial_lookback_hours` (whole days, at least one). The watermark moves only after every day was
read, so a run that dies midway reads the same days again (each day's writes are idempotent)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

from .. import clock
from ..config import get_settings
from .watermark_ports import WATERMARKS


def sweep(job: str, now: datetime, read_day: Callable[[date], None]) -> int:
    """Call `read_day` with each day due, then move the watermark; returns the days read."""
    last_day = clock.local_date(now) - timedelta(days=1)
    mark = WATERMARKS().get(job)
    if mark:
        day = datetime.fromisoformat(mark).date() + timedelta(days=1)
    else:
        day = last_day - timedelta(days=max(get_settings().sweep_initial_lookback_hours // 24, 1) - 1)
    days = 0
    while day <= last_day:
        read_day(day)
        days += 1
        day += timedelta(days=1)
    if days:
        WATERMARKS().set(job, last_day.isoformat(), clock.iso(now))
    return days
