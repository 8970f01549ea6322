"""One contract for `ConversionRepository`, run on the DynamoDB adapter (moto) and the in-memory fake."""

from __future__ import annotations

import pytest

from chalicelib.domain.conversion_ports import ProspectMovedOn
from chalicelib.models.prospects import ClaimKind
from chalicelib.storage.conversion_repo import DynamoConversionRepository
from chalicelib.storage.memory.conversion import MemoryConversionRepository
from chalicelib.storage.prospects_repo import DynamoProspectRepository
from tests.contract.test_prospect_repository import prospect


class DynamoSeed:
    def prospect(self, repo, record):
        DynamoProspectRepository().create(record, counted_for=None)

    def collision(self, repo, collision):
        DynamoProspectRepository().add_collision(collision)

    def converted(self, repo, manager_id, month):
        return DynamoProspectRepository().month_counts(manager_id, month)["converted"]


class MemorySeed:
    def prospect(self, repo, record):
        item = record.model_dump(mode="json", exclude_none=True)
        repo.prospects[record.prospect_id] = item
        repo.claims[(ClaimKind.phone, record.phone_hash)] = record.prospect_id
        if record.id_hash:
            repo.claims[(ClaimKind.id_number, record.id_hash)] = record.prospect_id

    def collision(self, repo, collision):
        repo.collisions.append(dict(collision))

    def converted(self, repo, manager_id, month):
        return repo.converted.get((manager_id, month), 0)


@pytest.fixture(params=["memory", "dynamodb"])
def area(request):
    if request.param == "memory":
        return MemoryConversionRepository(), MemorySeed()
    return DynamoConversionRepository(), DynamoSeed()


def collision(cid, by, kind="staff", prospect_id="p-1"):
    return {
        "collision_id": cid,
        "prospect_id": prospect_id,
        "branch_id": "br-pudong",
        "at": f"2026-11-20T0{cid[-1]}:00:00+08:00",
        "attempted_by": by,
        "attempted_by_kind": kind,
        "attempted_by_branch": "br-pudong",
        "source": "own_network",
        "matched_on": ["phone"],
    }


def record(account_id, converted_on="2026-11-20", branch_id="br-pudong"):
    return {
        "account_id": account_id,
        "prospect_id": "p-1",
        "branch_id": branch_id,
        "opened_on": converted_on,
        "converted_on": converted_on,
        "converted_at": f"{converted_on}T10:00:00+08:00",
        "manager_id": "cm-001",
        "claimants": ["cm-001"],
        "multi_claimed": False,
    }


def test_claims_lead_to_the_prospect_and_unknown_ones_to_nothing(area):
    repo, seed = area
    seed.prospect(repo, prospect("p-1", phone="ph-1", id_hash="id-1"))
    assert repo.claim_holder(ClaimKind.phone, "ph-1") == "p-1"
    assert repo.claim_holder(ClaimKind.id_number, "id-1") == "p-1"
    assert repo.claim_holder(ClaimKind.phone, "id-1") is None
    assert repo.prospect("p-1")["status"] == "active" and repo.prospect("p-9") is None


def test_staff_claimants_are_the_staff_who_collided_on_the_prospect(area):
    repo, seed = area
    seed.prospect(repo, prospect("p-1"))
    seed.collision(repo, collision("c1", "cm-002"))
    seed.collision(repo, collision("c2", "cm-003"))
    seed.collision(repo, collision("c3", "ot-lujiazui", kind="outlet"))
    assert repo.staff_claimants("p-1") == {"cm-002", "cm-003"} and repo.staff_claimants("p-2") == set()


def test_a_conversion_is_written_with_the_prospect_and_counted_for_the_owner(area):
    repo, seed = area
    seed.prospect(repo, prospect("p-1"))
    held = repo.prospect("p-1")
    converted = {**held, "status": "converted", "converted_account_id": "ac-1", "version": 2}
    repo.convert(converted, expected_version=1, record=record("ac-1"), counted_for="cm-001")
    assert repo.prospect("p-1")["status"] == "converted" and repo.conversion_of("ac-1")["prospect_id"] == "p-1"
    assert seed.converted(repo, "cm-001", "2026-11") == 1
    assert repo.conversion_of("ac-2") is None


def test_a_prospect_moved_on_converts_nothing(area):
    repo, seed = area
    seed.prospect(repo, prospect("p-1"))
    held = repo.prospect("p-1")
    with pytest.raises(ProspectMovedOn) as err:
        repo.convert({**held, "version": 3}, expected_version=2, record=record("ac-1"), counted_for="cm-001")
    assert err.value.prospect_id == "p-1"
    assert repo.conversion_of("ac-1") is None and seed.converted(repo, "cm-001", "2026-11") == 0
    assert repo.prospect("p-1")["version"] == 1


def test_a_branchs_conversions_of_a_month_by_day_then_account(area):
    repo, seed = area
    for i, (account_id, day, branch) in enumerate(
        [
            ("ac-2", "2026-11-21", "br-pudong"),
            ("ac-3", "2026-11-20", "br-pudong"),
            ("ac-1", "2026-11-21", "br-pudong"),
            ("ac-4", "2026-12-01", "br-pudong"),
            ("ac-5", "2026-11-20", "br-haidian"),
        ]
    ):
        pid = f"p-{i}"
        seed.prospect(repo, prospect(pid))
        held = repo.prospect(pid)
        repo.convert(
            {**held, "version": 2},
            expected_version=1,
            record={**record(account_id, day, branch), "prospect_id": pid},
            counted_for=None,
        )
    assert [c["account_id"] for c in repo.conversions_in_month("br-pudong", "2026-11")] == ["ac-3", "ac-1", "ac-2"]
    assert [c["account_id"] for c in repo.conversions_in_month("br-haidian", "2026-11")] == ["ac-5"]
