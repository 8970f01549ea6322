"""Conversion's rules on the fake: an opened account is attributed once, to the owner at opening
(000 第十三条: the managers who collided on the prospect are listed as claimants)."""

from __future__ import annotations

from datetime import date

import pytest

from chalicelib.auth import Principal
from chalicelib.domain import conversion
from chalicelib.domain.conversion_ports import CONVERSIONS, ProspectMovedOn
from chalicelib.errors import Forbidden
from chalicelib.models.prospects import ClaimKind
from chalicelib.storage.memory.conversion import MemoryConversionRepository

OPENED = date(2026, 11, 20)


@pytest.fixture
def conversions():
    with CONVERSIONS.override(MemoryConversionRepository()) as fake:
        yield fake


def seed(repo, pid="p-1", *, phone="ph-1", id_hash=None, status="active", owner="cm-001", outlet=None, version=1):
    repo.prospects[pid] = {
        "prospect_id": pid,
        "branch_id": "br-pudong",
        "status": status,
        "owner_id": owner,
        "outlet_id": outlet,
        "protected_until": "2026-11-27",
        "version": version,
    }
    repo.claims[(ClaimKind.phone, phone)] = pid
    if id_hash:
        repo.claims[(ClaimKind.id_number, id_hash)] = pid


def opened(account_id="ac-1", **kw):
    values = {"phone_hash": "ph-1", "id_hash": None, "serving_manager_id": "cm-001"}
    return conversion.on_account_opened(
        account_id=account_id, branch_id="br-pudong", opened_on=OPENED, **{**values, **kw}
    )


def test_an_owned_prospect_converts_to_its_owner_once(conversions):
    seed(conversions)
    record = opened()
    assert record["manager_id"] == "cm-001" and record["claimants"] == ["cm-001"] and not record["multi_claimed"]
    held = conversions.prospects["p-1"]
    assert held["status"] == "converted" and held["converted_account_id"] == "ac-1" and "protected_until" not in held
    assert conversions.converted == {("cm-001", "2026-11"): 1}
    # The replayed opening returns the conversion already written and counts nothing again.
    assert opened()["prospect_id"] == "p-1" and conversions.converted == {("cm-001", "2026-11"): 1}
    # A second account of the same person is not a new conversion.
    assert opened("ac-2") is None


def test_the_managers_who_collided_are_claimants_and_a_different_serving_manager_is_flagged(conversions):
    seed(conversions, outlet="ot-lujiazui")
    conversions.collisions += [
        {"prospect_id": "p-1", "attempted_by": "cm-002", "attempted_by_kind": "staff"},
        {"prospect_id": "p-1", "attempted_by": "ot-lujiazui", "attempted_by_kind": "outlet"},
    ]
    record = opened(serving_manager_id="cm-009")
    assert record["claimants"] == ["cm-001", "cm-002"] and record["multi_claimed"]
    assert record["serving_manager_differs"] and record["outlet_id"] == "ot-lujiazui"


def test_a_pooled_prospect_converts_unowned_and_counts_for_nobody(conversions):
    seed(conversions, status="pool", owner=None)
    record = opened()
    assert "manager_id" not in record and conversions.converted == {}


def test_the_id_number_or_an_older_keys_hash_finds_the_prospect(conversions):
    seed(conversions, phone="ph-old", id_hash="id-1")
    assert opened(phone_hash="ph-new", id_hash="id-1")["prospect_id"] == "p-1"
    seed(conversions, "p-2", phone="ph-old-2")
    record = opened("ac-2", phone_hash="ph-new-2", phone_hashes=["ph-new-2", "ph-old-2"])
    assert record["prospect_id"] == "p-2"
    assert opened("ac-3", phone_hash="nobody") is None


def test_a_prospect_that_moved_on_is_looked_at_again(conversions):
    class Raced(MemoryConversionRepository):
        raced = False

        def convert(self, prospect, **kw):
            if not self.raced:
                self.raced = True
                self.prospects["p-1"]["version"] = 2  # a follow-up landed in between
                raise ProspectMovedOn("p-1")
            super().convert(prospect, **kw)

    with CONVERSIONS.override(Raced()) as repo:
        seed(repo)
        record = opened()
    assert repo.raced and record["prospect_id"] == "p-1" and repo.prospects["p-1"]["version"] == 3


def test_the_month_report_counts_by_manager_and_outlet_and_lists_the_multi_claimed(conversions):
    seed(conversions, outlet="ot-lujiazui")
    conversions.collisions.append({"prospect_id": "p-1", "attempted_by": "cm-002", "attempted_by_kind": "staff"})
    seed(conversions, "p-2", phone="ph-2", status="pool", owner=None)
    opened()
    opened("ac-2", phone_hash="ph-2")
    supervisor = Principal(kind="staff", id="sup-001", role="supervisor", branch_id="br-pudong", name="周主管")
    report = conversion.conversion_report(supervisor, "2026-11", None)
    assert (report["total"], report["by_manager"], report["by_outlet"], report["unowned"]) == (
        2,
        {"cm-001": 1},
        {"ot-lujiazui": 1},
        1,
    )
    assert [m["account_id"] for m in report["multi_claimed"]] == ["ac-1"]
    with pytest.raises(Forbidden):
        conversion.conversion_report(supervisor, "2026-11", "br-haidian")
