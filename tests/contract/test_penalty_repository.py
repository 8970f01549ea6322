"""One contract for `PenaltyRepository`, run on the DynamoDB adapter (moto) and on the in-memory fake the
rule tests use: if the fake drifts from the table, this fails."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from chalicelib.domain.penalty_ports import EntryRefused, PenaltyChanged, RuleVersionExists
from chalicelib.storage.memory.penalties import MemoryPenaltyRepository
from chalicelib.storage.penalties_repo import DynamoPenaltyRepository

AT = "2026-11-20T10:00:00+08:00"


def _seed_dynamodb() -> None:
    from chalicelib.storage import base, directory, keys

    directory.put_branch({"branch_id": "br-pudong", "name": "浦东"})
    for staff_id, role in (("cm-001", "client_manager"), ("sup-001", "supervisor")):
        directory.put_staff({"staff_id": staff_id, "branch_id": "br-pudong", "role": role, "status": "active"})
    base.put({**keys.collision("col-1"), "collision_id": "col-1", "branch_id": "br-pudong", "prospect_id": "p-1"})


@pytest.fixture(params=["memory", "dynamodb"])
def repo(request):
    # The DynamoDB one runs on the tables the autouse `aws` fixture built for this test.
    if request.param == "memory":
        fake = MemoryPenaltyRepository()
        fake.add_staff("cm-001", "br-pudong", status="active")
        fake.add_staff("sup-001", "br-pudong", "supervisor", status="active")
        fake.collisions["col-1"] = {"collision_id": "col-1", "branch_id": "br-pudong", "prospect_id": "p-1"}
        return fake
    _seed_dynamodb()
    return DynamoPenaltyRepository()


def penalty(pid: str, breach: str = "2026-11-18", **kw) -> dict:
    return {
        "penalty_id": pid,
        "manager_id": "cm-001",
        "branch_id": "br-pudong",
        "rule_code": "LATE",
        "rule_kind": "points",
        "breach_date": breach,
        "occurrences": 1,
        "points": 5,
        "yuan": Decimal("50.00"),
        "salary_deduction_yuan": Decimal("100.00"),
        "settlement": "cash_or_salary",
        "status": "open",
        "due_on": "2026-12-04",
        "overdue": False,
        "entered_by": "sup-001",
        "revision": 1,
        "ledgered": True,
        "collision": None,
        **kw,
    }


def audit(revision: int, action: str = "entered", at: str = AT) -> dict:
    return {"at": at, "revision": revision, "action": action, "actor_id": "sup-001", "actor_role": "supervisor"}


def ledger(pids: list[str], version: int = 1, month: str = "2026-11") -> dict:
    entries = {p: {"rule_code": "LATE", "occurrences": 1, "breach_date": f"{month}-18"} for p in pids}
    return {"manager_id": "cm-001", "month": month, "version": version, "complete": True, "penalties": entries}


def flag(flag_id: str, at: str = AT) -> dict:
    return {
        "flag_id": flag_id,
        "kind": "repeated_breach",
        "staff_id": "cm-001",
        "branch_id": "br-pudong",
        "month": "2026-11",
        "reason": "3 breaches",
        "penalty_ids": ["p-1"],
        "created_at": at,
    }


def enter(repo, pid: str, *, version=None, revisions=None, flags=(), **kw) -> None:
    repo.enter(
        penalty(pid, **kw),
        audit(1),
        branch_id=kw.get("branch_id", "br-pudong"),
        ledger=ledger([pid], (version or 0) + 1),
        ledger_version=version,
        catalogue_revisions=revisions if revisions is not None else {"GLOBAL": None},
        flags=list(flags),
    )


# --- the catalogue ----------------------------------------------------------------------------------
def test_rule_versions_move_the_scope_revision_and_are_never_overwritten(repo):
    assert repo.rule_scope("GLOBAL").rev is None and repo.rule_scope("GLOBAL").versions == []
    repo.put_rule_version({"scope": "GLOBAL", "effective_from": "2026-12-01", "rules": [], "note": "b"})
    repo.put_rule_version({"scope": "GLOBAL", "effective_from": "2026-06-01", "rules": [], "note": "a"})
    repo.forget_rule_scopes()
    scope = repo.rule_scope("GLOBAL")
    assert scope.rev == 2 and [v["effective_from"] for v in scope.versions] == ["2026-06-01", "2026-12-01"]
    with pytest.raises(RuleVersionExists):
        repo.put_rule_version({"scope": "GLOBAL", "effective_from": "2026-06-01", "rules": [], "note": "again"})
    repo.forget_rule_scopes()
    assert repo.rule_scope("GLOBAL").rev == 2 and repo.rule_scope("GLOBAL").versions[0]["note"] == "a"


def test_a_branch_exists_once_stored(repo):
    assert repo.branch_exists("br-pudong") and not repo.branch_exists("br-nowhere")


# --- entering -----------------------------------------------------------------------------------------
def test_an_entry_writes_the_penalty_its_audit_its_ledger_and_its_flags(repo):
    enter(repo, "p-1", flags=[flag("REPEAT.cm-001.LATE.2026-11")])
    stored = repo.get("p-1")
    assert stored["status"] == "open" and stored["yuan"] == Decimal("50.00") and "collision" not in stored
    record, history, reversal = repo.get_with_history("p-1")
    assert record == stored and [h["action"] for h in history] == ["entered"] and reversal is None
    assert list(repo.get_ledger("cm-001", "2026-11")["penalties"]) == ["p-1"]
    assert repo.list_flags(staff_id="cm-001", limit=10).items[0]["flag_id"] == "REPEAT.cm-001.LATE.2026-11"


@pytest.mark.parametrize(
    "case, expected",
    [
        ("exists", {"exists": True}),
        ("manager", {"manager": True}),
        ("supervisor", {"manager": True}),
        ("ledger", {"stale": True}),
        ("catalogue", {"stale": True}),
        ("flag", {"flags": ["REPEAT.cm-001.LATE.2026-11"]}),
    ],
)
def test_a_refused_entry_names_what_refused_it_and_writes_nothing(repo, case, expected):
    enter(repo, "p-1", flags=[flag("REPEAT.cm-001.LATE.2026-11")])
    kw: dict = {"version": 1}
    pid = "p-2"
    if case == "exists":
        pid = "p-1"
    elif case == "manager":
        kw["branch_id"] = "br-haidian"
    elif case == "supervisor":
        kw["manager_id"] = "sup-001"
    elif case == "ledger":
        kw["version"] = None  # a ledger is stored: "none yet" is stale
    elif case == "catalogue":
        kw["revisions"] = {"GLOBAL": 3}
    flags = [flag("REPEAT.cm-001.LATE.2026-11")] if case == "flag" else []
    with pytest.raises(EntryRefused) as refused:
        enter(repo, pid, flags=flags, **kw)
    outcome = refused.value
    got = {"exists": outcome.exists, "manager": outcome.manager, "stale": outcome.stale, "flags": outcome.flags}
    assert got == {"exists": False, "manager": False, "stale": False, "flags": [], **expected}
    if pid != "p-1":
        assert repo.get(pid) is None
    assert list(repo.get_ledger("cm-001", "2026-11")["penalties"]) == ["p-1"]


def test_an_entry_on_the_ledger_version_read_moves_it_on(repo):
    enter(repo, "p-1")
    enter(repo, "p-2", version=1)
    assert repo.get_ledger("cm-001", "2026-11")["version"] == 2
    with pytest.raises(EntryRefused) as refused:
        enter(repo, "p-3", version=1)
    assert refused.value.stale


# --- changing -----------------------------------------------------------------------------------------
def test_a_change_on_the_status_and_revision_read_wins_once(repo):
    enter(repo, "p-1")
    before = repo.get("p-1")
    repo.replace(
        {**before, "status": "paid_cash", "revision": 2},
        expected_status="open",
        expected_revision=1,
        audit=audit(2, "settled", "2026-11-21T10:00:00+08:00"),
    )
    with pytest.raises(PenaltyChanged):
        repo.replace(
            {**before, "status": "voided", "revision": 2},
            expected_status="open",
            expected_revision=1,
            audit=audit(2, "voided", "2026-11-21T11:00:00+08:00"),
            reversal={"penalty_id": "p-1", "points": -5},
            drop_from_ledger=True,
        )
    record, history, reversal = repo.get_with_history("p-1")
    assert record["status"] == "paid_cash" and reversal is None
    assert [h["action"] for h in history] == ["entered", "settled"]
    assert list(repo.get_ledger("cm-001", "2026-11")["penalties"]) == ["p-1"]


def test_a_void_adds_its_reversal_and_leaves_the_ledger(repo):
    enter(repo, "p-1")
    before = repo.get("p-1")
    repo.replace(
        {**before, "status": "voided", "revision": 2},
        expected_status="open",
        expected_revision=1,
        audit=audit(2, "voided", "2026-11-21T10:00:00+08:00"),
        reversal={"penalty_id": "p-1", "points": -5, "yuan": Decimal("-50")},
        drop_from_ledger=True,
    )
    _, _, reversal = repo.get_with_history("p-1")
    assert reversal["points"] == -5 and reversal["yuan"] == Decimal("-50.00")
    stored = repo.get_ledger("cm-001", "2026-11")
    assert stored["penalties"] == {} and stored["version"] == 2


def test_a_penalty_from_before_ledgers_marks_its_month_stale(repo):
    enter(repo, "p-1")
    before = {**repo.get("p-1"), "ledgered": False}
    repo.replace(
        {**before, "status": "voided", "revision": 2},
        expected_status="open",
        expected_revision=1,
        audit=audit(2, "voided", "2026-11-21T10:00:00+08:00"),
        drop_from_ledger=True,
    )
    assert repo.get_ledger("cm-001", "2026-11")["stale"] is True


# --- reading ------------------------------------------------------------------------------------------
def test_lists_are_newest_breach_first_by_month_and_page(repo):
    enter(repo, "p-1", breach="2026-10-30")
    repo.enter(
        penalty("p-2", "2026-11-02"),
        audit(1),
        branch_id="br-pudong",
        ledger=ledger(["p-2"], 2),
        ledger_version=1,
        catalogue_revisions={},
        flags=[],
    )
    repo.enter(
        penalty("p-3", "2026-11-05"),
        audit(1),
        branch_id="br-pudong",
        ledger=ledger(["p-2", "p-3"], 3),
        ledger_version=2,
        catalogue_revisions={},
        flags=[],
    )
    first = repo.list_for_manager("cm-001", None, limit=2)
    assert [p["penalty_id"] for p in first.items] == ["p-3", "p-2"] and first.last_key
    rest = repo.list_for_manager("cm-001", None, limit=2, start_key=first.last_key)
    assert [p["penalty_id"] for p in rest.items] == ["p-1"] and rest.last_key is None
    assert [p["penalty_id"] for p in repo.list_for_branch("br-pudong", "2026-11", limit=10).items] == ["p-3", "p-2"]
    assert sorted(p["penalty_id"] for p in repo.manager_month("cm-001", "2026-11")) == ["p-2", "p-3"]


def test_the_due_index_holds_open_cash_penalties_not_yet_overdue(repo):
    enter(repo, "p-1")
    enter(repo, "p-2", version=1, due_on="2026-12-05")
    assert [p["penalty_id"] for p in repo.due_on(date(2026, 12, 4))] == ["p-1"]
    before = repo.get("p-1")
    repo.replace(
        {**before, "overdue": True, "settlement": "payroll", "revision": 2},
        expected_status="open",
        expected_revision=1,
        audit=audit(2, "moved_to_payroll", "2026-12-05T01:00:00+08:00"),
        overdue_flag=flag("OVERDUE.p-1", "2026-12-05T01:00:00+08:00") | {"kind": "penalty_overdue"},
    )
    assert repo.due_on(date(2026, 12, 4)) == []
    assert repo.get("p-1")["settlement"] == "payroll"


def test_collisions_and_staff_are_read_as_stored(repo):
    assert repo.get_collision("col-1")["prospect_id"] == "p-1" and repo.get_collision("col-9") is None
    assert repo.get_staff("cm-001")["role"] == "client_manager" and repo.get_staff("cm-999") is None
    assert repo.scoped_staff("sup-001")["branch_id"] == "br-pudong"


# --- flags and the watermark --------------------------------------------------------------------------
def test_a_flag_is_raised_once_and_listed_newest_first(repo):
    assert repo.put_flag(flag("A", "2026-11-01T10:00:00+08:00"))
    assert repo.put_flag(flag("B", "2026-11-02T10:00:00+08:00"))
    assert not repo.put_flag(flag("A", "2026-11-03T10:00:00+08:00"))
    page = repo.list_flags(branch_id="br-pudong", limit=1)
    assert [f["flag_id"] for f in page.items] == ["B"] and page.last_key
    rest = repo.list_flags(branch_id="br-pudong", limit=1, start_key=page.last_key)
    assert [f["flag_id"] for f in rest.items] == ["A"] and rest.items[0]["created_at"] == "2026-11-01T10:00:00+08:00"
    assert repo.list_flags(staff_id="cm-002", limit=5).items == []


def test_the_scorecards_reads_the_branchs_month_its_flags_since_and_its_managers(repo):
    enter(repo, "p-1", breach="2026-10-30")
    enter(repo, "p-2", version=1, breach="2026-11-02")
    assert [p["penalty_id"] for p in repo.branch_month("br-pudong", "2026-11")] == ["p-2"]
    assert repo.branch_month("br-haidian", "2026-11") == []
    repo.put_flag(flag("A", "2026-10-31T10:00:00+08:00"))
    repo.put_flag(flag("B", "2026-11-02T10:00:00+08:00"))
    assert [f["flag_id"] for f in repo.staff_flags_since("cm-001", "2026-11")] == ["B"]
    assert [f["flag_id"] for f in repo.branch_flags_since("br-pudong", "2026-10")] == ["A", "B"]
    assert [s["staff_id"] for s in repo.branch_managers("br-pudong")] == ["cm-001"]
