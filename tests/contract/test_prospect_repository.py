"""One contract for `ProspectRepository`, run on the DynamoDB adapter (moto, or DynamoDB Local under
`make test-ddb`) and on the in-memory fake the rule tests use: if the fake drifts from the table, this fails."""

from __future__ import annotations

from datetime import date

import pytest

from chalicelib.domain.prospects.ports import (
    ClaimTaken,
    Escalation,
    PoolPickLimitReached,
    RegistrationCapReached,
    StaleRecord,
)
from chalicelib.models.prospects import ClaimKind, ProspectRecord, ProspectStatus
from chalicelib.storage.memory.prospects import MemoryProspectRepository
from chalicelib.storage.prospects_repo import DynamoProspectRepository

DAY = date(2026, 11, 20)


@pytest.fixture(params=["memory", "dynamodb"])
def repo(request):
    # The DynamoDB one runs on the tables the autouse `aws` fixture built for this test.
    return MemoryProspectRepository() if request.param == "memory" else DynamoProspectRepository()


def prospect(pid: str, *, phone: str | None = None, id_hash: str | None = None, **kw) -> ProspectRecord:
    values = {
        "prospect_id": pid,
        "branch_id": "br-pudong",
        "name": "张三丰",
        "phone_sealed": "sealed",
        "phone_hash": phone or f"phone-{pid}",
        "phone_masked": "138****5678",
        "prospect_class": "A",
        "source": "own_network",
        "first_contact_on": "2026-11-19",
        "first_contact_due": "2026-11-22",
        "status": "active",
        "owner_id": "cm-001",
        "owner_name": "王晓明",
        "assigned_on": "2026-11-20",
        "protected_until": "2026-11-27",
        "next_follow_up": "2026-11-22",
        "created_at": "2026-11-20T10:00:00+08:00",
        "registered_on": "2026-11-20",
        "registered_by": "cm-001",
        "version": 1,
        "submission_ref": "ref-1",
    }
    if id_hash:
        values.update(id_hash=id_hash, id_sealed="sealed-id", id_masked="110***********002X")
    values.update(kw)
    return ProspectRecord.model_validate(values)


def pooled(pid: str, released_at: str, **kw) -> ProspectRecord:
    return prospect(
        pid,
        status="pool",
        owner_id=None,
        owner_name=None,
        protected_until=None,
        next_follow_up=None,
        released_at=released_at,
        **kw,
    )


def everything(list_page, **kw) -> list:
    """Every item of a list, page by page (limit 1), each page key handed back as the rules do."""
    items, key = [], None
    for _ in range(20):
        page = list_page(limit=1, start_key=key, **kw)
        items.extend(page.items)
        key = page.last_key
        if not key:
            return items
    raise AssertionError("the pages never ended")


def test_a_created_prospect_reads_back_as_written_with_its_claims(repo):
    record = prospect("p1", id_hash="id-1", previous_owners={"cm-009": "2026-10-01"}, referrer={"name": "小李"})
    repo.create(record, counted_for=None)
    assert repo.get("p1") == record and repo.get("p1", consistent=True) == record
    assert repo.get("p1").model_extra == {"submission_ref": "ref-1"}  # another area's attribute survives
    assert repo.claim_holder(ClaimKind.phone, "phone-p1") == "p1"
    assert repo.claim_holder(ClaimKind.id_number, "id-1") == "p1"
    assert repo.claim_holder(ClaimKind.id_number, "phone-p1") is None  # the kinds are separate claims
    assert repo.get("nobody") is None and repo.get_with_follow_ups("nobody") == (None, [])


@pytest.mark.parametrize(
    "second,lost",
    [
        ({"phone": "phone-p1"}, [ClaimKind.phone]),
        ({"id_hash": "id-1"}, [ClaimKind.id_number]),
        ({"phone": "phone-p1", "id_hash": "id-1"}, [ClaimKind.phone, ClaimKind.id_number]),
    ],
)
def test_a_second_claim_on_the_same_person_is_claim_taken_and_writes_nothing(repo, second, lost):
    repo.create(prospect("p1", id_hash="id-1"), counted_for="cm-001")
    with pytest.raises(ClaimTaken) as taken:
        repo.create(prospect("p2", owner_id="cm-002", **second), counted_for="cm-002")
    assert taken.value.kinds == lost
    assert repo.get("p2") is None
    assert repo.claim_holder(ClaimKind.phone, second.get("phone", "phone-p2")) in ("p1", None)
    assert repo.claim_holder(ClaimKind.phone, "phone-p2") is None  # the loser's other claim was not written
    assert repo.month_counts("cm-002", "2026-11") == {"registered": 0, "converted": 0}


