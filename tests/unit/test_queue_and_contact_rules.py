"""Pure rules of the agent's queue (issue 13 item 8) and the wrong-number loop (item 5): no database."""

from __future__ import annotations

from datetime import date, datetime

from chalicelib.domain import accounts, callback_work
from chalicelib.models.accounts import event_adapter
from chalicelib.models.callbacks import AttemptIn
from chalicelib.models.tasks import in_window, next_window_start, parse_window
from chalicelib.storage import keys
from chalicelib.storage.tasks import queue_order

SEED_001 = [
    parse_window(w)
    for w in (
        "0 14:30-17:00",
        "1 09:30-11:00",
        "1 15:00-17:00",
        "2 09:30-11:00",
        "2 15:00-17:00",
        "3 09:30-11:00",
        "3 15:00-17:00",
        "4 09:30-11:00",
    )
]


def at(text):
    return datetime.fromisoformat(text)


def test_next_window_follows_the_seed_table():
    assert next_window_start(at("2026-11-20T10:00:00+08:00"), SEED_001) == at("2026-11-20T10:00:00+08:00")
    assert next_window_start(at("2026-11-20T11:00:00+08:00"), SEED_001) == at("2026-11-23T14:30:00+08:00")
    assert next_window_start(at("2026-11-23T08:00:00+08:00"), SEED_001) == at("2026-11-23T14:30:00+08:00")
    assert next_window_start(at("2026-11-24T12:00:00+08:00"), SEED_001) == at("2026-11-24T15:00:00+08:00")
    # Another offset is read in Asia/Shanghai: 01:30Z is 09:30 on Tuesday.
    assert next_window_start(at("2026-11-24T01:00:00+00:00"), SEED_001) == at("2026-11-24T09:30:00+08:00")
    # A public holiday is skipped when the calendar says so.
    holiday = date(2026, 11, 23)
    assert next_window_start(at("2026-11-20T11:00:00+08:00"), SEED_001, lambda d: d != holiday) == at(
        "2026-11-24T09:30:00+08:00"
    )
    assert next_window_start(at("2026-11-20T11:00:00+08:00"), []) is None


def test_in_window_is_start_inclusive_end_exclusive():
    assert in_window(at("2026-11-23T14:30:00+08:00"), SEED_001)
    assert not in_window(at("2026-11-23T17:00:00+08:00"), SEED_001)
    assert not in_window(at("2026-11-21T10:00:00+08:00"), SEED_001)  # Saturday
    assert not in_window(at("2026-11-20T14:00:00+08:00"), SEED_001)  # Friday afternoon


TASK = {
    "task_id": "new_account.A1.2026-11-19",
    "trigger": "new_account",
    "account_id": "A1",
    "branch_id": "br-pudong",
    "created_at": "2026-11-19T06:00:00+08:00",
    "due_at": "2026-11-20T23:59:59+08:00",
    "priority": 5,
    "status": "in_progress",
    "assignee_id": "cba-001",
    "episode": "2026-11-19",
    "call_windows": [w.model_dump() for w in SEED_001],
}


def sort_key(task):
    return keys.task_assignee_index(task.get("assignee_id"), task["branch_id"], **queue_order(task))["gsi1sk"]


def test_the_sort_key_orders_risk_deadline_window_then_priority():
    risk_later = {
        **TASK,
        "task_id": "r",
        "trigger": "large_outflow",
        "risk": True,
        "due_at": "2026-11-25T23:59:59+08:00",
    }
    early_window = {**TASK, "task_id": "e", "priority": 9}
    late_window = {
        **TASK,
        "task_id": "l",
        "priority": 0,
        "call_windows": [{"weekday": 0, "start": "14:30", "end": "17:00"}],
    }
    later_deadline = {**TASK, "task_id": "d", "due_at": "2026-11-21T23:59:59+08:00", "priority": 0}
    waiting = {**risk_later, "task_id": "w", "waiting_on": "contact_update"}
    ordered = sorted([waiting, later_deadline, late_window, early_window, risk_later], key=sort_key)
    assert [t["task_id"] for t in ordered] == ["r", "e", "l", "d", "w"]


def test_call_me_at_t_takes_the_deadlines_place_in_any_offset():
    soon = {**TASK, "task_id": "s", "reschedule_at": "2026-11-20T06:00:00+00:00"}  # 14:00 Shanghai
    due = {**TASK, "task_id": "t", "due_at": "2026-11-20T20:00:00+08:00"}
    assert queue_order(soon)["sort_at"] == "2026-11-20T14:00:00+08:00"
    assert sorted([due, soon], key=sort_key)[0]["task_id"] == "s"


def test_a_wrong_number_waits_once_with_a_deadline_in_working_days():
    now = at("2026-11-20T10:00:00+08:00")
    body = AttemptIn.model_validate({"channel": "phone", "reached": False, "reason": "wrong_number"})
    new, effects = callback_work.apply_attempt(TASK, body, now, now)
    assert (new["status"], new["waiting_on"], new["contact_request_due_on"]) == (
        "in_progress",
        "contact_update",
        "2026-11-25",
    )
    assert effects.contact_request and effects.mark_contact and not effects.fallback
    again, effects = callback_work.apply_attempt(new, body, now, now)
    assert not effects.contact_request and again["contact_request_due_on"] == "2026-11-25"


def test_a_new_phone_clears_the_flag_and_the_same_phone_does_not():
    opened = event_adapter().validate_python(
        {
            "type": "account_opened",
            "event_id": "o1",
            "account_id": "A1",
            "branch_id": "br-pudong",
            "client_name": "张三",
            "phone": "13900000001",
            "id_number": "11010519491231002X",
            "opened_at": "2026-11-19T10:00:00+08:00",
        }
    )
    state, _ = accounts.apply_event(None, opened, "2026-11-19T10:00:00+08:00")
    state = {**state, "contact_needs_update": True, "contact_flag_task": "t"}

    def change(phone, when):
        return event_adapter().validate_python(
            {
                "type": "contact_changed",
                "event_id": f"c-{when[:13]}",
                "account_id": "A1",
                "phone": phone,
                "changed_at": when,
            }
        )

    same, _ = accounts.apply_event(state, change("13900000001", "2026-11-23T10:00:00+08:00"), "now")
    assert same["contact_needs_update"] is True and not accounts.contact_resumed(
        state, same, change("13900000001", "2026-11-23T10:00:00+08:00")
    )
    event = change("13900000002", "2026-11-23T11:00:00+08:00")
    new, _ = accounts.apply_event(state, event, "now")
    assert "contact_needs_update" not in new and new["phone_masked"] == "139****0002"
    assert "13900000002" not in str({k: v for k, v in new.items() if k != "phone_sealed"})
    assert accounts.contact_resumed(state, new, event)
    older, _ = accounts.apply_event(new, change("13900000003", "2026-11-22T10:00:00+08:00"), "now")
    assert older["phone_masked"] == "139****0002"  # an older change never overwrites a newer one
