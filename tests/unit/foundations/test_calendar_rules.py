"""The working-day calendar's rules on the in-memory repository (the API tests keep the HTTP side)."""

from __future__ import annotations

from datetime import date

import pytest

from chalicelib.domain import calendar, deadlines, workdays
from chalicelib.domain.calendar_ports import CALENDAR, CalendarVersionTaken
from chalicelib.errors import ValidationFailed
from chalicelib.storage.memory.calendar import MemoryCalendarRepository


@pytest.fixture
def repo():
    with CALENDAR.override(MemoryCalendarRepository()) as fake:
        yield fake


def test_an_unknown_year_is_weekends_only_until_published(repo):
    assert workdays.source(2031) == "weekends_only" and not workdays.has_calendar(2031)
    assert workdays.is_workday(date(2031, 2, 3))  # a Monday
    calendar.publish(2031, [date(2031, 2, 3)], [date(2031, 2, 8)], "State Council notice", "adm-001")
    assert workdays.source(2031) == "published"
    assert not workdays.is_workday(date(2031, 2, 3))  # now a holiday
    assert workdays.is_workday(date(2031, 2, 8))  # a Saturday made a working day (调休)
    assert calendar.view(2031)["version"] == 1


def test_publishing_recomputes_the_provisional_due_dates(repo):
    due = deadlines.compute(
        deadlines.Deadline.parse("3 working_days"), date(2031, 1, 30), date(2031, 1, 30), date(2031, 1, 30)
    )
    assert due.provisional and due.due_on == date(2031, 2, 4)  # Fri 31, Mon 3, Tue 4 on weekends only
    repo.add_task(
        {
            "task_id": "t1",
            "status": "open",
            "business_date": "2031-01-30",
            "created_at": "2031-01-30T09:00:00+08:00",
            "due_on": due.due_on.isoformat(),
            "due_provisional": True,
            "deadline_basis": due.basis,
        }
    )
    out = calendar.publish(2031, [date(2031, 2, 3)], [], None, "adm-001")
    assert out["recomputed_tasks"] == 1
    task = repo.tasks["t1"]
    assert (task["due_on"], task["due_provisional"], task["revision"]) == ("2031-02-05", False, 1)
    assert repo.provisional_tasks(2031) == []


def test_the_same_arrangement_again_is_a_retry_and_another_one_a_new_version(repo):
    first = calendar.publish(2031, [date(2031, 1, 1)], [], None, "adm-001")
    again = calendar.publish(2031, [date(2031, 1, 1)], [], None, "adm-002")
    assert again["version"] == first["version"] == 1 and again["recomputed_tasks"] == 0
    second = calendar.publish(2031, [date(2031, 1, 1), date(2031, 1, 2)], [], None, "adm-002")
    assert second["version"] == 2 and second["previous_version"] == 1
    assert [v["version"] for v in calendar.versions(2031)["items"]] == [1, 2]


def test_a_version_published_meanwhile_is_a_conflict(repo, monkeypatch):
    calendar.publish(2031, [date(2031, 1, 1)], [], None, "adm-001")
    monkeypatch.setattr(repo, "newest", lambda year: None)  # read before the other admin's write landed
    with pytest.raises(CalendarVersionTaken):
        calendar.publish(2031, [date(2031, 1, 2)], [], None, "adm-002")


def test_a_bad_arrangement_names_the_field(repo):
    with pytest.raises(ValidationFailed) as err:
        calendar.publish(2031, [date(2030, 12, 31)], [date(2031, 1, 6)], None, "adm-001")
    fields = [d["field"] for d in err.value.details]
    assert fields == ["holidays.0", "makeup_workdays.0"]
    assert repo.versions(2031) == []


def test_from_december_next_year_must_be_known(repo):
    assert calendar.health(date(2031, 11, 30))["missing_years"] == [2031]
    assert calendar.health(date(2031, 12, 1))["missing_years"] == [2031, 2032]
    calendar.publish(2031, [], [], None, "adm-001")
    calendar.publish(2032, [], [], None, "adm-001")
    assert calendar.health(date(2031, 12, 1)) == {"status": "ok", "missing_years": []}
