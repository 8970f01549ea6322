"""Time in Asia/Shanghai, where every business date lives.

China has had no daylight saving since 1991, so a fixed UTC+8 offset is exact
and needs no tz database in the Lambda image. Tests pin time with `freeze`.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date, datetime, timedelta, timezone

SHANGHAI = timezone(timedelta(hours=8), "Asia/Shanghai")
_frozen: datetime | None = None


def now() -> datetime:
    return _frozen if _frozen is not None else datetime.now(SHANGHAI).replace(microsecond=0)


def today() -> date:
    return now().date()


def iso(moment: datetime) -> str:
    return moment.astimezone(SHANGHAI).isoformat()


def iso_week(day: date) -> str:
    """The ISO week a day belongs to ("2026-W47"): the unit of sign-offs and weekly duties."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def local_date(moment: datetime) -> date:
    return moment.astimezone(SHANGHAI).date()


@contextmanager
def freeze(moment: datetime | str):
    global _frozen
    previous = _frozen
    value = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    _frozen = value if value.tzinfo else value.replace(tzinfo=SHANGHAI)
    try:
        yield _frozen
    finally:
        _frozen = previous
