"""One contract for the account area's ports (AccountRepository, ImportRepository, ClientSealer), run on
the DynamoDB/S3 adapters (moto) and on the in-memory fakes the rule tests use: if a fake drifts, this fails."""

from __future__ import annotations

import boto3
import pytest

from chalicelib.domain import outbox
from chalicelib.domain.account_ports import (
    AccountChangedMeanwhile,
    AppliedEvent,
    EventAlreadyRecorded,
    ImportAlreadyStarted,
)
from chalicelib.errors import NotFound
from chalicelib.storage import base, keys
from chalicelib.storage.accounts_repo import DynamoAccountRepository, DynamoImportRepository, FieldClientSealer
from chalicelib.storage.memory.accounts import MemoryAccountRepository, MemoryClientSealer, MemoryImportRepository
from tests.factories.tasks import make_task

BUCKET = "fielddesk-contract-files"


class DynamoProbe:
    """Reads what a write left, straight from the table (the fake's attributes are its table)."""

    def transfer(self, repo, account_id, at, event_id):
        return base.strip_keys(base.get_item(**keys.transfer_out(account_id, at, event_id), consistent=True))

    def inbox(self, repo, account_id, trigger, episode):
        return base.strip_keys(base.get_item(**keys.selection_inbox(account_id, trigger, episode), consistent=True))

    def class_change(self, repo, account_id, at):
        return base.strip_keys(base.get_item(**keys.account_class_change(account_id, at), consistent=True))

    def effect_written(self, repo, op, entry_id):
        return base.get_item(**keys.outbox_entry(entry_id), consistent=True) is not None

    def seed_task(self, repo, **task):
        make_task(**task)


class MemoryProbe:
    def transfer(self, repo, account_id, at, event_id):
        return repo.transfers.get((account_id, at, event_id))

    def inbox(self, repo, account_id, trigger, episode):
        return repo.inbox.get((account_id, trigger, episode))

    def class_change(self, repo, account_id, at):
        return repo.class_changes.get((account_id, at))

    def effect_written(self, repo, op, entry_id):
        return op in repo.effects

    def seed_task(self, repo, **task):
        repo.tasks.append({"status": "open", **task})


@pytest.fixture(params=["memory", "dynamodb"])
def area(request):
    if request.param == "memory":
        return MemoryAccountRepository(), MemoryProbe()
    return DynamoAccountRepository(), DynamoProbe()


def account(account_id="ac-1", version=1, **kw):
    return {
        "account_id": account_id,
        "status": "open",
        "branch_id": "br-pudong",
        "serving_manager_id": "cm-001",
        "opened_on": "2026-11-19",
        "version": version,
        **kw,
    }


def event(event_id="ev-1", account_id="ac-1", **kw):
    return {"event_id": event_id, "type": "trade_day", "account_id": account_id, "event_hash": "h", **kw}


def applied(ev=None, acct=None, previous_version=0, **kw):
    return AppliedEvent(event=ev or event(), account=acct or account(), previous_version=previous_version, **kw)


# --- the feed's write ---------------------------------------------------------------------------
def test_a_new_account_and_its_event_are_written_together(area):
    repo, _ = area
    assert repo.get_account("ac-1") is None and repo.get_event("ev-1") is None
    repo.write_event(applied())
    assert repo.get_account("ac-1", consistent=True)["version"] == 1
    assert repo.get_event("ev-1")["event_hash"] == "h"


def test_a_second_delivery_of_an_event_id_is_already_recorded_and_writes_nothing(area):
    repo, _ = area
    repo.write_event(applied())
    with pytest.raises(EventAlreadyRecorded) as err:
        repo.write_event(applied(event(event_hash="other"), account(version=2), previous_version=1))
    assert err.value.event_id == "ev-1"
    assert repo.get_account("ac-1")["version"] == 1 and repo.get_event("ev-1")["event_hash"] == "h"


def test_an_account_moved_on_is_changed_meanwhile_and_nothing_is_written(area):
    repo, _ = area
    repo.write_event(applied())
    repo.write_event(applied(event("ev-2"), account(version=2), previous_version=1))
    with pytest.raises(AccountChangedMeanwhile) as err:
        repo.write_event(applied(event("ev-3"), account(version=2, tier="gold"), previous_version=1))
    assert err.value.account_id == "ac-1"
    assert repo.get_event("ev-3") is None and "tier" not in repo.get_account("ac-1")


def test_the_event_id_is_checked_before_the_version(area):
    repo, _ = area
    repo.write_event(applied())
    repo.write_event(applied(event("ev-2"), account(version=2), previous_version=1))
    with pytest.raises(EventAlreadyRecorded):
        repo.write_event(applied(event("ev-2"), account(version=2), previous_version=1))