def test_registrations_are_counted_in_the_managers_month(repo):
    repo.create(prospect("p1"), counted_for="cm-001")
    repo.create(prospect("p2"), counted_for="cm-001")
    repo.create(prospect("p3"), counted_for=None)  # a referral counts for nobody
    assert repo.month_counts("cm-001", "2026-11") == {"registered": 2, "converted": 0}
    assert repo.month_counts("cm-001", "2026-12") == {"registered": 0, "converted": 0}


def test_a_save_on_a_stale_version_is_refused_and_changes_nothing(repo):
    repo.create(prospect("p1"), counted_for=None)
    moved = prospect("p1", version=2, prospect_class="B")
    repo.save(moved, expected_version=1)
    assert repo.get("p1") == moved
    with pytest.raises(StaleRecord):
        repo.save(prospect("p1", version=2, prospect_class="C"), expected_version=1)
    assert repo.get("p1") == moved
    with pytest.raises(StaleRecord):
        repo.save(prospect("p9", version=2), expected_version=1)  # never created
    assert repo.get("p9") is None


def test_a_follow_up_is_written_with_the_record_or_not_at_all(repo):
    repo.create(prospect("p1"), counted_for=None)
    for n, at in enumerate(["2026-11-21T09:00:00+08:00", "2026-11-23T09:00:00+08:00"], start=1):
        follow_up = {
            "follow_up_id": f"f{n}",
            "prospect_id": "p1",
            "at": at,
            "by": "cm-001",
            "channel": "phone",
            "summary": "电话沟通",
            "next_date": None,
        }
        repo.save_with_follow_up(prospect("p1", version=n + 1, follow_up_count=n), follow_up, expected_version=n)
    with pytest.raises(StaleRecord):
        repo.save_with_follow_up(
            prospect("p1", version=9),
            {
                "follow_up_id": "f9",
                "prospect_id": "p1",
                "at": "2026-11-25T09:00:00+08:00",
                "by": "cm-001",
                "channel": "phone",
                "summary": "x",
            },
            expected_version=1,
        )
    record, follow_ups = repo.get_with_follow_ups("p1")
    assert record.follow_up_count == 2 and record.version == 3
    assert [f["follow_up_id"] for f in follow_ups] == ["f2", "f1"]  # newest first, the refused one absent
    assert "next_date" not in follow_ups[0]  # unset attributes are not stored


def test_pool_picks_count_per_manager_and_day_and_a_refused_pick_counts_nothing(repo):
    for pid in ("p1", "p2", "p3"):
        repo.create(pooled(pid, "2026-11-19T01:00:00+08:00"), counted_for=None)
    repo.save_pool_pick(prospect("p1", version=2), expected_version=1, picker_id="cm-001", day=DAY, daily_limit=2)
    with pytest.raises(StaleRecord):  # someone else moved p2 first: no pick used
        repo.save_pool_pick(prospect("p2", version=2), expected_version=7, picker_id="cm-001", day=DAY, daily_limit=2)
    repo.save_pool_pick(prospect("p2", version=2), expected_version=1, picker_id="cm-001", day=DAY, daily_limit=2)
    with pytest.raises(PoolPickLimitReached) as reached:
        repo.save_pool_pick(prospect("p3", version=2), expected_version=1, picker_id="cm-001", day=DAY, daily_limit=2)
    assert reached.value.limit == 2 and reached.value.message == "daily pool pick limit of 2 reached"
    assert repo.get("p3").status == ProspectStatus.pool
    with pytest.raises(PoolPickLimitReached):  # the limit is named even when the version is stale too
        repo.save_pool_pick(prospect("p3", version=2), expected_version=7, picker_id="cm-001", day=DAY, daily_limit=2)
    repo.save_pool_pick(prospect("p3", version=2), expected_version=1, picker_id="cm-002", day=DAY, daily_limit=2)
    assert repo.get("p3").version == 2


def test_registration_attempts_stop_at_the_cap_per_manager_and_day(repo):
    assert [repo.take_registration("cm-001", DAY, 2) for _ in range(3)] == [True, True, False]
    assert repo.take_registration("cm-002", DAY, 2) and repo.take_registration("cm-001", date(2026, 11, 21), 2)


def test_collisions_are_listed_for_the_branch_and_across_branches_without_the_prospect(repo):
    same = {
        "collision_id": "c1",
        "prospect_id": "p1",
        "branch_id": "br-pudong",
        "at": "2026-11-20T10:00:00+08:00",
        "attempted_by": "cm-002",
        "attempted_by_kind": "staff",
        "attempted_by_branch": "br-pudong",
        "existing_owner_id": "cm-001",
        "source": "seminar",
        "matched_on": ["phone"],
    }
    across = {
        **same,
        "collision_id": "c2",
        "at": "2026-11-20T11:00:00+08:00",
        "attempted_by": "cm-101",
        "attempted_by_branch": "br-haidian",
        "existing_owner_id": None,
    }
    repo.add_collision(same)
    repo.add_collision(across)
    ours = everything(repo.list_collisions, branch_id="br-pudong")
    assert [c["collision_id"] for c in ours] == ["c2", "c1"]  # newest first
    assert ours[1] == same and "existing_owner_id" not in ours[0]
    theirs = everything(repo.list_collisions, branch_id="br-haidian")
    assert theirs == [
        {
            "collision_id": "c2",
            "at": across["at"],
            "attempted_by": "cm-101",
            "attempted_by_kind": "staff",
            "source": "seminar",
            "matched_on": ["phone"],
            "branch_id": "br-haidian",
            "cross_branch": True,
        }
    ]


