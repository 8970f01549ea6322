"""One contract for `OutletKeyRepository`, run on the DynamoDB adapter (moto) and on the in-memory fake."""

from __future__ import annotations

import pytest

from chalicelib.domain.directory_ports import (
    KeyNotActive,
    KeysChanged,
    KeySlotsFull,
    OutletClosed,
    OutletMissing,
    SlotCounterOutOfStep,
)
from chalicelib.storage.memory.directory import MemoryDirectoryRepository, MemoryOutletKeyRepository
from chalicelib.storage.outlet_keys_repo import DynamoOutletKeyRepository

OUTLET = {"outlet_id": "ot-1", "branch_id": "br-pudong", "name": "陆家嘴营业部", "status": "active"}
AT = "2026-11-02T09:00:00+08:00"


def key(key_id: str, created_at: str = "2026-11-01T09:00:00+08:00", outlet_id: str = "ot-1") -> dict:
    return {
        "key_id": key_id,
        "outlet_id": outlet_id,
        "branch_id": "br-pudong",
        "secret_hash": "h" * 64,
        "status": "active",
        "label": "front desk",
        "created_at": created_at,
        "created_by": "ad-001",
    }


@pytest.fixture(params=["memory", "dynamodb"])
def world(request):
    """(the key repository, the directory repository its outlet lives in)"""
    if request.param == "memory":
        directory = MemoryDirectoryRepository()
        directory.add_outlet("ot-1", "br-pudong", name=OUTLET["name"], status="active")
        return MemoryOutletKeyRepository(directory), directory
    from chalicelib.storage import directory as store
    from chalicelib.storage.directory_repo import DynamoDirectoryRepository

    store.put_outlet(dict(OUTLET), new=True)
    return DynamoOutletKeyRepository(), DynamoDirectoryRepository()


def test_keys_are_issued_up_to_the_limit_and_listed_oldest_first(world):
    repo, _ = world
    repo.issue(key("k2", "2026-11-02T09:00:00+08:00"), 2)
    repo.issue(key("k1"), 2)
    with pytest.raises(KeySlotsFull):
        repo.issue(key("k3"), 2)
    assert repo.get_key("k3") is None
    assert [k["key_id"] for k in repo.outlet_keys("ot-1")] == ["k1", "k2"]
    assert repo.get_key("k1") == key("k1")
    repo.set_gateway_key_id("k1", "gw-1")
    assert repo.get_key("k1")["gateway_key_id"] == "gw-1"
    repo.revoke("k1", "ot-1", AT, "ad-001")  # a slot given back
    repo.issue(key("k3"), 2)
    assert repo.get_key("k1")["status"] == "revoked" and repo.get_key("k1")["revoked_by"] == "ad-001"


def test_no_key_for_a_closed_or_unknown_outlet_even_with_its_slots_full(world):
    repo, directory = world
    repo.issue(key("k1"), 1)
    directory.put_outlet({**OUTLET, "status": "closed"}, new=False)
    with pytest.raises(OutletClosed):  # named before the full slots
        repo.issue(key("k2"), 1)
    with pytest.raises(OutletClosed):
        repo.issue(key("k3", outlet_id="ot-404"), 5)
    assert repo.get_key("k2") is None and repo.get_key("k3") is None


def test_a_key_is_revoked_once_and_a_counter_out_of_step_is_named(world):
    repo, _ = world
    repo.issue(key("k1"), 5)
    repo.revoke("k1", "ot-1", AT, "ad-001")
    with pytest.raises(KeyNotActive):
        repo.revoke("k1", "ot-1", AT, "ad-001")
    with pytest.raises(KeyNotActive):
        repo.revoke_uncounted("k404", AT, "ad-001")
    repo.issue(key("k2"), 5)
    repo.close_outlet({**OUTLET, "status": "closed"}, [], AT, "ad-001")  # k2 not listed: the counter emptied
    with pytest.raises(SlotCounterOutOfStep):
        repo.revoke("k2", "ot-1", AT, "ad-001")
    assert repo.get_key("k2")["status"] == "active"
    repo.revoke_uncounted("k2", AT, "ad-001")  # revocation never depends on the counter
    assert repo.get_key("k2")["status"] == "revoked"
    with pytest.raises(KeyNotActive):
        repo.revoke_uncounted("k2", AT, "ad-001")


def test_closing_an_outlet_revokes_the_listed_keys_in_the_same_write(world):
    repo, directory = world
    repo.issue(key("k1"), 5)
    repo.issue(key("k2"), 5)
    repo.revoke("k2", "ot-1", AT, "ad-001")
    closed = {**OUTLET, "status": "closed", "updated_at": AT}
    with pytest.raises(KeysChanged):  # k2 was revoked meanwhile: nothing written
        repo.close_outlet(closed, ["k1", "k2"], AT, "ad-001")
    assert directory.read_outlet("ot-1")["status"] == "active"
    assert repo.get_key("k1")["status"] == "active"
    repo.close_outlet(closed, ["k1"], AT, "ad-001")
    assert directory.read_outlet("ot-1") == closed
    assert directory.get_outlet("ot-1") == closed  # the cached copy dropped
    assert repo.get_key("k1")["status"] == "revoked"
    with pytest.raises(OutletMissing):
        repo.close_outlet({**closed, "outlet_id": "ot-404"}, [], AT, "ad-001")
    directory.put_outlet(OUTLET, new=False)  # reopened: its slots are free, its revoked keys stay revoked
    repo.issue(key("k3"), 1)
    assert repo.get_key("k1")["status"] == "revoked"
