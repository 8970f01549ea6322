"""The agent's queue from the agent's side (issue 13 item 8): risk first, then the deadline, then the next
best-time window of seed 001; "call me at T" honoured; calls outside the windows allowed and marked."""

from __future__ import annotations

import pytest

from chalicelib import clock
from tests.factories.tasks import make_account, make_task

NOW = "2026-11-20T10:00:00+08:00"  # a Friday, inside the 09:30-11:00 window
MONDAY_ONLY = [{"weekday": 0, "start": "14:30", "end": "17:00"}]


def ids(api, path, who="cba-001"):
    status, page = api.get(path, as_=who)
    assert status == 200, page
    return [t["task_id"] for t in page["items"]]


@pytest.fixture
def frozen():
    with clock.freeze(NOW):
        yield


def test_risk_first_then_deadline_then_the_next_best_time_window(api, frozen):
    for a in ("A1", "A2", "A3", "A4", "A5"):
        make_account(a)
    later = make_task("dormant", "A1", business_date="2026-11-19", due_on="2026-11-21")
    risk = make_task("large_outflow", "A2", business_date="2026-11-19", due_on="2026-11-21", priority=0)
    # Same deadline: the client whose window opens first (Thursday 09:30, from the seed's table) comes
    # before the one reachable only on Mondays 14:30; priority does not jump the window.
    monday = make_task(
        "new_account", "A3", business_date="2026-11-19", due_on="2026-11-20", priority=1, call_windows=MONDAY_ONLY
    )
    weekday = make_task("new_account", "A4", business_date="2026-11-19", due_on="2026-11-20", priority=5)
    overdue = make_task("new_account", "A5", business_date="2026-11-18", due_on="2026-11-19", priority=5)
    assert ids(api, "/v1/callback-tasks/mine") == [
        risk["task_id"],
        overdue["task_id"],
        weekday["task_id"],
        monday["task_id"],
        later["task_id"],
    ]
    # A page at a time, in the same order (one index query per page).
    status, first = api.get("/v1/callback-tasks/mine?limit=2", as_="cba-001")
    status, second = api.get(f"/v1/callback-tasks/mine?limit=2&next_token={first['next_token']}", as_="cba-001")
    assert [t["task_id"] for t in first["items"] + second["items"]] == [
        risk["task_id"],
        overdue["task_id"],
        weekday["task_id"],
        monday["task_id"],
    ]
    _, page = api.get("/v1/callback-tasks/mine", as_="cba-001")
    views = {t["task_id"]: t for t in page["items"]}
    assert views[weekday["task_id"]]["next_window_at"] == NOW  # open now
    assert views[monday["task_id"]]["next_window_at"] == "2026-11-23T14:30:00+08:00"


def test_the_branch_queue_follows_the_same_order(api, frozen):
    make_account("Q1")
    make_account("Q2")
    plain = make_task("new_account", "Q1", due_on="2026-11-19", assignee_id=None)
    risk = make_task("large_outflow", "Q2", due_on="2026-11-20", priority=0, assignee_id=None)
    assert ids(api, "/v1/callback-tasks/queue", "cba-002") == [risk["task_id"], plain["task_id"]]


def test_call_me_at_t_sorts_by_t_and_is_not_due_before_it(api):
    for a in ("A1", "A2", "A3"):
        make_account(a)
    t = make_task("new_account", "A1", due_on="2026-11-23")
    today = make_task("dormant", "A2", due_on="2026-11-20")
    risk = make_task("large_outflow", "A3", due_on="2026-11-23", priority=0)
    with clock.freeze(NOW):
        # The client asks for 15:00 today: outside Friday's window, honoured all the same.
        body = {
            "channel": "phone",
            "reached": False,
            "reason": "call_back_later",
            "call_back_at": "2026-11-20T07:00:00+00:00",
        }
        status, r = api.post(f"/v1/callback-tasks/{t['task_id']}/attempts", body, as_="cba-001")
        assert status == 201
        assert ids(api, "/v1/callback-tasks/mine") == [risk["task_id"], t["task_id"], today["task_id"]]
        _, page = api.get("/v1/callback-tasks/mine", as_="cba-001")
        view = next(i for i in page["items"] if i["task_id"] == t["task_id"])
        assert view["due_now"] is False and view["callable_from"] == "2026-11-20T15:00:00+08:00"
        assert view["next_window_at"] == "2026-11-20T15:00:00+08:00"
        assert next(i for i in page["items"] if i["task_id"] == today["task_id"])["due_now"] is True
    with clock.freeze("2026-11-20T15:01:00+08:00"):
        _, page = api.get("/v1/callback-tasks/mine", as_="cba-001")
        view = next(i for i in page["items"] if i["task_id"] == t["task_id"])
        assert view["due_now"] is True and view["callable_from"] is None
        # Called at the client's time, outside the windows: allowed, and marked.
        status, r = api.post(
            f"/v1/callback-tasks/{t['task_id']}/attempts",
            {"channel": "phone", "reached": False, "reason": "no_answer"},
            as_="cba-001",
        )
        assert status == 201 and r["attempt"]["outside_call_window"] is True
        # T was honoured: the task goes back to its deadline's place.
        assert r["task"]["reschedule_at"] is None
        assert ids(api, "/v1/callback-tasks/mine") == [risk["task_id"], today["task_id"], t["task_id"]]


