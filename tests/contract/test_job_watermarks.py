"""One contract for `JobWatermarks`, on the DynamoDB adapter (moto) and on the in-memory fake."""

from __future__ import annotations

from datetime import date

import pytest

from chalicelib.storage.memory.watermarks import MemoryJobWatermarks
from chalicelib.storage.watermarks_repo import DynamoJobWatermarks


@pytest.fixture(params=["memory", "dynamodb"])
def marks(request):
    return MemoryJobWatermarks() if request.param == "memory" else DynamoJobWatermarks()


def test_a_job_starts_without_a_watermark_and_keeps_its_own(marks):
    assert marks.get("problem_sla") is None
    marks.set("problem_sla", "2026-11-20T09", "2026-11-20T10:00:05+08:00")
    marks.set("problem_sla", "2026-11-20T10", "2026-11-20T11:00:05+08:00")
    marks.set("complaint_sla", "2026-11-19T23", "2026-11-20T00:00:05+08:00")
    assert marks.get("problem_sla") == "2026-11-20T10"
    assert marks.get("complaint_sla") == "2026-11-19T23"


def test_a_daily_job_keeps_the_last_day_it_committed(marks):
    # the penalty overdue sweep and the prospects' lapse and first-contact runs (domain/daily_sweep.py)
    for job in ("penalty_overdue", "prospect-lapse", "prospect-first-contact"):
        assert marks.get(job) is None
    marks.set("prospect-lapse", "2026-11-27", "2026-11-28T01:00:05+08:00")
    marks.set("prospect-lapse", "2026-11-28", "2026-11-29T01:00:05+08:00")
    marks.set("penalty_overdue", "2026-11-20", "2026-11-21T01:00:05+08:00")
    assert (marks.get("prospect-lapse"), marks.get("penalty_overdue")) == ("2026-11-28", "2026-11-20")
    assert marks.get("prospect-first-contact") is None


@pytest.mark.parametrize(("attribute", "job"), [("last_date", "penalty_overdue"), ("through", "prospect-lapse")])
def test_a_watermark_written_before_the_shared_module_still_reads(attribute, job):
    """A deployed table holds the penalty sweep's position under `last_date` and the prospects' under
    `through`: the first run after the upgrade resumes from there instead of looking back again."""
    from chalicelib.storage import base, keys

    base.put({**keys.job_watermark(job), attribute: "2026-11-19", "updated_at": "2026-11-20T01:00:05+08:00"})
    marks = DynamoJobWatermarks()
    assert marks.get(job) == "2026-11-19"
    marks.set(job, "2026-11-20", "2026-11-21T01:00:05+08:00")
    assert marks.get(job) == "2026-11-20"


def test_advance_moves_a_position_only_forward(marks):
    # the selection's shards finish concurrently (domain/selection_fanout.py): a late one never moves it back
    assert marks.advance("selection", "2026-11-18", "2026-11-19T02:00:05+08:00") is True
    assert marks.advance("selection", "2026-11-20", "2026-11-21T02:00:05+08:00") is True
    assert marks.advance("selection", "2026-11-19", "2026-11-21T02:00:06+08:00") is False
    assert marks.advance("selection", "2026-11-20", "2026-11-21T02:00:07+08:00") is False
    assert marks.get("selection") == "2026-11-20"


def test_the_selection_resumes_from_the_item_it_kept_before_the_shared_module():
    """The selection kept its position on the "callbacks" job's item under `business_date`
    (storage/selection.advance_watermark): read while its own item is missing, never written."""
    from chalicelib.storage import selection

    selection.advance_watermark(date(2026, 11, 17), "2026-11-18T02:00:05+08:00")
    marks = DynamoJobWatermarks()
    assert marks.get("selection") == "2026-11-17"
    assert marks.advance("selection", "2026-11-18", "2026-11-19T02:00:05+08:00") is True
    assert marks.get("selection") == "2026-11-18" and selection.get_watermark() == date(2026, 11, 17)
