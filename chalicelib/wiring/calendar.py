"""The working-day calendar's port bound to DynamoDB (the adapter module loads on first use: cold start)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..storage.calendar_repo import DynamoCalendarRepository


def _build() -> DynamoCalendarRepository:
    from ..storage.calendar_repo import DynamoCalendarRepository

    return DynamoCalendarRepository()


def install() -> None:
    from ..domain.calendar_ports import CALENDAR

    CALENDAR.bind_default(_build)
