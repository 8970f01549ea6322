"""The one catch-up loop of the daily jobs: which days a run reads, and that each read day is committed."""

from __future__ import annotations

from datetime import date

import pytest

from chalicelib import clock
from chalicelib.domain.daily_sweep import sweep_days
from chalicelib.domain.watermark_ports import WATERMARKS
from chalicelib.storage.memory.watermarks import MemoryJobWatermarks

D = date(2026, 11, 20)


@pytest.fixture(autouse=True)
def aws():
    yield


@pytest.fixture(autouse=True)
def marks():
    with WATERMARKS.override(MemoryJobWatermarks()) as fake, clock.freeze("2026-11-21T01:00:00+08:00"):
        yield fake


def run(through=D, **kw):
    read: list[str] = []
    result = sweep_days("job", through, lambda d: read.append(d.isoformat()), **{"first_run_days": 2, **kw})
    return read, result


def test_a_first_run_looks_back_then_a_rerun_reads_nothing(marks):
    read, result = run()
    assert read == ["2026-11-19", "2026-11-20"] and (result.start, result.days) == (date(2026, 11, 19), 2)
    assert marks.get("job") == "2026-11-20"
    assert run()[0] == []


def test_missed_days_are_caught_up_in_order_and_bounded(marks):
    marks.set("job", "2026-11-15", "x")
    assert run()[0] == ["2026-11-16", "2026-11-17", "2026-11-18", "2026-11-19", "2026-11-20"]
    marks.set("job", "2026-11-01", "x")
    assert run(at_most_days=3)[0] == ["2026-11-18", "2026-11-19", "2026-11-20"]


def test_a_day_that_fails_is_not_committed_and_the_next_run_starts_there(marks):
    def read_day(day):
        if day == date(2026, 11, 20):
            raise RuntimeError("throttled")

    marks.set("job", "2026-11-18", "x")
    with pytest.raises(RuntimeError):
        sweep_days("job", D, read_day, first_run_days=1)
    assert marks.get("job") == "2026-11-19"
    assert run()[0] == ["2026-11-20"]
