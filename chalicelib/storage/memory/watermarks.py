"""Job watermarks in memory: one position per job, the last write wins (as the table's put); `advance`
only moves forward (as the table's conditional update)."""

from __future__ import annotations


class MemoryJobWatermarks:
    def __init__(self) -> None:
        self.positions: dict[str, tuple[str, str]] = {}

    def get(self, job: str) -> str | None:
        found = self.positions.get(job)
        return found[0] if found else None

    def set(self, job: str, value: str, at: str) -> None:
        self.positions[job] = (value, at)

    def advance(self, job: str, value: str, at: str) -> bool:
        current = self.get(job)
        if current is not None and current >= value:
            return False
        self.positions[job] = (value, at)
        return True
