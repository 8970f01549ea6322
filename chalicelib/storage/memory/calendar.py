"""The calendar repository in memory, with the table's semantics: versions written only if new, read
newest first, copies on read; a task replaced only if unchanged since read (status and revision), and
on the provisional index only while open with a provisional due date."""

from __future__ import annotations

import copy

from ...domain.calendar_ports import CalendarVersionTaken
from ...models.tasks import OPEN_STATUSES


class MemoryCalendarRepository:
    def __init__(self) -> None:
        self.years: dict[int, dict[int, dict]] = {}
        self.tasks: dict[str, dict] = {}

    def newest(self, year: int) -> dict | None:
        versions = self.years.get(int(year), {})
        return copy.deepcopy(versions[max(versions)]) if versions else None

    def cached_newest(self, year: int) -> dict | None:
        return self.newest(year)

    def versions(self, year: int) -> list[dict]:
        versions = self.years.get(int(year), {})
        return [copy.deepcopy(versions[v]) for v in sorted(versions)]

    def put_version(self, record: dict) -> None:
        versions = self.years.setdefault(int(record["year"]), {})
        if int(record["version"]) in versions:
            raise CalendarVersionTaken(int(record["year"]), int(record["version"]))
        versions[int(record["version"])] = copy.deepcopy(record)

    def forget_cached(self) -> None:
        pass  # nothing cached

    def provisional_tasks(self, year: int) -> list[dict]:
        return [
            copy.deepcopy(t)
            for _, t in sorted(self.tasks.items())
            if t.get("status", "open") in OPEN_STATUSES
            and t.get("due_provisional")
            and str(t["due_on"])[:4] == str(year)
        ]

    def replace_task(self, previous: dict, updated: dict) -> bool:
        stored = self.tasks.get(updated["task_id"])
        if stored is None or stored.get("status", "open") != previous.get("status", "open"):
            return False
        if "revision" in stored and int(stored["revision"]) != int(previous.get("revision", 0)):
            return False
        self.tasks[updated["task_id"]] = {**copy.deepcopy(updated), "revision": int(previous.get("revision", 0)) + 1}
        return True

    # test set-up: a task as the callback area would have written it
    def add_task(self, task: dict) -> None:
        self.tasks[task["task_id"]] = copy.deepcopy(task)
