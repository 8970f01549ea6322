"""One contract for `DisclosureAuditRepository`, on the DynamoDB adapter (moto) and on the in-memory fake."""

from __future__ import annotations

import pytest

from chalicelib.domain import outbox
from chalicelib.domain.disclosure_ports import RevealBudgetReached
from chalicelib.errors import TooManyRequests
from chalicelib.storage.audit_repo import DynamoDisclosureAuditRepository
from chalicelib.storage.memory.audit import MemoryDisclosureAuditRepository
from chalicelib.storage.memory.outbox import MemoryOutboxRepository
from chalicelib.storage.outbox_repo import DynamoOutboxRepository


@pytest.fixture(params=["memory", "dynamodb"])
def repos(request):
    if request.param == "memory":
        box = MemoryOutboxRepository()
        return MemoryDisclosureAuditRepository(box), box
    return DynamoDisclosureAuditRepository(), DynamoOutboxRepository()


def who(actor: str = "ag-001", **kw) -> dict:
    return {
        "actor_id": actor,
        "actor_role": "callback_agent",
        "subject_kind": "account",
        "subject_id": "A1",
        "branch_id": "br-pudong",
        "purpose": "callback",
        "reason": "calling the client",
        "case_ref": None,
        "fields": ["phone"],
        "requested": ["phone"],
        **kw,
    }


def alert(box, actor: str, day: str = "d1") -> dict:
    return box.entry_op(outbox.entry("escalation", f"reveal_budget|{actor}|{day}", {"kind": "reveal_budget_exhausted"}))


def test_granted_reveals_count_against_the_day_budget_per_actor(repos):
    repo, _ = repos
    first = repo.record_granted(budget=2, **who())
    assert (first["outcome"], first["fields"]) == ("granted", ["phone"]) and first["audit_id"]
    repo.record_granted(budget=2, **who())
    with pytest.raises(RevealBudgetReached) as err:
        repo.record_granted(budget=2, **who())
    assert isinstance(err.value, TooManyRequests) and err.value.budget == 2
    repo.record_granted(budget=2, **who("ag-002"))  # someone else's budget
    month = first["at"][:7]
    records = repo.list_reveals(month, limit=10).items
    assert [r["actor_id"] for r in records].count("ag-001") == 2  # the refused one wrote nothing
    assert [r["at"] for r in records] == sorted((r["at"] for r in records), reverse=True)


def test_refusals_are_audited(repos):
    repo, _ = repos
    refused = repo.record_refused(**who(fields=[], refusal="no open task on this account"))
    assert (refused["outcome"], refused["refusal"]) == ("refused", "no open task on this account")
    assert [r["audit_id"] for r in repo.list_reveals(refused["at"][:7], limit=5).items] == [refused["audit_id"]]


def test_only_the_first_over_budget_refusal_of_the_day_raises_the_alert(repos):
    repo, box = repos
    assert repo.record_refused_over_budget(alert(box, "ag-001"), **who(fields=[], refusal="budget")) is True
    assert (
        repo.record_refused_over_budget(alert(box, "ag-001", "d1-again"), **who(fields=[], refusal="budget")) is False
    )
    alerted = box.get(outbox.entry("escalation", "reveal_budget|ag-001|d1", {})["entry_id"])
    assert alerted["status"] == "pending"
    assert box.get(outbox.entry("escalation", "reveal_budget|ag-001|d1-again", {})["entry_id"]) is None
    # the alert already recorded (a replay): the refusal is audited alone
    assert repo.record_refused_over_budget(alert(box, "ag-001"), **who("ag-009", fields=[], refusal="budget")) is False
    records = repo.list_reveals(alerted["created_at"][:7], limit=10).items
    assert [r["outcome"] for r in records] == ["refused"] * 3


def test_the_month_list_pages_newest_first(repos):
    repo, _ = repos
    made = [repo.record_refused(**who(fields=[], refusal=str(i))) for i in range(3)]
    assert repo.list_reveals("2000-01", limit=1).items == []
    shown, start = [], None
    for _ in range(5):
        page = repo.list_reveals(made[0]["at"][:7], limit=2, start_key=start)
        shown.extend(page.items)
        start = page.last_key
        if not start:
            break
    assert sorted(r["audit_id"] for r in shown) == sorted(r["audit_id"] for r in made)
    keys = [f"{r['at']}#{r['audit_id']}" for r in shown]
    assert keys == sorted(keys, reverse=True)


def _made_over_months(repo) -> list[dict]:
    from chalicelib import clock

    made = []
    for at, actor, subject in (
        ("2026-10-31T23:59:00+08:00", "ag-001", "A1"),
        ("2026-11-15T08:00:00+08:00", "ag-002", "A1"),
        ("2026-11-15T09:00:00+08:00", "ag-001", "A2"),
        ("2026-12-01T00:00:00+08:00", "ag-001", "A1"),
    ):
        with clock.freeze(at):
            made.append(repo.record_refused(**who(actor, subject_id=subject, fields=[], refusal="x")))
    return made


def _all(repo, **kw) -> list[dict]:
    shown, start = [], None
    for _ in range(10):
        page = repo.search_reveals(limit=1, start_key=start, **kw)
        assert len(page.items) <= 1
        shown.extend(page.items)
        start = page.last_key
        if not start:
            return shown
    raise AssertionError("paging did not end")


def test_search_by_actor_subject_and_days_across_months(repos):
    repo, _ = repos
    oct31, nov_b, nov_a2, dec1 = _made_over_months(repo)
    every = {"since": "2026-10-01", "until": "2026-12-31~"}
    ids = lambda rs: [r["audit_id"] for r in rs]  # noqa: E731
    assert ids(_all(repo, **every)) == ids([dec1, nov_a2, nov_b, oct31])
    assert ids(_all(repo, actor_id="ag-001", **every)) == ids([dec1, nov_a2, oct31])
    assert ids(_all(repo, subject=("account", "A1"), **every)) == ids([dec1, nov_b, oct31])
    assert ids(_all(repo, subject=("account", "A1"), actor_id="ag-001", **every)) == ids([dec1, oct31])
    assert ids(_all(repo, subject=("prospect", "A1"), **every)) == []
    # the day bounds are inclusive and compared on the Shanghai timestamp
    nov = {"since": "2026-11-01", "until": "2026-11-30~"}
    assert ids(_all(repo, **nov)) == ids([nov_a2, nov_b])
    assert ids(_all(repo, actor_id="ag-001", **nov)) == ids([nov_a2])
    assert ids(_all(repo, since="2026-10-31", until="2026-10-31~")) == ids([oct31])
    page = repo.search_reveals(limit=10, **every)
    assert ids(page.items) == ids([dec1, nov_a2, nov_b, oct31]) and page.last_key is None
