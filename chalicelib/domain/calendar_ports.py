"""The working-day calendar's repository: published versions of a year, and the open tasks whose due date
the weekends-only fallback decided (recomputed when the year is published)."""

from __future__ import annotations

from typing import Protocol

from ..errors import Conflict
from .ports import Port


class CalendarVersionTaken(Conflict):
    """Two admins published the same year at once: the version number was taken meanwhile (versions are
    never overwritten: they are the audit trail of who published what)."""

    def __init__(self, year: int, version: int) -> None:
        super().__init__("another version of this year was published just now; read it and publish again")
        self.year, self.version = year, version


class CalendarRepository(Protocol):
    def newest(self, year: int) -> dict | None:
        """The newest published version of `year` (a consistent read), or None."""
        ...

    def cached_newest(self, year: int) -> dict | None:
        """As `newest`, but may answer from this container's cache (a few minutes old at most)."""
        ...

    def versions(self, year: int) -> list[dict]:
        """Every published version of `year`, oldest first."""
        ...

    def put_version(self, record: dict) -> None:
        """Write a new version; raises CalendarVersionTaken if that (year, version) exists."""
        ...

    def forget_cached(self) -> None:
        """Drop this container's cached calendar (after a publication)."""
        ...

    def provisional_tasks(self, year: int) -> list[dict]:
        """Open tasks of `year` whose due date is provisional (decided by the weekends-only fallback)."""
        ...

    def replace_task(self, previous: dict, updated: dict) -> bool:
        """Write `updated` if the task is still as `previous` was read (status, revision); False otherwise."""
        ...


CALENDAR: Port[CalendarRepository] = Port("calendar")
