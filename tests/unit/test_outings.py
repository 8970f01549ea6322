"""Outings group a day's logs (issue 19 §2): same place, or within the window of hours."""

from chalicelib.domain.visits import group_outings


def log(hour: int, place: str, clients: int = 1) -> dict:
    return {"visited_at": f"2026-11-20T{hour:02d}:00:00+08:00", "unit_name": place, "clients_count": clients}


def test_logs_within_the_window_or_at_the_same_place_are_one_outing():
    outings = group_outings([log(9, "甲"), log(10, "乙"), log(16, "丙"), log(18, "甲")], window_hours=3)
    assert [[v["unit_name"] for v in o] for o in outings] == [["甲", "乙", "甲"], ["丙"]]


def test_far_apart_logs_at_different_places_are_separate_outings():
    assert len(group_outings([log(9, "甲"), log(13, "乙")], window_hours=3)) == 2
