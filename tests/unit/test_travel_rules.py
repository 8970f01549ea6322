"""Travel report and feed value-class rules, on plain values (000 第二篇 §1; 004 出差; 002 第十九条)."""

from __future__ import annotations

from datetime import date

from chalicelib.domain.accounts import apply_value_class
from chalicelib.domain.travel import due_bucket, proposal_id, report_due_at, travel_days


def test_the_report_is_due_at_the_configured_hour_shanghai_time():
    due = report_due_at(date(2026, 11, 23), 21)
    assert due.isoformat() == "2026-11-23T21:00:00+08:00"
    assert report_due_at(date(2026, 11, 23), 24).isoformat() == "2026-11-24T00:00:00+08:00"


def test_a_due_time_on_the_hour_falls_in_the_hour_before_so_the_sweep_reads_it_when_it_passes():
    assert due_bucket(report_due_at(date(2026, 11, 23), 21)) == "2026-11-23T20"
    assert due_bucket(report_due_at(date(2026, 11, 23), 24)) == "2026-11-23T23"


def test_travel_days_include_both_ends():
    assert travel_days(date(2026, 11, 30), date(2026, 12, 2)) == [
        date(2026, 11, 30),
        date(2026, 12, 1),
        date(2026, 12, 2),
    ]
    assert travel_days(date(2026, 11, 30), date(2026, 11, 30)) == [date(2026, 11, 30)]


def test_one_proposal_id_per_manager_and_day():
    assert proposal_id("cm-001", "2026-11-23") == proposal_id("cm-001", "2026-11-23")
    assert (
        len(
            {
                proposal_id("cm-001", "2026-11-23"),
                proposal_id("cm-001", "2026-11-24"),
                proposal_id("cm-002", "2026-11-23"),
            }
        )
        == 3
    )


FEED_A = {
    "value_class": "A",
    "value_class_source": "feed",
    "value_class_set_at": "2026-11-19T18:00:00+08:00",
    "feed_value_class": "A",
    "feed_value_class_at": "2026-11-19T18:00:00+08:00",
}
MANUAL_B = {
    **FEED_A,
    "value_class": "B",
    "value_class_source": "supervisor",
    "value_class_set_at": "2026-11-20T16:00:00+08:00",
}


def test_the_feed_sets_an_unclassed_account_and_follows_its_own_changes():
    assert apply_value_class({}, "B", "2026-11-19T18:00:00+08:00")["value_class"] == "B"
    assert apply_value_class(FEED_A, "C", "2026-11-20T18:00:00+08:00")["value_class"] == "C"


def test_an_older_feed_classification_changes_nothing():
    assert apply_value_class(FEED_A, "C", "2026-11-18T18:00:00+08:00") == {}


def test_a_manual_class_holds_against_a_restatement_and_a_change_dated_before_it():
    restated = apply_value_class(MANUAL_B, "A", "2026-11-21T18:00:00+08:00")
    assert "value_class" not in restated and restated["feed_value_class_at"] == "2026-11-21T18:00:00+08:00"
    earlier = apply_value_class(MANUAL_B, "C", "2026-11-20T15:00:00+08:00")
    assert "value_class" not in earlier and earlier["feed_value_class"] == "C"


def test_a_feed_change_after_the_manual_class_replaces_it():
    out = apply_value_class(MANUAL_B, "C", "2026-11-21T18:00:00+08:00")
    assert (out["value_class"], out["value_class_source"]) == ("C", "feed")
    # Even back to the supervisor's own class: the feed's change is the newer decision, marked as the feed's.
    out = apply_value_class({**MANUAL_B, "feed_value_class": "C"}, "B", "2026-11-21T18:00:00+08:00")
    assert (out["value_class"], out["value_class_source"]) == ("B", "feed")
