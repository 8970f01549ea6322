"""Publishing a year's working-day arrangement (holidays and make-up working days, 调休).

The State Council publishes next year's arrangement each autumn; chinese-calendar follows with
a release. FieldDesk does not wait: an admin (API) or an operator (`schedules calendar`)
publishes the year, every publication is a new version (never an overwrite), and publishing
recomputes the provisional due dates of open tasks decided by the weekends-only fallback.
"""

from __future__ import annotations

from datetime import date

from .. import clock
from ..errors import ValidationFailed
from ..observability import logger
from . import deadlines, workdays
from .calendar_ports import CALENDAR


def _check(year: int, holidays: list[date], makeup: list[date]) -> None:
    errors = []
    for name, days in (("holidays", holidays), ("makeup_workdays", makeup)):
        for i, day in enumerate(days):
            if day.year != year:
                errors.append((f"{name}.{i}", f"{day} is not in {year}"))
    for i, day in enumerate(makeup):
        if day.weekday() < 5:
            errors.append((f"makeup_workdays.{i}", f"{day} is a weekday; a make-up working day is a weekend day"))
    for i, day in enumerate(holidays):
        if day in makeup:
            errors.append((f"holidays.{i}", f"{day} is also listed as a make-up working day"))
    if errors:
        raise ValidationFailed(
            "; ".join(f"{f}: {m}" for f, m in errors), details=[{"field": f, "message": m} for f, m in errors]
        )


def view(year: int) -> dict:
    published = CALENDAR().newest(year)
    if published:
        return {**published, "source": "published", "provisional": False}
    src = workdays.source(year)
    return {"year": year, "source": src, "provisional": src == "weekends_only"}


def versions(year: int) -> dict:
    return {
        "year": year,
        "items": [{**v, "source": "published", "provisional": False} for v in CALENDAR().versions(year)],
    }


def publish(year: int, holidays: list[date], makeup: list[date], note: str | None, by: str) -> dict:
    if not 2000 <= year <= 2100:
        raise ValidationFailed.field("year", "must be between 2000 and 2100")
    _check(year, holidays, makeup)
    data = {
        "holidays": sorted({d.isoformat() for d in holidays}),
        "makeup_workdays": sorted({d.isoformat() for d in makeup}),
    }
    current = CALENDAR().newest(year)
    if current and {k: current.get(k) for k in data} == data:
        return {**current, "source": "published", "provisional": False, "recomputed_tasks": 0}  # a retry
    record = {
        "year": year,
        "version": int((current or {}).get("version", 0)) + 1,
        **data,
        "note": note,
        "published_by": by,
        "published_at": clock.iso(clock.now()),
        "previous_version": (current or {}).get("version"),
    }
    CALENDAR().put_version(record)  # CalendarVersionTaken (409) if another admin published this year meanwhile
    CALENDAR().forget_cached()  # this container's cached calendar; others refresh within five minutes
    logger.info("working-day calendar published", extra={"year": year, "version": record["version"], "by": by})
    return {**record, "source": "published", "provisional": False, "recomputed_tasks": recompute_provisional(year)}


def recompute_provisional(year: int) -> int:
    """Open tasks whose due date the weekends-only fallback decided get it recomputed under the new data."""
    changed = 0
    for task in CALENDAR().provisional_tasks(year):
        basis = task.get("deadline_basis")
        if not basis:
            continue
        when = deadlines.recompute(
            basis, date.fromisoformat(task["business_date"]), date.fromisoformat(task["created_at"][:10])
        )
        updated = {
            **task,
            "due_on": when.due_on.isoformat(),
            "due_at": f"{when.due_on}T23:59:59+08:00",
            "deadline_on": when.deadline_on.isoformat(),
            "due_provisional": when.provisional,
        }
        if CALENDAR().replace_task(task, updated):
            changed += 1
    return changed


def health(today: date) -> dict:
    """From 1 December, next year's calendar must be known; this year's always."""
    missing = [
        y
        for y in (today.year, today.year + 1)
        if (y == today.year or today.month == 12) and not workdays.has_calendar(y)
    ]
    return {"status": "missing" if missing else "ok", "missing_years": missing}
