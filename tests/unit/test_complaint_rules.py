"""Complaint rules on their own: the clock, the receipt bounds, overdue, the month's counts, the masked view."""

from __future__ import annotations

from datetime import datetime

from chalicelib.domain import complaints as rules

NOW = datetime.fromisoformat("2026-11-20T10:00:00+08:00")


def test_the_clock_runs_from_receipt():
    received = datetime.fromisoformat("2026-11-20T09:30:00+08:00")
    assert rules.due_at(received, 8).isoformat() == "2026-11-20T17:30:00+08:00"
    assert rules.due_at(received, 2).isoformat() == "2026-11-20T11:30:00+08:00"


def test_receipt_is_neither_in_the_future_nor_too_old():
    def check(text):
        return rules.received_problem(datetime.fromisoformat(text), NOW, max_age_hours=72, skew_minutes=5)

    assert check("2026-11-20T10:04:00+08:00") is None  # within clock skew
    assert check("2026-11-20T10:06:00+08:00") == "cannot be in the future"
    assert check("2026-11-17T10:00:00+08:00") is None  # exactly 72 hours
    assert "72 hours" in check("2026-11-17T09:59:00+08:00")
    assert check("2026-11-20T02:00:00+00:00") is None  # any offset, compared as instants


def test_overdue_only_while_unresolved_and_past_due():
    due = {"due_at": "2026-11-20T17:30:00+08:00"}
    after = datetime.fromisoformat("2026-11-20T17:30:00+08:00")
    assert rules.is_overdue({**due, "status": "open"}, after)
    assert rules.is_overdue({**due, "status": "in_progress"}, after)
    assert not rules.is_overdue({**due, "status": "resolved"}, after)
    assert not rules.is_overdue({**due, "status": "open"}, NOW)


def test_month_counts():
    records = [
        {"status": "resolved", "resolved_in_time": True},
        {"status": "resolved", "resolved_in_time": False, "escalated": True},
        {"status": "open", "escalated": True},
        {"status": "in_progress"},
    ]
    assert rules.month_counts(records) == {
        "received": 4,
        "resolved": 2,
        "resolved_in_time": 1,
        "escalated": 2,
        "open": 2,
    }
    assert rules.month_counts([]) == {"received": 0, "resolved": 0, "resolved_in_time": 0, "escalated": 0, "open": 0}


def test_the_view_shows_the_masked_name_never_the_sealed_one():
    shown = rules.view(
        {
            "status": "open",
            "due_at": "2026-11-20T17:30:00+08:00",
            "client_name_masked": "张*",
            "client_name_sealed": "v1:local:xxx",
        },
        NOW,
    )
    assert shown["client_name"] == "张*" and "client_name_sealed" not in shown and shown["overdue"] is False
