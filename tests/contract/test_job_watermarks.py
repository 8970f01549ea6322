"""One contract for `JobWatermarks`, on the DynamoDB adapter (moto) and on the in-memory fake."""

from __future__ import annotations

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
