"""Directory, privilege and outlet-key rule tests on the in-memory fakes: no tables, so the suite-wide `aws`
fixture is replaced by one that does nothing; the fakes hold a slice of the demo directory (infra/demo_data.py)."""

from __future__ import annotations

import pytest

from chalicelib import clock
from chalicelib.auth import Principal
from chalicelib.domain.directory_ports import DIRECTORY, GATEWAY_KEYS, OUTLET_KEYS, PRIVILEGE
from chalicelib.domain.outbox_ports import OUTBOX
from chalicelib.storage.memory.directory import (
    MemoryDirectoryRepository,
    MemoryGatewayKeys,
    MemoryOutletKeyRepository,
    MemoryPrivilegeRepository,
)
from chalicelib.storage.memory.outbox import MemoryOutboxRepository

NOW = "2026-12-02T10:00:00+08:00"
ADMIN = Principal(kind="staff", id="adm-001", role="admin", branch_id="br-pudong")
SECOND_ADMIN = Principal(kind="staff", id="adm-002", role="admin", branch_id="br-pudong")
OUTLET = "ot-icbc-lujiazui"


@pytest.fixture(autouse=True)
def aws():
    yield


@pytest.fixture(autouse=True)
def frozen():
    with clock.freeze(NOW), OUTBOX.override(MemoryOutboxRepository()):
        yield


@pytest.fixture
def directory_repo():
    fake = MemoryDirectoryRepository()
    fake.add_branch("br-pudong", "浦东分公司", status="active")
    fake.add_branch("br-haidian", "海淀营业部", status="active")
    fake.add_outlet(OUTLET, "br-pudong", bank="工商银行", name="陆家嘴支行", status="active")
    fake.add_outlet("ot-abc-zhongguancun", "br-haidian", bank="农业银行", name="中关村支行", status="active")
    for staff_id, role, branch_id in [
        ("adm-001", "admin", "br-pudong"),
        ("adm-002", "admin", "br-pudong"),
        ("cmp-001", "compliance", "br-pudong"),
        ("sup-001", "supervisor", "br-pudong"),
        ("cm-001", "client_manager", "br-pudong"),
        ("cm-002", "client_manager", "br-pudong"),
        ("cm-101", "client_manager", "br-haidian"),
    ]:
        fake.add_staff(staff_id, branch_id, role, name=staff_id, outlet_ids=[])
    with DIRECTORY.override(fake):
        yield fake


@pytest.fixture
def privilege_repo(directory_repo):
    with PRIVILEGE.override(MemoryPrivilegeRepository(directory_repo)) as fake:
        yield fake


@pytest.fixture
def key_repo(directory_repo):
    with OUTLET_KEYS.override(MemoryOutletKeyRepository(directory_repo)) as fake:
        yield fake


@pytest.fixture
def gateway():
    with GATEWAY_KEYS.override(MemoryGatewayKeys()) as fake:
        yield fake