def test_a_transfer_its_inbox_entries_the_class_change_and_the_effects_are_written_with_the_event(area):
    repo, probe = area
    at = "2026-11-20T02:00:00+00:00"
    record = {"account_id": "ac-1", "event_id": "ev-1", "amount": 600000, "balance_before": 1000000, "at": at}
    record.update(on="2026-11-20", large=True)
    entry = {
        "account_id": "ac-1",
        "trigger": "large_outflow",
        "episode": "2026-11-20",
        "event_on": "2026-11-20",
        "account": {"account_id": "ac-1"},
        "transfer": {"event_id": "ev-1", "amount": 600000, "balance_before": 1000000, "at": at},
    }
    op = outbox.record_op("contact_resume", "ac-1#ev-1", {"account_id": "ac-1"})
    entry_id = outbox.entry("contact_resume", "ac-1#ev-1", {})["entry_id"]
    repo.write_event(
        applied(
            transfer=(record, True),
            inbox=[entry],
            class_change=(f"{at}#ev-1", {"value_class": "A", "source": "feed"}),
            effects=[op],
        )
    )
    assert probe.transfer(repo, "ac-1", at, "ev-1")["large"] is True
    held = probe.inbox(repo, "ac-1", "large_outflow", "2026-11-20")
    assert held["detail"] == {} and [t["event_id"] for t in held["transfers"]] == ["ev-1"]
    assert probe.class_change(repo, "ac-1", f"{at}#ev-1")["value_class"] == "A"
    assert probe.effect_written(repo, op, entry_id)
    # A second large outflow of the day extends the same entry.
    second = {**entry, "transfer": {**entry["transfer"], "event_id": "ev-2"}}
    repo.write_event(applied(event("ev-2"), account(version=2), previous_version=1, inbox=[second]))
    held = probe.inbox(repo, "ac-1", "large_outflow", "2026-11-20")
    assert [t["event_id"] for t in held["transfers"]] == ["ev-1", "ev-2"]


def test_nothing_of_a_refused_write_is_kept(area):
    repo, probe = area
    repo.write_event(applied())
    entry = {"account_id": "ac-1", "trigger": "closed_account", "episode": "d", "event_on": "2026-11-20"}
    with pytest.raises(AccountChangedMeanwhile):
        repo.write_event(
            applied(event("ev-9"), account(version=5), previous_version=4, inbox=[{**entry, "account": {}}])
        )
    assert probe.inbox(repo, "ac-1", "closed_account", "d") is None


# --- reads -----------------------------------------------------------------------------------------
def test_a_manager_lists_open_accounts_by_id_page_by_page(area):
    repo, _ = area
    for i, status in ((3, "open"), (1, "open"), (2, "closed"), (4, "open")):
        repo.write_event(applied(event(f"ev-{i}", f"ac-{i}"), account(f"ac-{i}", status=status)))
    repo.write_event(applied(event("ev-5", "ac-5"), account("ac-5", serving_manager_id="cm-002")))
    seen, key = [], None
    for _ in range(5):
        page = repo.list_manager_accounts("cm-001", limit=1, start_key=key)
        seen += [a["account_id"] for a in page.items]
        key = page.last_key
        if not key:
            break
    assert seen == ["ac-1", "ac-3", "ac-4"]
    assert repo.list_manager_accounts("cm-009", limit=10, start_key=None).items == []


def test_an_agent_holds_an_open_task_only_while_it_is_open_and_theirs(area):
    repo, probe = area
    probe.seed_task(repo, account_id="ac-1", assignee_id="cba-001")
    probe.seed_task(repo, trigger="closed_account", account_id="ac-2", assignee_id="cba-001", status="done")
    assert repo.agent_holds_open_task("cba-001", "ac-1")
    assert not repo.agent_holds_open_task("cba-002", "ac-1")
    assert not repo.agent_holds_open_task("cba-001", "ac-2")


def test_reads_are_copies(area):
    repo, _ = area
    repo.write_event(applied())
    repo.get_account("ac-1")["status"] = "closed"
    assert repo.get_account("ac-1")["status"] == "open"


# --- imports -------------------------------------------------------------------------------------
@pytest.fixture(params=["memory", "dynamodb"])
def imports(request):
    if request.param == "memory":
        repo = MemoryImportRepository()
        return repo, lambda key, data: repo.put_file(BUCKET, key, data).etag
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket=BUCKET)
    return DynamoImportRepository(), lambda key, data: s3.put_object(Bucket=BUCKET, Key=key, Body=data)["ETag"].strip(
        '"'
    )


