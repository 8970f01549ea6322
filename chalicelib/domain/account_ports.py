"""What the account feed, the account views and the CSV import need from the outside world.

The rules depend on these protocols only: `storage/accounts_repo.py` implements them on DynamoDB, S3 and
the field encryption of `storage/pii.py`; `storage/memory/accounts.py` in memory for rule tests;
`tests/contract/test_account_repository.py` runs one body against both. `wiring/accounts.py` binds them.

An adapter answers a lost conditional write with one of the exceptions below, never with a transaction
index: which item of the feed's transaction guarded which rule is the adapter's business.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from ..errors import ConditionFailed
from .ports import Page, Port


@dataclass(frozen=True)
class FeedFile:
    """A core-system CSV file as read: its bytes, its ETag (the identity of its content) and version id."""

    data: bytes
    etag: str
    version_id: str | None = None


@dataclass
class AppliedEvent:
    """One applied feed event and everything written with it, all or nothing (one transaction).

    `effects` are outbox transaction items (`domain.outbox.record_op`): the conversion of an opening and
    the resumption of tasks waiting on a new phone, never lost once the event is stored. `class_change`
    is the feed's value-class change kept as its own item: (its sort key `<at>#<event id>`, the change)."""

    event: dict
    account: dict
    previous_version: int
    transfer: tuple[dict, bool] | None = None
    inbox: list[dict] = field(default_factory=list)
    class_change: tuple[str, dict] | None = None
    effects: list[dict] = field(default_factory=list)


# --- named outcomes of a write --------------------------------------------------------------------
class EventAlreadyRecorded(ConditionFailed):
    """The event id was stored before (first write wins: a re-delivered event is a duplicate): nothing
    was written."""

    def __init__(self, event_id: str):
        super().__init__(f"event {event_id} already recorded")
        self.event_id = event_id


class AccountChangedMeanwhile(ConditionFailed):
    """The account's version moved on since it was read (another event applied concurrently): nothing
    was written; the rule reads the account again and re-applies the event."""

    def __init__(self, account_id: str):
        super().__init__(f"account {account_id} changed meanwhile")
        self.account_id = account_id


class ImportAlreadyStarted(ConditionFailed):
    """Another delivery of the same file began its import first (its summary exists): nothing written."""

    def __init__(self, source: str):
        super().__init__(f"import of {source} already started")
        self.source = source


# --- ports ---------------------------------------------------------------------------------------
class AccountRepository(Protocol):
    def get_account(self, account_id: str, *, consistent: bool = False) -> dict | None: ...

    def get_event(self, event_id: str) -> dict | None:
        """The stored record of a feed event, read consistently."""
        ...

    def write_event(self, applied: AppliedEvent) -> None:
        """Store the event record (first write wins, else EventAlreadyRecorded), the account (if
        `previous_version` is still its version, 0 meaning new, else AccountChangedMeanwhile), the
        transfer-out record, the selection inbox entries (a day's large outflows of an account extend one
        entry), the class change and the effects: all or nothing. EventAlreadyRecorded wins over the version."""
        ...

    def list_manager_accounts(self, manager_id: str, *, limit: int, start_key: dict | None) -> Page:
        """The open accounts a manager serves, by account id."""
        ...

    def agent_holds_open_task(self, agent_id: str, account_id: str) -> bool:
        """Whether this agent is assigned an open callback task on the account (the reveal policy's test)."""
        ...


class ImportRepository(Protocol):
    """The import summaries of the core system's CSV files, their refused rows, and the files themselves."""

    def open_file(self, bucket: str, key: str, version_id: str | None = None) -> FeedFile:
        """The whole file; NotFound when it is gone or archived, Unavailable when it could not be read."""
        ...

    def start(self, source: str, summary: dict, *, replace: bool = False) -> None:
        """The summary, listed as incomplete until it finishes; ImportAlreadyStarted unless `replace`."""
        ...

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
        """Move the cursor from `previous_row` to `row`, adding `counts`, setting status and fields; a
        finished import leaves the incomplete list. True also when the cursor already stands at `row` with
        this status (a write applied whose answer was lost); False: the cursor was moved elsewhere."""
        ...

    def put_row_error(self, source: str, row: int, error: dict) -> None:
        """One refused row (idempotent)."""
        ...

    def row_errors(self, source: str, limit: int) -> list[dict]:
        """The first `limit` refused rows, by row number."""
        ...

    def incomplete(self, limit: int) -> list[dict]:
        """Summaries of imports not finished, oldest started first."""
        ...

    def summary(self, source: str) -> dict | None: ...


class ClientSealer(Protocol):
    """Field encryption of a client's phone and ID number, and the lookup hashes they are found by."""

    def seal(self, value: str) -> str: ...

    def unseal(self, sealed: str | None) -> str | None: ...

    def phone_hash(self, phone: str) -> str:
        """The phone's hash under the writer key."""
        ...

    def id_hash(self, id_number: str) -> str: ...

    def phone_hashes(self, phone: str) -> list[str]:
        """The phone's hashes under every valid key (during a key rotation, more than one)."""
        ...

    def id_hashes(self, id_number: str) -> list[str]: ...

    def rotating(self) -> bool:
        """Whether more than one hash key is valid (a key rotation under way)."""
        ...


ACCOUNTS: Port[AccountRepository] = Port("accounts")
ACCOUNT_IMPORTS: Port[ImportRepository] = Port("account_imports")
CLIENT_PII: Port[ClientSealer] = Port("client_pii")
