"""Pool rules on the fakes: the daily lapse (公海/保护期), claims from the pool, reassignment."""

from __future__ import annotations

from datetime import date

import pytest

from chalicelib import clock
from chalicelib.domain.prospects import pool, registration
from chalicelib.domain.prospects.pool import (
    AlreadyTheOwner,
    ClaimedByAnotherFirst,
    ConvertedIsFinal,
    NotInPool,
    ReclaimBlocked,
)
from chalicelib.domain.prospects.ports import PoolPickLimitReached
from chalicelib.errors import NotFound, ValidationFailed
from chalicelib.models.prospects import ProspectIn, ProspectStatus, ReassignIn

from ...fakes.prospects import make_deps, manager, supervisor


def register(deps, phone: str, klass: str = "A", who=None) -> str:
    body = ProspectIn.model_validate(
        {"name": "钱七", "phone": phone, "class": klass, "source": "own_network", "first_contact_on": "2026-11-20"}
    )
    return registration.register(deps, who or manager(), body)["prospect_id"]


def run(deps, day: str) -> dict:
    """The daily job as scheduled: 01:00 Shanghai on `day`."""
    with clock.freeze(f"{day}T01:00:00+08:00"):
        return pool.release_lapsed(deps)


def status(deps, pid: str) -> ProspectStatus:
    return deps.repo.get(pid).status


def test_each_class_lapses_after_its_protection_days_and_d_at_the_next_run(deps):
    a, b, c, d = (register(deps, f"1360000000{i}", k) for i, k in enumerate("ABCD"))
    run(deps, "2026-11-21")
    assert [status(deps, p) for p in (a, b, c, d)] == ["active", "active", "active", "pool"]
    run(deps, "2026-11-27")
    assert status(deps, a) == "active"  # protected through 11-27
    run(deps, "2026-11-28")
    assert status(deps, a) == "pool" and status(deps, b) == "active"
    run(deps, "2026-12-06")
    assert status(deps, b) == "pool" and status(deps, c) == "active"
    run(deps, "2026-12-21")
    assert status(deps, c) == "pool"


def test_a_missed_run_is_caught_up_from_the_watermark_and_a_rerun_does_nothing(deps):
    a = register(deps, "13600000001", "A")
    run(deps, "2026-11-21")
    result = run(deps, "2026-12-01")
    assert result == {"from": "2026-11-21", "through": "2026-11-30", "released": 1}
    assert run(deps, "2026-12-01")["released"] == 0
    record = deps.repo.get(a)
    assert record.previous_owners == {"cm-001": date(2026, 12, 1)} and record.owner_id is None
    assert record.last_owner_id == "cm-001" and record.released_at == "2026-12-01T01:00:00+08:00"


def test_a_stale_lapse_entry_does_not_release_a_claim_followed_up_meanwhile(deps):
    pid = register(deps, "13600000001", "A")
    stale = deps.repo.get(pid)
    deps.repo.save(stale.model_copy(update={"protected_until": date(2026, 12, 3), "version": 2}), expected_version=1)
    deps.repo.lapsing_on = lambda day: [stale] if day == date(2026, 11, 27) else []
    assert run(deps, "2026-11-28")["released"] == 0
    assert status(deps, pid) == "active"


def _in_pool(deps, *phones: str) -> list[str]:
    """D prospects registered on 11-20 by cm-001, released by the run of 11-21."""
    pids = [register(deps, phone, "D") for phone in phones or ("13600000001",)]
    assert run(deps, "2026-11-21")["released"] == len(pids)
    return pids


def test_a_branch_manager_claims_from_the_pool_and_owns_it_from_today(deps):
    [pid] = _in_pool(deps)
    with clock.freeze("2026-11-21T09:00:00+08:00"):
        out = pool.claim_from_pool(deps, manager("cm-002", name="李娜"), pid)
    assert out["owner_id"] == "cm-002" and out["status"] == "active"
    assert out["next_follow_up"] == "2026-11-24" and out["protected_until"] == "2026-11-21"  # D: no protection
    assert deps.repo.list_pool("br-pudong", limit=10, start_key=None).items == []
    with pytest.raises(NotInPool):
        pool.claim_from_pool(deps, manager("cm-001"), pid)


def test_the_previous_owner_waits_out_the_reclaim_block(deps):
    [pid] = _in_pool(deps)  # released from cm-001 on 11-21
    with pytest.raises(ReclaimBlocked) as blocked:
        pool.claim_from_pool(deps, manager(), pid)
    assert blocked.value.message == "a previous owner may claim this prospect again from 2026-12-21"
    with clock.freeze("2026-12-21T09:00:00+08:00"):
        assert pool.claim_from_pool(deps, manager(), pid)["owner_id"] == "cm-001"


def test_pool_picks_stop_at_the_daily_limit(deps):
    deps = make_deps(pool_daily_pick_limit=1)
    first, second = _in_pool(deps, "13600000001", "13600000002")
    pool.claim_from_pool(deps, manager("cm-002"), first)
    with pytest.raises(PoolPickLimitReached) as reached:
        pool.claim_from_pool(deps, manager("cm-002"), second)
    assert reached.value.status == 422 and reached.value.code == "unprocessable"
    assert status(deps, second) == "pool"


def test_two_managers_claiming_at_once_the_second_hears_someone_was_first(deps):
    [pid] = _in_pool(deps)
    as_read = deps.repo.get(pid)
    pool.claim_from_pool(deps, manager("cm-002"), pid)
    deps.repo.get = lambda prospect_id, consistent=False: as_read  # cm-009 read it before cm-002 wrote
    with pytest.raises(ClaimedByAnotherFirst):
        pool.claim_from_pool(deps, manager("cm-009"), pid)


def test_another_branchs_pool_is_not_claimable_from_here(deps):
    [pid] = _in_pool(deps)
    with pytest.raises(NotFound):
        pool.claim_from_pool(deps, manager("cm-101", "br-haidian"), pid)


def test_a_supervisor_reassigns_to_an_active_manager_of_the_branch(deps):
    pid = register(deps, "13600000001", "B")
    out = pool.reassign(deps, supervisor(), pid, ReassignIn(to_manager_id="cm-002", reason="调岗"))
    assert out["owner_id"] == "cm-002" and out["protected_until"] == "2026-12-05"
    record = deps.repo.get(pid)
    assert record.reassigned_from == "cm-001" and record.reassigned_by == "sup-001"
    with pytest.raises(AlreadyTheOwner):
        pool.reassign(deps, supervisor(), pid, ReassignIn(to_manager_id="cm-002", reason="再次"))
    for target in ("cm-003", "cm-101", "sup-001"):  # inactive, another branch, not a manager
        with pytest.raises(ValidationFailed):
            pool.reassign(deps, supervisor(), pid, ReassignIn(to_manager_id=target, reason="x"))
    with pytest.raises(NotFound):
        pool.reassign(deps, supervisor("br-haidian"), pid, ReassignIn(to_manager_id="cm-101", reason="x"))


def test_a_converted_prospects_attribution_is_final(deps):
    pid = register(deps, "13600000001")
    record = deps.repo.get(pid)
    deps.repo.save(record.model_copy(update={"status": ProspectStatus.converted, "version": 2}), expected_version=1)
    with pytest.raises(ConvertedIsFinal):
        pool.reassign(deps, supervisor(), pid, ReassignIn(to_manager_id="cm-002", reason="x"))