def test_a_call_outside_the_windows_is_allowed_and_marked(api):
    make_account("A1")
    t = make_task("new_account", "A1", due_on="2026-11-23")
    path = f"/v1/callback-tasks/{t['task_id']}/attempts"
    no_answer = {"channel": "phone", "reached": False, "reason": "no_answer"}
    with clock.freeze("2026-11-20T10:30:00+08:00"):  # Friday 09:30-11:00
        assert api.post(path, no_answer, as_="cba-001")[1]["attempt"]["outside_call_window"] is False
    with clock.freeze("2026-11-20T14:00:00+08:00"):  # Friday afternoon: no window
        status, r = api.post(path, no_answer, as_="cba-001")
        assert status == 201 and r["attempt"]["outside_call_window"] is True
    with clock.freeze("2026-11-23T14:45:00+08:00"):  # Monday 14:30-17:00
        _, r = api.post(path, no_answer, as_="cba-001")
        assert r["attempt"]["outside_call_window"] is False
        _, detail = api.get(f"/v1/callback-tasks/{t['task_id']}", as_="cba-001")
        assert [h["outside_call_window"] for h in detail["history"]] == [False, True, False]
        # Not a phone call: the windows do not apply.
        _, r = api.post(path, {"channel": "email", "reached": False, "reason": "no_answer"}, as_="cba-001")
        assert not r["attempt"].get("outside_call_window")  # typed: present as null inside the windows


def test_a_task_waiting_on_a_contact_update_goes_last(api, frozen):
    make_account("A1")
    make_account("A2")
    risk = make_task("large_outflow", "A1", due_on="2026-11-20", priority=0)
    plain = make_task("dormant", "A2", due_on="2026-11-25")
    status, r = api.post(
        f"/v1/callback-tasks/{risk['task_id']}/attempts",
        {"channel": "phone", "reached": False, "reason": "wrong_number"},
        as_="cba-001",
    )
    assert status == 201
    assert ids(api, "/v1/callback-tasks/mine") == [plain["task_id"], risk["task_id"]]
    _, page = api.get("/v1/callback-tasks/mine", as_="cba-001")
    assert page["items"][1]["due_now"] is False and page["items"][1]["waiting_on"] == "contact_update"


def test_tasks_written_with_the_old_sort_key_are_requeued_by_the_operator_command(api, frozen, capsys):
    from chalicelib.storage import base, keys
    from schedules.__main__ import main

    make_account("A1")
    make_account("A2")
    plain = make_task("new_account", "A1", due_on="2026-11-19")
    risk = make_task("large_outflow", "A2", due_on="2026-11-20", priority=0)
    for t in (plain, risk):  # the layout before issue 13 item 8: <due_at>#<priority>#<id>
        base.update(
            **keys.callback_task(t["task_id"]),
            expression="SET gsi1sk = :s",
            values={":s": f"{t['due_at']}#{t['priority']}#{t['task_id']}"},
            return_values="NONE",
        )
    assert ids(api, "/v1/callback-tasks/mine") == [plain["task_id"], risk["task_id"]]
    assert main(["requeue-tasks", "--from", "2026-11-18", "--to", "2026-11-21"]) == 0
    assert "2 open tasks requeued" in capsys.readouterr().out
    assert ids(api, "/v1/callback-tasks/mine") == [risk["task_id"], plain["task_id"]]
    assert main(["requeue-tasks", "--from", "2026-11-18", "--to", "2026-11-21"]) == 0
    assert "0 open tasks requeued" in capsys.readouterr().out
