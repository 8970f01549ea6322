"""Leave (000 第四条) and month-end declaration (第十三条) rules on plain data."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from chalicelib.domain import declarations, leave
from chalicelib.domain.visits import visit_days_required


def test_leave_is_asked_in_advance():
    today = date(2026, 11, 20)
    assert leave.notice_problem(date(2026, 11, 21), today, 1) is None
    assert "in advance" in leave.notice_problem(date(2026, 11, 20), today, 1)
    assert leave.notice_problem(date(2026, 11, 20), today, 0) is None
    assert leave.notice_problem(date(2026, 11, 22), today, 3) is not None


def _l(start, end=None, half=None):
    return {"start_date": start, "end_date": end or start, "half_day": half}


@pytest.mark.parametrize(
    "a,b,expected",
    [
        (_l("2026-11-23", "2026-11-25"), _l("2026-11-25"), True),
        (_l("2026-11-23", "2026-11-24"), _l("2026-11-25"), False),
        (_l("2026-11-23", half="am"), _l("2026-11-23", half="pm"), False),
        (_l("2026-11-23", half="am"), _l("2026-11-23", half="am"), True),
        (_l("2026-11-23", half="am"), _l("2026-11-23"), True),
        (_l("2026-11-23", "2026-11-24"), _l("2026-11-23", half="pm"), True),
    ],
)
def test_two_leaves_overlap_when_they_share_a_day_or_the_same_half(a, b, expected):
    assert leave.overlaps(a, b) is expected and leave.overlaps(b, a) is expected


def test_two_approved_halves_make_a_whole_day_and_weekends_are_not_leave(monkeypatch):
    monkeypatch.setattr(leave.workdays, "is_workday", lambda d: d.weekday() < 5)
    days = leave.merge_days(
        [
            _l("2026-11-20", "2026-11-23"),
            _l("2026-11-24", half="am"),
            _l("2026-11-24", half="pm"),
            _l("2026-11-25", half="am"),
        ]
    )
    assert days == {
        date(2026, 11, 20): 1,
        date(2026, 11, 23): 1,
        date(2026, 11, 24): 1,
        date(2026, 11, 25): Decimal("0.5"),
    }


@pytest.mark.parametrize(
    "working,away,required",
    [
        (5, Decimal(0), 3),
        (4, Decimal(0), 3),  # no leave: the quota, whatever the week
        (5, Decimal(1), 3),
        (5, Decimal("2.5"), 2),
        (5, Decimal(3), 2),
        (5, Decimal(4), 1),
        (5, Decimal(5), 0),
        (3, Decimal(1), 2),
    ],
)
def test_a_weeks_visit_days_fall_in_proportion_to_leave(working, away, required):
    assert visit_days_required(3, working, away) == required


def test_declarations_close_at_the_end_of_the_deadline_day_of_the_next_month():
    assert declarations.editable_until("2026-11", 5).isoformat() == "2026-12-05T23:59:59+08:00"
    assert declarations.editable_until("2026-12", 5).isoformat() == "2027-01-05T23:59:59+08:00"
    assert declarations.month_end("2028-02") == date(2028, 2, 29)


ACCOUNTS = {
    "A1": {"branch_id": "b", "serving_manager_id": "m1", "opened_on": "2026-11-02"},
    "A2": {"branch_id": "b", "serving_manager_id": "m2", "opened_on": "2026-10-30"},
    "X1": {"branch_id": "other", "serving_manager_id": "z9", "opened_on": "2026-11-02"},
}


def test_the_comparison_names_double_false_unknown_and_late_declarations():
    decl = [{"manager_id": "m1", "account_ids": ["A1", "A2", "X1"]}, {"manager_id": "m2", "account_ids": ["A1"]}]
    found = {c["account_id"]: c for c in declarations.compare(decl, ACCOUNTS, {}, "2026-11", "b", {"m1", "m2"})}
    assert found["A1"]["kinds"] == ["declared_by_several", "attributed_to_other"]
    assert found["A1"]["not_attributed"] == ["m2"]
    assert found["A2"]["kinds"] == ["attributed_to_other", "opened_other_month"]
    assert found["X1"] == {
        "account_id": "X1",
        "kinds": ["not_found"],
        "declared_by": ["m1"],
        "attributed_to": None,
        "attribution": None,
        "serving_manager_id": None,
        "opened_on": None,
        "not_attributed": [],
    }
    cands = declarations.candidates(list(found.values()), Decimal("200"))
    assert cands == [
        {"manager_id": "m1", "account_ids": ["A2"], "occurrences": 1, "yuan_if_confirmed": "200"},
        {"manager_id": "m2", "account_ids": ["A1"], "occurrences": 1, "yuan_if_confirmed": "200"},
    ]


def test_a_conversion_outranks_the_serving_manager_and_the_attributed_declarant_is_no_conflict():
    decl = [{"manager_id": "m2", "account_ids": ["A1"]}]
    conversions = {"A1": {"manager_id": "m2"}}
    assert declarations.compare(decl, ACCOUNTS, conversions, "2026-11", "b", {"m1", "m2"}) == []
