"""Callback deadlines with their units (DOMAIN 4; seeds 001, 003).

Each trigger's deadline is a setting "<amount> <unit>" counted from the day the
event happened (the opening, the transfer, the closure, the departure) or, for
dormant accounts, from the day of selection:

  calendar_days  "次日" (next day), "两日内" (within 2 days): every day counts
  working_days   "下一个工作日": China's official calendar, make-up days (调休) included
  week_end       "当周" (the same week, 003 第三十一条): the last working day of that
                 week, at least the next working day

A deadline in a year without a published calendar is provisional: the weekends-only
fallback decided it, and publishing the year recomputes it (`recompute`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from . import workdays

UNITS = ("calendar_days", "working_days", "week_end")


@dataclass(frozen=True)
class Deadline:
    amount: int
    unit: str

    @classmethod
    def parse(cls, text: str) -> Deadline:
        """ "15 calendar_days" -> Deadline(15, "calendar_days"); raises ValueError naming what is wrong."""
        parts = str(text).split()
        if len(parts) != 2:
            raise ValueError(f"a deadline is '<amount> <unit>', unit one of {', '.join(UNITS)}: got {text!r}")
        amount_text, unit = parts
        try:
            amount = int(amount_text)
        except ValueError:
            raise ValueError(f"deadline amount must be a whole number: got {amount_text!r}") from None
        if amount < 0:
            raise ValueError(f"deadline amount must not be negative: got {amount}")
        if unit not in UNITS:
            raise ValueError(f"unknown deadline unit {unit!r}: one of {', '.join(UNITS)}")
        if unit == "working_days" and amount == 0:
            raise ValueError("a working-day deadline is at least 1 working day")
        return cls(amount, unit)

    def __str__(self) -> str:
        return f"{self.amount} {self.unit}"

    def due_from(self, start: date) -> date:
        if self.unit == "calendar_days":
            return start + timedelta(days=self.amount)
        if self.unit == "working_days":
            return workdays.add_workdays(start, self.amount)
        # week_end: the last working day of start's week (Mon-Sun), never start itself.
        sunday = start + timedelta(days=6 - start.weekday())
        day = sunday
        while day > start and not workdays.is_workday(day):
            day -= timedelta(days=1)
        return day if day > start else workdays.add_workdays(start, 1)

    def provisional(self, start: date, due: date) -> bool:
        """True when a year the count crossed has no published working-day calendar."""
        return self.unit != "calendar_days" and crosses_unpublished_year(start, due)


def crosses_unpublished_year(start: date, end: date) -> bool:
    return any(not workdays.has_calendar(year) for year in range(start.year, end.year + 1))


def add_months(day: date, months: int) -> date:
    """The same day `months` later, clamped to the month's end (regulator's "一个月内")."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


@dataclass(frozen=True)
class Due:
    deadline_on: date  # what the rule says, counted from the event
    due_on: date  # when the work is due: never before the selection date
    late_arrival: bool  # the event reached us after its deadline had passed
    provisional: bool  # a working day of a year with no published calendar decided it
    basis: dict  # how to recompute it: {"from", "deadline", "cap_on"}


def compute(
    deadline: Deadline, event_on: date, selection_date: date, created_on: date, cap_on: date | None = None
) -> Due:
    """The task's due date. `cap_on` is a hard limit (the regulator's one month for new accounts).

    An event that reaches us late (a file posted days after the opening) is still selected;
    its deadline counts from when it happened, so a task created after that deadline is
    late-arriving and overdue from the start."""
    deadline_on = deadline.due_from(event_on)
    if cap_on is not None:
        deadline_on = min(deadline_on, cap_on)
    return Due(
        deadline_on=deadline_on,
        due_on=max(deadline_on, selection_date),
        late_arrival=deadline_on < created_on,
        provisional=deadline.provisional(event_on, deadline_on),
        basis={
            "from": event_on.isoformat(),
            "deadline": str(deadline),
            "cap_on": cap_on.isoformat() if cap_on else None,
        },
    )


def recompute(basis: dict, selection_date: date, created_on: date) -> Due:
    """The same deadline under today's calendar (after a year's calendar was published)."""
    cap = basis.get("cap_on")
    return compute(
        Deadline.parse(basis["deadline"]),
        date.fromisoformat(basis["from"]),
        selection_date,
        created_on,
        date.fromisoformat(cap) if cap else None,
    )
