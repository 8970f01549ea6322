"""Penalty and leave rule tests on the in-memory fakes: no tables, so the suite-wide `aws` fixture is
replaced by one that does nothing, and the working-day calendar is the real rule on the calendar fake
(nothing published: the chinesecalendar package's days)."""

from __future__ import annotations

import pytest

from chalicelib import clock
from chalicelib.auth import Principal
from chalicelib.domain.calendar_ports import CALENDAR
from chalicelib.domain.leave_ports import LEAVE
from chalicelib.domain.penalty_ports import PENALTIES
from chalicelib.domain.watermark_ports import WATERMARKS
from chalicelib.storage.memory.calendar import MemoryCalendarRepository
from chalicelib.storage.memory.leave import MemoryLeaveRepository
from chalicelib.storage.memory.penalties import MemoryPenaltyRepository
from chalicelib.storage.memory.watermarks import MemoryJobWatermarks

NOW = "2026-11-20T10:00:00+08:00"  # a Friday
SUPERVISOR = Principal(kind="staff", id="sup-001", role="supervisor", branch_id="br-pudong")
SECOND_SUPERVISOR = Principal(kind="staff", id="sup-002", role="supervisor", branch_id="br-pudong")
MANAGER = Principal(kind="staff", id="cm-001", role="client_manager", branch_id="br-pudong")
OTHER_SUPERVISOR = Principal(kind="staff", id="sup-101", role="supervisor", branch_id="br-haidian")


@pytest.fixture(autouse=True)
def aws():
    yield


@pytest.fixture(autouse=True)
def frozen():
    with CALENDAR.override(MemoryCalendarRepository()), clock.freeze(NOW):
        yield


@pytest.fixture(autouse=True)
def marks():
    """The jobs' watermarks (the shared port every daily job commits its days to), in memory."""
    with WATERMARKS.override(MemoryJobWatermarks()) as fake:
        yield fake


@pytest.fixture
def repo():
    fake = MemoryPenaltyRepository()
    fake.add_staff("cm-001", "br-pudong")
    fake.add_staff("cm-002", "br-pudong")
    fake.add_staff("sup-001", "br-pudong", "supervisor")
    fake.add_staff("sup-002", "br-pudong", "supervisor")
    fake.add_staff("cm-101", "br-haidian")
    with PENALTIES.override(fake):
        yield fake


@pytest.fixture
def leave_repo():
    fake = MemoryLeaveRepository()
    fake.add_staff("cm-001", "br-pudong")
    fake.add_staff("cm-101", "br-haidian")
    with LEAVE.override(fake):
        yield fake