def summary(source="f1", started_at="2026-11-20T01:00:00+08:00"):
    return {"source": source, "status": "importing", "started_at": started_at, "committed_row": 0, "rows": 0}


def test_a_file_is_read_whole_with_its_etag_and_a_missing_one_is_not_found(imports):
    repo, put = imports
    etag = put("core/a.csv", b"type,event_id\n")
    file = repo.open_file(BUCKET, "core/a.csv")
    assert file.data == b"type,event_id\n" and file.etag == etag
    with pytest.raises(NotFound):
        repo.open_file(BUCKET, "core/missing.csv")


def test_an_import_starts_once_unless_replaced(imports):
    repo, _ = imports
    repo.start("f1", summary())
    with pytest.raises(ImportAlreadyStarted):
        repo.start("f1", {**summary(), "status": "other"})
    assert repo.summary("f1")["status"] == "importing"
    repo.start("f1", {**summary(), "status": "replaced"}, replace=True)
    assert repo.summary("f1")["status"] == "replaced" and repo.summary("nope") is None


def test_the_cursor_moves_only_from_where_it_stands_and_counts_add_up(imports):
    repo, _ = imports
    repo.start("f1", summary())
    assert repo.commit_progress("f1", 0, 5, {"rows": 4, "accepted": 3}, status="importing", fields={"x": "y"})
    assert repo.commit_progress("f1", 5, 9, {"rows": 2, "accepted": 2}, status="importing")
    held = repo.summary("f1")
    assert (int(held["committed_row"]), int(held["rows"]), int(held["accepted"]), held["x"]) == (9, 6, 5, "y")
    # A retry whose first write landed (the cursor already where it puts it) reads as committed.
    assert repo.commit_progress("f1", 5, 9, {"rows": 2}, status="importing")
    assert int(repo.summary("f1")["rows"]) == 6
    # Another delivery moved the cursor elsewhere: refused, nothing counted.
    assert not repo.commit_progress("f1", 5, 12, {"rows": 3}, status="importing")
    assert int(repo.summary("f1")["rows"]) == 6
    assert not repo.commit_progress("unknown", 0, 1, {}, status="importing")


def test_incomplete_imports_are_listed_oldest_first_until_finished(imports):
    repo, _ = imports
    repo.start("f2", summary("f2", "2026-11-20T02:00:00+08:00"))
    repo.start("f1", summary("f1", "2026-11-20T01:00:00+08:00"))
    repo.start("f3", summary("f3", "2026-11-20T03:00:00+08:00"))
    assert [s["source"] for s in repo.incomplete(10)] == ["f1", "f2", "f3"]
    assert [s["source"] for s in repo.incomplete(1)] == ["f1"]
    repo.commit_progress("f1", 0, 0, {}, status="completed", finished=True)
    assert [s["source"] for s in repo.incomplete(10)] == ["f2", "f3"]
    assert repo.summary("f1")["status"] == "completed"


def test_refused_rows_are_kept_once_each_in_row_order(imports):
    repo, _ = imports
    repo.start("f1", summary())
    for row in (12, 3, 100):
        repo.put_row_error("f1", row, {"event_id": f"e{row}", "reason": "bad", "details": []})
    repo.put_row_error("f1", 3, {"event_id": "e3", "reason": "bad again", "details": []})
    errors = repo.row_errors("f1", 10)
    assert [int(e["row"]) for e in errors] == [3, 12, 100] and errors[0]["reason"] == "bad again"
    assert [int(e["row"]) for e in repo.row_errors("f1", 2)] == [3, 12]
    assert repo.row_errors("f2", 10) == []


# --- the sealer --------------------------------------------------------------------------------------
@pytest.mark.parametrize("sealer", [MemoryClientSealer(), FieldClientSealer()], ids=["memory", "pii"])
def test_sealing_hides_the_value_and_hashes_find_it(sealer):
    sealed = sealer.seal("张三 13800000001")
    assert "13800000001" not in sealed and sealer.unseal(sealed) == "张三 13800000001"
    assert sealer.unseal(None) is None
    assert sealer.phone_hash("13800000001") == sealer.phone_hash("13800000001") != sealer.phone_hash("13800000002")
    assert sealer.phone_hash("13800000001") in sealer.phone_hashes("13800000001")
    assert sealer.id_hash("11010119900307002X") in sealer.id_hashes("11010119900307002X")
    assert sealer.id_hash("11010119900307002X") != sealer.phone_hash("11010119900307002X")
    assert sealer.rotating() is False
    assert MemoryClientSealer(("k2", "k1")).rotating() is True
