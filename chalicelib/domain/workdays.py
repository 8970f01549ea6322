"""China working days, make-up workdays (调休) included.

chinese-calendar knows the years the State Council has published; for later
years it raises, and we fall back to weekends plus the configured holiday list,
warning once per year instead of crashing a job.
"""
from __future__ import annotations

from datetime import date, timedelta

from ..config import get_settings
from ..observability import logger

_warned: set[int] = set()


def is_workday(day: date) -> bool:
    import chinese_calendar

    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        if day.year not in _warned:
            _warned.add(day.year)
            logger.warning("no official holiday calendar for this year; using weekends and configured holidays",
                           extra={"year": day.year})
        return day.weekday() < 5 and day not in get_settings().holiday_dates()


def has_calendar(year: int) -> bool:
    """Whether the official arrangement of `year` is known (not the weekends-only fallback)."""
    import chinese_calendar

    try:
        chinese_calendar.is_workday(date(year, 1, 1))
        return True
    except NotImplementedError:
        return False


def add_workdays(start: date, n: int) -> date:
    """The n-th working day after `start` (n >= 1)."""
    day = start
    remaining = n
    while remaining > 0:
        day += timedelta(days=1)
        if is_workday(day):
            remaining -= 1
    return day


def workdays_between(start: date, end: date) -> int:
    """Working days in (start, end]."""
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        count += is_workday(day)
    return count
