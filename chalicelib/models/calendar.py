"""The working-day calendar of a year: holidays and make-up working days (调休)."""

from datetime import date
from typing import Literal

from pydantic import Field

from .common import RequestModel, ResponseModel


class CalendarIn(RequestModel):
    # Weekdays off (法定节假日 and the days moved with them) and weekend days worked (调休上班).
    holidays: list[date] = Field(max_length=60)
    makeup_workdays: list[date] = Field(max_length=20)
    note: str | None = Field(None, max_length=200)  # e.g. the State Council notice it follows


class CalendarOut(ResponseModel):
    year: int
    source: Literal["published", "package", "weekends_only"]
    provisional: bool  # weekends only: due dates of this year are provisional
    version: int | None = None  # published versions count up; none for the package
    holidays: list[date] = []
    makeup_workdays: list[date] = []
    note: str | None = None
    published_by: str | None = None
    published_at: str | None = None
    recomputed_tasks: int | None = None  # on publish: open tasks whose provisional due date was recomputed


class CalendarVersions(ResponseModel):
    year: int
    items: list[CalendarOut]


class CalendarHealth(ResponseModel):
    status: Literal["ok", "missing"]
    missing_years: list[int]  # years selection counts on weekends only (due dates provisional)
