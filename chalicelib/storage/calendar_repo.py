"""The calendar port (domain/calendar_ports.py) on DynamoDB: storage/calendar.py and the task writer."""

from __future__ import annotations

from ..domain.calendar_ports import CalendarVersionTaken
from ..errors import ConditionFailed
from . import calendar, tasks
from .cache import clear_all


class DynamoCalendarRepository:
    def newest(self, year: int) -> dict | None:
        return calendar.newest(year)

    def cached_newest(self, year: int) -> dict | None:
        found = calendar.cached_newest(year)
        return None if found.get("missing") else found

    def versions(self, year: int) -> list[dict]:
        return calendar.versions(year)

    def put_version(self, record: dict) -> None:
        try:
            calendar.put_version(record)
        except ConditionFailed:
            raise CalendarVersionTaken(int(record["year"]), int(record["version"])) from None

    def forget_cached(self) -> None:
        clear_all()

    def provisional_tasks(self, year: int) -> list[dict]:
        return calendar.provisional_tasks(year)

    def replace_task(self, previous: dict, updated: dict) -> bool:
        return tasks.replace_task(previous, updated)
