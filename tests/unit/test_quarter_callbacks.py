"""An account's callbacks of a quarter, counted from its tasks (domain/quarter_callbacks.py; 001:
"在客户抽样方面，每季度对同一客户回访次数不应超过两次"). The figures the counter check once compared a
`CBQ#<quarter>` counter against are now computed from the tasks directly (issue 18)."""

from __future__ import annotations

from datetime import date

from chalicelib.domain import quarter_callbacks as quarters


def task(task_id, trigger, business_date, **kw):
    return {
        "task_id": task_id,
        "trigger": trigger,
        "account_id": "A001",
        "business_date": business_date,
        "risk": trigger == "large_outflow",
        **kw,
    }


def test_a_quarter_counts_the_tasks_the_selection_picked_for_its_business_dates_only():
    tasks = [
        task("t1", "sample", "2026-10-12"),
        task("t2", "large_outflow", "2026-11-19"),
        task("t3", "fallback", "2026-11-20"),  # follows a callback already counted: not picked
        task("t5", "second_callback", "2026-11-21"),  # a problem's verification: not picked either
        task("t4", "sample", "2026-09-30"),  # Q3, though a catch-up run may create it in Q4
    ]
    assert quarters.figures(tasks, "2026Q4") == {
        "callbacks": 2,
        "risk_callbacks": 1,
        "sampled": 1,
        "coverage_tasks": 1,
        "task_ids": ["t1", "t2"],
    }
    assert quarters.figures(tasks, "2026Q3")["task_ids"] == ["t4"]


def test_a_year_has_its_four_quarters_and_an_account_is_read_from_before_the_first_day():
    year = quarters.year_figures([task("t1", "dormant", "2026-02-01"), task("t2", "periodic", "2027-01-02")], 2026)
    assert list(year) == ["2026Q1", "2026Q2", "2026Q3", "2026Q4"]
    assert [q["callbacks"] for q in year.values()] == [1, 0, 0, 0]
    assert year["2026Q1"]["coverage_tasks"] == 1  # dormant counts toward the sample's coverage
    assert quarters.read_from("2026Q4") == date(2026, 9, 30) and quarters.quarter_start("2027Q1") == date(2027, 1, 1)
    assert quarters.quarter_of(date(2026, 12, 31)) == "2026Q4" and quarters.quarter_of("2027-01-01") == "2027Q1"
