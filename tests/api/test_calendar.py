"""The working-day calendar kept as data (issue 12 §6): published by admins, read by staff,
versioned, and a year without data selects on weekends only with provisional due dates that
publishing recomputes. 2027's arrangement is NOT known here: the dates below are made up."""

from __future__ import annotations

from datetime import date

from chalicelib import clock
from chalicelib.domain import selection_job
from chalicelib.storage import keys
from chalicelib.storage.tasks import get_task
from tests.factories.accounts import feed, opened

MADE_UP_2027 = {
    "holidays": ["2027-01-01", "2027-01-11"],
    "makeup_workdays": ["2027-01-09"],
    "note": "test data, not the State Council's",
}


def test_an_unpublished_year_selects_on_weekends_only_and_publishing_recomputes(api):
    feed(opened("ac-1", on="2027-01-08"))  # a Friday of a year nobody published
    with clock.freeze("2027-01-09T02:00:00+08:00"):
        result = selection_job.run_date(date(2027, 1, 8))
        assert result.totals()["provisional"] == 1
        status, health = api.get("/v1/health/calendar", as_="cba-001")
        assert status == 200 and health == {"status": "missing", "missing_years": [2027]}
    task_id = keys.callback_task_id("new_account", "ac-1", "2027-01-08")
    task = get_task(task_id, consistent=True)
    assert task["due_on"] == "2027-01-11" and task["due_provisional"] is True  # Monday, weekends only
    with clock.freeze("2027-01-09T09:00:00+08:00"):
        status, body = api.put("/v1/calendar/2027", MADE_UP_2027, as_="adm-001")
    assert status == 200, body
    assert body["version"] == 1 and body["recomputed_tasks"] == 1 and body["source"] == "published"
    task = get_task(task_id, consistent=True)
    # 01-09 (Saturday) is a make-up working day in the made-up data: the next working day after 01-08.
    assert task["due_on"] == "2027-01-09" and task["due_provisional"] is False
    with clock.freeze("2027-01-10T02:00:00+08:00"):
        assert selection_job.run_date(date(2027, 1, 9)).totals()["provisional"] == 0
    status, view = api.get("/v1/calendar/2027", as_="cm-001")
    assert status == 200 and view["holidays"] == ["2027-01-01", "2027-01-11"] and view["provisional"] is False


def test_publishing_twice_is_a_new_audited_version_and_a_retry_is_not(api):
    assert api.put("/v1/calendar/2027", MADE_UP_2027, as_="adm-001")[0] == 200
    status, again = api.put("/v1/calendar/2027", MADE_UP_2027, as_="adm-002")
    assert status == 200 and again["version"] == 1  # the same data: nothing new
    changed = {**MADE_UP_2027, "holidays": ["2027-01-01"]}
    status, second = api.put("/v1/calendar/2027", changed, as_="adm-002")
    assert status == 200 and second["version"] == 2 and second["published_by"] == "adm-002"
    status, versions = api.get("/v1/calendar/2027/versions", as_="cmp-001")
    assert status == 200 and [(v["version"], v["published_by"]) for v in versions["items"]] == [
        (1, "adm-001"),
        (2, "adm-002"),
    ]
    assert api.get("/v1/calendar/2027", as_="cm-001")[1]["holidays"] == ["2027-01-01"]


def test_bad_calendars_are_refused_naming_the_field(api):
    cases = [
        ({**MADE_UP_2027, "holidays": ["2026-12-31"]}, "holidays.0"),  # outside the year
        ({**MADE_UP_2027, "makeup_workdays": ["2027-01-06"]}, "makeup_workdays.0"),  # a Wednesday
        ({**MADE_UP_2027, "holidays": ["2027-01-09"]}, "holidays.0"),  # also a make-up day
        ({**MADE_UP_2027, "holidays": ["not-a-date"]}, "holidays.0"),
    ]
    for body, field in cases:
        status, answer = api.put("/v1/calendar/2027", body, as_="adm-001")
        assert status == 400 and answer["error"]["details"][0]["field"] == field, (body, answer)
    assert api.put("/v1/calendar/20x7", MADE_UP_2027, as_="adm-001")[0] == 400
    for who in ("cm-001", "sup-001", "cba-001", "cmp-001"):
        assert api.put("/v1/calendar/2027", MADE_UP_2027, as_=who)[0] == 403


def test_known_years_come_from_the_package_and_next_year_is_asked_for_from_december(api):
    status, view = api.get("/v1/calendar/2026", as_="cm-001")
    assert status == 200 and view["source"] == "package" and view["provisional"] is False
    with clock.freeze("2026-11-30T09:00:00+08:00"):
        assert api.get("/v1/health/calendar", as_="cm-001")[1]["status"] == "ok"
    with clock.freeze("2026-12-01T09:00:00+08:00"):
        assert api.get("/v1/health/calendar", as_="cm-001")[1] == {"status": "missing", "missing_years": [2027]}
        assert api.put("/v1/calendar/2027", MADE_UP_2027, as_="adm-001")[0] == 200
        assert api.get("/v1/health/calendar", as_="cm-001")[1]["status"] == "ok"


def test_the_operator_runner_publishes_a_year(tmp_path, capsys, directory):
    import json

    from schedules.__main__ import main

    path = tmp_path / "2027.json"
    path.write_text(json.dumps(MADE_UP_2027), encoding="utf-8")
    assert main(["calendar", "publish", "--year", "2027", "--file", str(path), "--by", "ops-li"]) == 0
    assert '"version": 1' in capsys.readouterr().out
    assert main(["calendar", "show", "--year", "2027"]) == 0
    assert '"published_by": "ops-li"' in capsys.readouterr().out
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({**MADE_UP_2027, "makeup_workdays": ["2027-01-06"]}), encoding="utf-8")
    assert main(["calendar", "publish", "--year", "2027", "--file", str(bad)]) == 1
