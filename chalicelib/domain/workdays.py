"""China working days, make-up workdays (调休) included, from the calendar kept as data.

For each year the arrangement comes from, in order:
  1. the newest version published through the API or `schedules calendar publish`
     (the State Council publishes next year's arrangement each autumn);
  2. the chinese-calendar package, for the years it knows (2004-2026 in 1.11.0);
  3. otherwise weekends only: a provisional answer. Due dates decided by it are marked
     provisional and recomputed when the year is published (domain/calendar.py).
"""

from __future__ import annotations

from datetime import date, timedelta

from ..observability import logger
from .calendar_ports import CALENDAR

_warned: set[int] = set()


def _published(year: int) -> dict | None:
    return CALENDAR().cached_newest(year)


def _package_knows(year: int) -> bool:
    import chinese_calendar

    try:
        chinese_calendar.is_workday(date(year, 1, 1))
        return True
    except NotImplementedError:
        return False


def source(year: int) -> str:
    """ "published", "package" or "weekends_only" (provisional)."""
    if _published(year) is not None:
        return "published"
    return "package" if _package_knows(year) else "weekends_only"


def has_calendar(year: int) -> bool:
    """Whether the official arrangement of `year` is known (not the weekends-only fallback)."""
    return source(year) != "weekends_only"


def is_workday(day: date) -> bool:
    published = _published(day.year)
    if published is not None:
        iso = day.isoformat()
        if iso in published.get("makeup_workdays", []):
            return True
        return day.weekday() < 5 and iso not in published.get("holidays", [])
    import chinese_calendar

    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        if day.year not in _warned:
            _warned.add(day.year)
            logger.warning(
                "no working-day calendar for this year; weekends only, due dates provisional", extra={"year": day.year}
            )
        return day.weekday() < 5


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
