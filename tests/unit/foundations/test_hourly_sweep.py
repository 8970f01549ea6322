"""The hourly SLA sweep's catch-up on the in-memory watermarks: from the watermark to the last whole hour."""

from __future__ import annotations

from datetime import datetime

import pytest

from chalicelib.config import reset_settings
from chalicelib.domain import hourly_sweep
from chalicelib.domain.watermark_ports import WATERMARKS
from chalicelib.storage.memory.watermarks import MemoryJobWatermarks

NOW = datetime.fromisoformat("2026-11-20T10:20:00+08:00")


@pytest.fixture
def marks():
    with WATERMARKS.override(MemoryJobWatermarks()) as fake:
        yield fake


def run(now: datetime = NOW) -> list[str]:
    hours: list[str] = []
    hourly_sweep.sweep("problem_sla", now, hours.append)
    return hours


def test_the_first_run_looks_back_the_configured_hours(marks, monkeypatch):
    monkeypatch.setenv("FIELDDESK_SWEEP_INITIAL_LOOKBACK_HOURS", "3")
    reset_settings()
    try:
        assert run() == ["2026-11-20T07", "2026-11-20T08", "2026-11-20T09"]
    finally:
        monkeypatch.delenv("FIELDDESK_SWEEP_INITIAL_LOOKBACK_HOURS")
        reset_settings()
    assert marks.get("problem_sla") == "2026-11-20T09"


def test_a_missed_run_catches_up_and_a_rerun_reads_nothing_twice(marks):
    marks.set("problem_sla", "2026-11-20T06", "2026-11-20T07:00:05+08:00")
    assert run() == ["2026-11-20T07", "2026-11-20T08", "2026-11-20T09"]
    assert run() == []  # the same hour again
    assert run(datetime.fromisoformat("2026-11-20T11:00:01+08:00")) == ["2026-11-20T10"]
    assert marks.positions["problem_sla"][0] == "2026-11-20T10"


def test_a_failed_hour_leaves_the_watermark_where_it_was(marks):
    marks.set("problem_sla", "2026-11-20T07", "2026-11-20T08:00:05+08:00")

    def broken(hour: str) -> None:
        raise RuntimeError("table throttled")

    with pytest.raises(RuntimeError):
        hourly_sweep.sweep("problem_sla", NOW, broken)
    assert marks.get("problem_sla") == "2026-11-20T07"
