"""Visit rule tests on the in-memory fakes (visits, photos, sealing, leave): no tables, so the suite-wide
`aws` fixture is replaced by one that does nothing; working days come from the
real rule on the calendar fake (nothing published: the chinesecalendar package's days)."""

from __future__ import annotations

import pytest

from chalicelib import clock
from chalicelib.auth import Principal
from chalicelib.domain.calendar_ports import CALENDAR
from chalicelib.domain.leave_ports import LEAVE
from chalicelib.domain.visit_ports import PHOTOS, SEALER, VISITS
from chalicelib.storage.memory.calendar import MemoryCalendarRepository
from chalicelib.storage.memory.leave import MemoryLeaveRepository
from chalicelib.storage.memory.visits import MemoryPhotoStore, MemorySealer, MemoryVisitRepository

NOW = "2026-11-20T18:00:00+08:00"  # Friday of 2026-W47
MANAGER = Principal(kind="staff", id="cm-001", role="client_manager", branch_id="br-pudong")
OTHER_MANAGER = Principal(kind="staff", id="cm-002", role="client_manager", branch_id="br-pudong")
SUPERVISOR = Principal(kind="staff", id="sup-001", role="supervisor", branch_id="br-pudong")
OTHER_SUPERVISOR = Principal(kind="staff", id="sup-101", role="supervisor", branch_id="br-haidian")


@pytest.fixture(autouse=True)
def aws():
    yield


@pytest.fixture(autouse=True)
def frozen():
    with CALENDAR.override(MemoryCalendarRepository()), clock.freeze(NOW):
        yield


@pytest.fixture
def leave_repo():
    with LEAVE.override(MemoryLeaveRepository()) as fake:
        yield fake


@pytest.fixture
def repo(leave_repo):
    fake = MemoryVisitRepository()
    fake.add_staff("cm-001", "br-pudong")
    fake.add_staff("cm-002", "br-pudong")
    fake.add_staff("sup-001", "br-pudong", "supervisor")
    fake.add_staff("cm-101", "br-haidian")
    fake.outlets["ot-1"] = {"outlet_id": "ot-1", "branch_id": "br-pudong"}
    fake.outlets["ot-9"] = {"outlet_id": "ot-9", "branch_id": "br-haidian"}
    fake.accounts["ac-1"] = {"account_id": "ac-1", "branch_id": "br-pudong", "serving_manager_id": "cm-001"}
    fake.accounts["ac-2"] = {"account_id": "ac-2", "branch_id": "br-pudong", "serving_manager_id": "cm-002"}
    fake.accounts["ac-9"] = {"account_id": "ac-9", "branch_id": "br-haidian", "serving_manager_id": "cm-101"}
    with VISITS.override(fake), PHOTOS.override(MemoryPhotoStore()), SEALER.override(MemorySealer()):
        yield fake
