"""The account area's ports on DynamoDB, S3 and the field encryption (domain/account_ports.py).

Wraps `storage/accounts.py` (whose item layout `storage/selection.py` reads), turning the feed
transaction's cancellation into the named outcomes the rules answer to. Module functions are called
through their module, so a fault injected there in a test reaches the adapter.
"""

from __future__ import annotations

from ..domain.account_ports import (
    AccountChangedMeanwhile,
    AppliedEvent,
    EventAlreadyRecorded,
    FeedFile,
    ImportAlreadyStarted,
    Page,
)
from ..errors import ConditionFailed
from . import accounts, contact_plan, pii


class DynamoAccountRepository:
    def get_account(self, account_id: str, *, consistent: bool = False) -> dict | None:
        return accounts.get_account(account_id, consistent=consistent)

    def get_event(self, event_id: str) -> dict | None:
        return accounts.get_event(event_id)

    def write_event(self, applied: AppliedEvent) -> None:
        extra = []
        if applied.class_change is not None:
            at, change = applied.class_change
            extra.append(contact_plan.class_change_op(applied.account["account_id"], at, change))
        outcome = accounts.write_event(
            applied.event,
            applied.account,
            applied.previous_version,
            applied.transfer,
            applied.inbox,
            extra + list(applied.effects),
        )
        if outcome == "duplicate":
            raise EventAlreadyRecorded(applied.event["event_id"])
        if outcome == "conflict":
            raise AccountChangedMeanwhile(applied.account["account_id"])

    def list_manager_accounts(self, manager_id: str, *, limit: int, start_key: dict | None) -> Page:
        page = accounts.list_manager_accounts(manager_id, limit=limit, start_key=start_key)
        return Page(page.items, page.last_key)

    def agent_holds_open_task(self, agent_id: str, account_id: str) -> bool:
        return accounts.agent_holds_open_task(agent_id, account_id)


class DynamoImportRepository:
    def open_file(self, bucket: str, key: str, version_id: str | None = None) -> FeedFile:
        data, etag, version = accounts.open_feed_file(bucket, key, version_id)
        return FeedFile(data, etag, version)

    def start(self, source: str, summary: dict, *, replace: bool = False) -> None:
        try:
            accounts.start_import(source, summary, replace=replace)
        except ConditionFailed as err:
            raise ImportAlreadyStarted(source) from err

    def commit_progress(
        self,
        source: str,
        previous_row: int,
        row: int,
        counts: dict[str, int],
        *,
        status: str,
        finished: bool = False,
        fields: dict | None = None,
    ) -> bool:
        return accounts.commit_import_progress(
            source, previous_row, row, counts, status=status, finished=finished, fields=fields
        )

    def put_row_error(self, source: str, row: int, error: dict) -> None:
        accounts.put_import_row_error(source, row, error)

    def row_errors(self, source: str, limit: int) -> list[dict]:
        return accounts.import_row_errors(source, limit)

    def incomplete(self, limit: int) -> list[dict]:
        return accounts.incomplete_imports(limit)

    def summary(self, source: str) -> dict | None:
        return accounts.get_import_summary(source)


class FieldClientSealer:
    def seal(self, value: str) -> str:
        return pii.seal(value)

    def unseal(self, sealed: str | None) -> str | None:
        return pii.unseal(sealed)

    def phone_hash(self, phone: str) -> str:
        return pii.phone_hash(phone)

    def id_hash(self, id_number: str) -> str:
        return pii.id_hash(id_number)

    def phone_hashes(self, phone: str) -> list[str]:
        return pii.lookup_hashes(pii.PHONE, phone)

    def id_hashes(self, id_number: str) -> list[str]:
        return pii.lookup_hashes(pii.ID_NUMBER, id_number)

    def rotating(self) -> bool:
        return len(pii.hash_keys()) > 1
