"""One contract for `OutboxRepository`, on the DynamoDB adapter (moto) and on the in-memory fake."""

from __future__ import annotations

import pytest

from chalicelib.domain import outbox
from chalicelib.domain.outbox_ports import OutboxEntryNotPending
from chalicelib.errors import ConditionFailed
from chalicelib.storage import base
from chalicelib.storage.memory.outbox import MemoryOutboxRepository
from chalicelib.storage.outbox_repo import DynamoOutboxRepository


@pytest.fixture(params=["memory", "dynamodb"])
def repo(request):
    return MemoryOutboxRepository() if request.param == "memory" else DynamoOutboxRepository()


def record(repo, kind: str, subject: str, due_at: str = "2026-12-01T09:00:00+08:00") -> dict:
    entry = {**outbox.entry(kind, subject, {"n": subject}), "due_at": due_at, "created_at": due_at}
    op = repo.entry_op(entry)
    if isinstance(repo, MemoryOutboxRepository):
        repo.commit(op)
    else:
        base.transact([op])
    return entry


def every_page(read) -> list[dict]:
    items, start = [], None
    for _ in range(20):
        page = read(start)
        items.extend(page.items)
        if not page.last_key:
            return items
        start = page.last_key
    raise AssertionError("no last page")


def test_an_entry_is_recorded_once(repo):
    entry = record(repo, "escalation", "s1")
    assert repo.get(entry["entry_id"])["payload"] == {"n": "s1"}
    with pytest.raises(ConditionFailed):  # a replayed cause: its transaction is cancelled
        record(repo, "escalation", "s1")
    assert repo.get("nope") is None


def test_due_entries_are_swept_by_shard_soonest_first(repo):
    entries = [record(repo, "escalation", f"s{i}", f"2026-12-01T09:0{i}:00+08:00") for i in range(8)]
    late = record(repo, "escalation", "late", "2026-12-02T09:00:00+08:00")
    swept = [e for shard in range(repo.shards) for e in repo.due(shard, "2026-12-01T10:00:00+08:00")]
    assert sorted(e["entry_id"] for e in swept) == sorted(e["entry_id"] for e in entries)
    for shard in range(repo.shards):
        due = [e["due_at"] for e in repo.due(shard, "2026-12-01T10:00:00+08:00")]
        assert due == sorted(due)
    assert late["entry_id"] not in {e["entry_id"] for e in swept}
    assert sum(len(repo.due(s, "2026-12-01T10:00:00+08:00", limit=1)) for s in range(repo.shards)) <= repo.shards


def test_a_retry_keeps_it_pending_and_delivery_takes_it_off_the_sweep(repo):
    entry = record(repo, "escalation", "s1")
    repo.mark_retry(entry["entry_id"], "2026-12-01T11:00:00+08:00", "TimeoutError", "2026-12-01T10:00:00+08:00")
    stored = repo.get(entry["entry_id"])
    assert (stored["status"], stored["attempts"], stored["last_error"]) == ("pending", 1, "TimeoutError")
    assert all(not repo.due(s, "2026-12-01T10:30:00+08:00") for s in range(repo.shards))
    assert any(repo.due(s, "2026-12-01T11:00:00+08:00") for s in range(repo.shards))
    repo.mark_delivered(entry["entry_id"], "2026-12-01T11:00:01+08:00")
    stored = repo.get(entry["entry_id"])
    assert (stored["status"], stored["attempts"], stored["delivered_at"]) == (
        "delivered",
        2,
        "2026-12-01T11:00:01+08:00",
    )
    assert all(not repo.due(s, "2026-12-31T00:00:00+08:00") for s in range(repo.shards))
    with pytest.raises(OutboxEntryNotPending):
        repo.mark_retry(entry["entry_id"], "2026-12-01T12:00:00+08:00", "X", "2026-12-01T11:30:00+08:00")


def test_pending_entries_list_soonest_first_over_every_shard_in_pages(repo):
    for i in range(7):
        record(repo, "escalation" if i % 2 else "account.conversion", f"s{i}", f"2026-12-01T09:0{i}:00+08:00")
    shown = every_page(
        lambda start: repo.list_pending(kind=None, failing=False, limit=3, cursors=start and start["shards"])
    )
    assert [e["subject"] for e in shown] == [f"s{i}" for i in range(7)]
    page = repo.list_pending(kind=None, failing=False, limit=3)
    assert len(page.items) == 3 and len(page.last_key["shards"]) == repo.shards
    escalations = every_page(
        lambda start: repo.list_pending(kind="escalation", failing=False, limit=2, cursors=start and start["shards"])
    )
    assert [e["subject"] for e in escalations] == ["s1", "s3", "s5"]
    first = repo.get(shown[0]["entry_id"])
    repo.mark_retry(first["entry_id"], "2026-12-01T09:30:00+08:00", "KeyError", "2026-12-01T09:10:00+08:00")
    failing = repo.list_pending(kind=None, failing=True, limit=5)
    assert [e["subject"] for e in failing.items] == ["s0"]


def test_delivered_entries_list_by_month_newest_first(repo):
    for i, at in enumerate(["2026-11-30T23:00:00+08:00", "2026-12-01T10:00:00+08:00", "2026-12-02T10:00:00+08:00"]):
        e = record(repo, "escalation" if i else "account.conversion", f"d{i}")
        repo.mark_delivered(e["entry_id"], at)
    record(repo, "escalation", "still-pending")
    december = every_page(lambda start: repo.list_delivered("2026-12", kind=None, limit=1, start_key=start))
    assert [e["subject"] for e in december] == ["d2", "d1"]
    assert [e["subject"] for e in repo.list_delivered("2026-11", kind=None, limit=5).items] == ["d0"]
    assert repo.list_delivered("2026-11", kind="escalation", limit=5).items == []