def test_the_lists_keep_their_index_order_across_pages(repo):
    repo.create(prospect("late", next_follow_up="2026-11-25"), counted_for=None)
    repo.create(prospect("soon", next_follow_up="2026-11-21"), counted_for=None)
    repo.create(prospect("unset", next_follow_up=None), counted_for=None)
    repo.create(prospect("other", owner_id="cm-002"), counted_for=None)
    repo.create(pooled("old", "2026-11-18T01:00:00+08:00", last_owner_id="cm-001"), counted_for=None)
    repo.create(pooled("new", "2026-11-19T01:00:00+08:00", referred_by_outlet="ot-1"), counted_for=None)
    repo.create(pooled("elsewhere", "2026-11-19T01:00:00+08:00", branch_id="br-haidian"), counted_for=None)
    repo.create(prospect("ref", referred_by_outlet="ot-1", created_at="2026-11-20T11:00:00+08:00"), counted_for=None)
    # "ref" follows up on 11-22 (the default of `prospect`), between "soon" and "late".
    assert [r.prospect_id for r in everything(repo.list_owned, owner_id="cm-001")] == ["soon", "ref", "late", "unset"]
    assert [r.prospect_id for r in everything(repo.list_pool, branch_id="br-pudong")] == ["new", "old"]
    assert [r.prospect_id for r in everything(repo.list_outlet_referrals, outlet_id="ot-1")] == ["ref", "new"]


def test_lapsing_on_reads_the_active_claims_whose_protection_ends_that_day(repo):
    repo.create(prospect("a", protected_until="2026-11-27"), counted_for=None)
    repo.create(prospect("b", protected_until="2026-11-28"), counted_for=None)
    repo.create(pooled("c", "2026-11-19T01:00:00+08:00"), counted_for=None)
    assert [r.prospect_id for r in repo.lapsing_on(date(2026, 11, 27))] == ["a"]
    repo.save(pooled("a", "2026-11-28T01:00:00+08:00", version=2), expected_version=1)
    assert repo.lapsing_on(date(2026, 11, 27)) == []


def test_first_contacts_due_on_a_day_are_the_owned_uncontacted_not_yet_escalated(repo):
    repo.create(prospect("a"), counted_for=None)  # due 2026-11-22
    repo.create(prospect("b", follow_up_count=1), counted_for=None)  # contacted
    repo.create(prospect("c", first_contact_due="2026-11-23"), counted_for=None)
    repo.create(pooled("d", "2026-11-21T01:00:00+08:00"), counted_for=None)
    assert [r.prospect_id for r in repo.first_contact_due_on(date(2026, 11, 22))] == ["a"]
    escalated = prospect("a", version=2, first_contact_escalated_for="2026-11-22")
    repo.save_with_escalation(escalated, Escalation("s:a", {"kind": "k", "record": {}}), expected_version=1)
    assert repo.first_contact_due_on(date(2026, 11, 22)) == []
    assert repo.get("a").first_contact_escalated_for == date(2026, 11, 22)
    with pytest.raises(StaleRecord):
        repo.save_with_escalation(
            prospect("c", version=2), Escalation("s:c", {"kind": "k", "record": {}}), expected_version=7
        )
    assert repo.get("c").version == 1


def test_create_with_a_daily_cap_counts_the_attempt_in_the_same_write(repo):
    repo.create(prospect("p1"), counted_for="cm-001", daily_cap=2)
    repo.create(prospect("p2"), counted_for="cm-001", daily_cap=2)
    with pytest.raises(RegistrationCapReached):
        repo.create(prospect("p3"), counted_for="cm-001", daily_cap=2)
    assert repo.get("p3") is None and repo.claim_holder(ClaimKind.phone, "phone-p3") is None
    assert repo.take_registration("cm-001", DAY, 3) and not repo.take_registration("cm-001", DAY, 3)
    assert repo.month_counts("cm-001", "2026-11")["registered"] == 2


def test_create_that_loses_a_claim_counts_no_attempt(repo):
    repo.create(prospect("p1"), counted_for="cm-001", daily_cap=1)
    with pytest.raises(ClaimTaken):
        repo.create(prospect("p2", phone="phone-p1"), counted_for="cm-002", daily_cap=1)
    assert repo.take_registration("cm-002", DAY, 1)  # cm-002's attempt was not counted by the lost write
