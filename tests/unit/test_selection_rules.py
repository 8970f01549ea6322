"""Selection and feed rules as pure functions (no database)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from chalicelib.domain import accounts, call_windows, selection, selection_agents
from chalicelib.domain.quarter_callbacks import quarter_of
from chalicelib.models.accounts import event_adapter
from chalicelib.storage.accounts import account_item, periodic_bucket, periodic_phase
from tests.factories.accounts import closed, manager_changed, opened, trade

D = date(2026, 11, 19)
ACCOUNT = {
    "account_id": "ac-1",
    "branch_id": "br-pudong",
    "status": "open",
    "tier": "gold",
    "channel": "counter",
    "opened_on": "2025-01-06",
    "serving_manager_id": "cm-001",
}
AGENTS = [
    {"staff_id": "cba-001", "role": "callback_agent", "status": "active", "open_tasks": 3},
    {"staff_id": "cba-002", "role": "callback_agent", "status": "active", "open_tasks": 1},
    {"staff_id": "cm-001", "role": "client_manager", "status": "active", "open_tasks": 0},
    {"staff_id": "sup-001", "role": "supervisor", "status": "active", "open_tasks": 0},
    {"staff_id": "cba-009", "role": "callback_agent", "status": "departed", "open_tasks": 0},
]


def apply(state, raw):
    return accounts.apply_event(state, event_adapter().validate_python(raw), "2026-11-20T10:00:00+08:00")[0]


@pytest.mark.parametrize(
    "amount,balance,large",
    [
        ("499999.99", "1e9", False),
        ("500000.00", "1e9", True),
        ("49.99", "100", False),
        ("50.00", "100", True),
        ("1.00", "0", False),
    ],
)
def test_large_outflow_threshold(amount, balance, large):
    assert accounts.is_large_outflow(Decimal(amount), Decimal(balance)) is large


def test_threshold_is_configuration(monkeypatch):
    from chalicelib.config import reset_settings

    monkeypatch.setenv("FIELDDESK_LARGE_OUTFLOW_YUAN", "100000")
    reset_settings()
    assert accounts.is_large_outflow(Decimal("100000"), Decimal("1e9"))


def test_trade_date_only_moves_forward_and_closure_is_final():
    state = apply(None, opened("ac-1", on="2026-01-05"))
    state = apply(state, trade("ac-1", "2026-11-19"))
    assert apply(state, trade("ac-1", "2026-11-01"))["last_trade_on"] == "2026-11-19"
    state = apply(state, closed("ac-1", on="2026-11-19"))
    again = apply(state, closed("ac-1", on="2026-11-25", reason="moved_away"))
    assert again["closed_on"] == "2026-11-19" and again["close_reason"] == "competitor"


def test_manager_change_last_writer_by_time_wins():
    state = apply(None, manager_changed("ac-1", "cm-002", "2026-11-19T09:00:00+08:00"))
    state = apply(state, opened("ac-1", on="2026-11-02", manager="cm-001"))
    assert state["serving_manager_id"] == "cm-002"


def test_account_item_indexes_follow_state():
    item = account_item({**ACCOUNT, "last_trade_on": "2026-05-23"})
    assert item["gsi4pk"].startswith("ACTIVE#2026-05-23#") and item["gsi6pk"].startswith("PERIODIC#gold#")
    shut = account_item({**ACCOUNT, "status": "closed", "closed_on": str(D)})
    assert not {"gsi1pk", "gsi4pk", "gsi6pk"} & set(shut) and shut["gsi5pk"].startswith(f"CLOSED#{D}#")


def test_periodic_phase_brings_each_account_up_once_per_period():
    for account_id in ("a", "b", "c", "ac-42"):
        days = [
            d
            for d in range(28)
            if periodic_bucket(date.fromordinal(D.toordinal() + d), 14) == periodic_phase(account_id, 14)
        ]
        assert len(days) == 2 and days[1] - days[0] == 14


@pytest.mark.parametrize(
    "trigger,account,event_on,due",
    [
        # new account: next working day (001 新开户次日; National Day 2026: Oct 1-7 off)
        ("new_account", ACCOUNT, "2026-09-30", "2026-10-08"),
        ("new_account", ACCOUNT, "2026-11-20", "2026-11-23"),  # Friday -> Monday
        ("new_account", {**ACCOUNT, "channel": "bank_outlet_bulk"}, "2026-11-19", "2026-11-24"),
        # large outflow: next calendar day (001 资产变动: 次日), holidays or not
        ("large_outflow", ACCOUNT, "2026-09-30", "2026-10-01"),
        ("large_outflow", ACCOUNT, "2026-11-20", "2026-11-21"),
        # closed: within 2 calendar days (003 第四章: 两日内)
        ("closed_account", ACCOUNT, "2026-09-30", "2026-10-02"),
        # dormant and departed manager: within 15 calendar days
        ("dormant", ACCOUNT, "2026-11-19", "2026-12-04"),
        ("departed_manager", ACCOUNT, "2026-11-19", "2026-12-04"),
        # transferred out: the same week (003 第三十一条: 当周), at least the next working day
        ("transferred_out", ACCOUNT, "2026-11-18", "2026-11-20"),  # Wed -> that Friday
        ("transferred_out", ACCOUNT, "2026-11-20", "2026-11-23"),  # Fri -> next Monday
        ("transferred_out", ACCOUNT, "2026-09-30", "2026-10-08"),  # the week is National Day
    ],
)
def test_deadlines_in_their_own_units(trigger, account, event_on, due):
    day = date.fromisoformat(event_on)
    assert str(selection.due(trigger, day, day, day, account).due_on) == due


def test_periodic_is_due_by_the_period_end():
    assert str(selection.due("periodic", D, D, D, ACCOUNT).due_on) == "2026-12-02"


def test_deadlines_are_settings_with_units(monkeypatch):
    from chalicelib.config import reset_settings

    monkeypatch.setenv("FIELDDESK_DEADLINE_DORMANT", "7 working_days")  # 001 模版: a branch may choose it
    reset_settings()
    assert str(selection.due("dormant", D, D, D, ACCOUNT).due_on) == "2026-11-30"
    for bad in ("7 weeks", "-1 calendar_days", "0 working_days", "seven calendar_days"):
        monkeypatch.setenv("FIELDDESK_DEADLINE_DORMANT", bad)
        reset_settings()
        with pytest.raises(ValueError, match="deadline_dormant"):
            from chalicelib.config import get_settings

            get_settings()


def test_a_new_account_is_never_due_later_than_the_regulators_month(monkeypatch):
    from chalicelib.config import reset_settings

    monkeypatch.setenv("FIELDDESK_DEADLINE_BULK_OPENING", "40 working_days")
    reset_settings()
    bulk = {**ACCOUNT, "channel": "bank_outlet_bulk"}
    assert (
        str(selection.due("new_account", date(2026, 1, 31), date(2026, 1, 31), date(2026, 1, 31), bulk).due_on)
        == "2026-02-28"
    )


def test_a_late_event_is_due_from_when_it_happened_and_never_before_the_selection_date():
    # A new account of 11-16 posted late, selected by 11-19's run at 02:00 on 11-20.
    when = selection.due("new_account", date(2026, 11, 16), D, date(2026, 11, 20), ACCOUNT)
    assert str(when.deadline_on) == "2026-11-17" and when.due_on == D and when.late_arrival
    on_time = selection.due("new_account", D, D, date(2026, 11, 20), ACCOUNT)
    assert not on_time.late_arrival and str(on_time.due_on) == "2026-11-20"


def test_an_unpublished_year_makes_working_day_deadlines_provisional():
    assert selection.due("new_account", date(2026, 12, 31), date(2026, 12, 31), date(2027, 1, 1), ACCOUNT).provisional
    assert not selection.due(
        "large_outflow", date(2026, 12, 31), date(2026, 12, 31), date(2027, 1, 1), ACCOUNT
    ).provisional
    assert not selection.due("new_account", D, D, D, ACCOUNT).provisional


def test_dormant_date_is_180_days_back():
    assert selection.dormant_activity_date(D) == date(2026, 5, 23)


def test_quarter_and_cap():
    assert quarter_of(date(2026, 12, 31)) == "2026Q4" and quarter_of(date(2027, 1, 1)) == "2027Q1"
    # 001: the cap is about sampling; mandatory and periodic callbacks are never held back by it.
    assert selection.within_cap(1, "sample") and not selection.within_cap(2, "sample")
    for trigger in (
        "new_account",
        "dormant",
        "large_outflow",
        "closed_account",
        "departed_manager",
        "transferred_out",
        "periodic",
    ):
        assert selection.within_cap(99, trigger)


def test_assignment_is_independent_and_least_loaded():
    assert selection_agents.choose_agent(AGENTS, {}, "cm-001") == "cba-002"
    assert selection_agents.choose_agent(AGENTS, {"cba-002": 9}, "cm-001") == "cba-001"
    assert selection_agents.choose_agent(AGENTS, {}, "cba-002") == "cba-001"
    assert selection_agents.choose_agent([a for a in AGENTS if a["role"] != "callback_agent"], {}, None) is None
    assert selection_agents.choose_agent(AGENTS[:1], {}, "cba-001") is None
    assert {a["staff_id"] for a in selection_agents.eligible_agents(AGENTS, None)} == {"cba-001", "cba-002"}


def test_skip_reasons():
    assert selection.skip_reason("dormant", {**ACCOUNT, "status": "closed"}) == "account_closed"
    assert selection.skip_reason("new_account", {**ACCOUNT, "status": "closed"}) is None  # the regulator's month
    assert selection.skip_reason("large_outflow", {**ACCOUNT, "status": "closed"}) is None
    assert selection.skip_reason("large_outflow", {"account_id": "x"}) == "account_not_opened"


def test_the_first_periodic_callback_comes_one_interval_after_opening():
    """Issue 21: an account opened 2026-12-02 got a periodic task dated 2026-11-27."""
    young = {**ACCOUNT, "opened_on": "2026-12-02"}
    assert selection.skip_reason("periodic", young, date(2026, 11, 27)) == "first_period_not_over"
    assert selection.skip_reason("periodic", young, date(2026, 12, 15)) == "first_period_not_over"
    assert selection.skip_reason("periodic", young, date(2026, 12, 16)) is None  # 14 days (gold) later


def test_task_record_for_the_agents():
    entry = {
        "trigger": "new_account",
        "episode": str(D),
        "event_on": str(D),
        "account_id": "ac-1",
        "account": {**ACCOUNT, "opened_on": str(D)},
    }
    record = selection.build_task(selection.from_inbox(entry), D, "2026-11-20T02:00:00+08:00", None)
    assert record.task_id == f"new_account.ac-1.{D}" and record.queue_flag == "no_agent"
    assert record.deadline_basis == {"from": str(D), "deadline": "1 working_days", "cap_on": "2026-12-19"}
    # No copy of the configured call windows (issue 18): resolved from settings on read.
    assert record.due_at == "2026-11-20T23:59:59+08:00" and record.call_windows == []


def test_call_windows_are_configuration_and_validated(monkeypatch):
    from chalicelib.config import reset_settings

    monkeypatch.setenv("FIELDDESK_CALL_WINDOWS", "4 09:30-11:00,0 14:30-17:00")
    reset_settings()
    assert [(w.weekday, w.start) for w in call_windows.suggested_windows()] == [(0, "14:30"), (4, "09:30")]
    with pytest.raises(ValueError):
        call_windows.parse_window("7 09:00-10:00")
    with pytest.raises(ValueError):
        call_windows.parse_window("1 11:00-09:00")


def test_catch_up_dates_in_order_and_bounded():
    assert selection_dates(date(2026, 11, 16)) == [date(2026, 11, 17), date(2026, 11, 18), D]
    assert selection_dates(None) == [D]
    from chalicelib.domain.selection_job import dates_to_run

    assert len(dates_to_run(D, date(2026, 1, 1), 31)) == 31


def selection_dates(watermark):
    from chalicelib.domain.selection_job import dates_to_run

    return dates_to_run(D, watermark, 31)
