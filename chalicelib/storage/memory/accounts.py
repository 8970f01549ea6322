"""The account area's ports in memory, with the table's semantics (storage/accounts.py): the feed's write
all or nothing (the event id first, then the account's version), the manager index by account id holding
open accounts only, the import cursor moved conditionally, attributes set to None not stored, every read
a copy. Seeded by rule tests through the public attributes (`files`, `tasks`)."""

from __future__ import annotations

import base64
import copy
import hashlib

from ...domain.account_ports import (
    AccountChangedMeanwhile,
    AppliedEvent,
    EventAlreadyRecorded,
    FeedFile,
    ImportAlreadyStarted,
    Page,
)
from ...errors import NotFound
from ...models.tasks import OPEN_STATUSES


def _stored(values: dict) -> dict:
    return {k: copy.deepcopy(v) for k, v in values.items() if v is not None}


class MemoryAccountRepository:
    def __init__(self) -> None:
        self.accounts: dict[str, dict] = {}
        self.events: dict[str, dict] = {}
        self.transfers: dict[tuple[str, str, str], dict] = {}  # (account, at, event id) -> the record
        self.inbox: dict[tuple[str, str, str], dict] = {}  # (account, trigger, episode) -> entry
        self.class_changes: dict[tuple[str, str], dict] = {}  # (account, at) -> change
        self.effects: list[dict] = []  # the outbox items written with the events, in order
        self.tasks: list[dict] = []  # callback tasks as the reveal policy reads them (seeded by tests)

    def get_account(self, account_id: str, *, consistent: bool = False) -> dict | None:
        item = self.accounts.get(account_id)
        return copy.deepcopy(item) if item else None

    def get_event(self, event_id: str) -> dict | None:
        item = self.events.get(event_id)
        return copy.deepcopy(item) if item else None

    def write_event(self, applied: AppliedEvent) -> None:
        event, state = applied.event, applied.account
        # Checked in the transaction's order: the event record first, so a re-delivery is a duplicate.
        if event["event_id"] in self.events:
            raise EventAlreadyRecorded(event["event_id"])
        if applied.previous_version:
            held = self.accounts.get(state["account_id"])
            if held is None or int(held.get("version", 0)) != applied.previous_version:
                raise AccountChangedMeanwhile(state["account_id"])
        self.events[event["event_id"]] = _stored(event)
        self.accounts[state["account_id"]] = _stored(state)
        if applied.transfer is not None:
            record, _large = applied.transfer  # the large flag rides in the record; it also indexes large ones
            self.transfers[(record["account_id"], record["at"], record["event_id"])] = _stored(record)
        for entry in applied.inbox:
            # SET of the entry's fields on what is held (a day's large outflows extend one entry's transfers).
            key = (entry["account_id"], entry["trigger"], entry["episode"])
            item = {**self.inbox.get(key, {}), **_stored({k: v for k, v in entry.items() if k != "transfer"})}
            item.setdefault("detail", {})
            if "transfer" in entry:
                item["transfers"] = [*item.get("transfers", []), copy.deepcopy(entry["transfer"])]
            self.inbox[key] = item
        if applied.class_change is not None:
            at, change = applied.class_change
            self.class_changes[(state["account_id"], at)] = _stored({**change, "account_id": state["account_id"]})
        self.effects.extend(copy.deepcopy(applied.effects))

    def list_manager_accounts(self, manager_id: str, *, limit: int, start_key: dict | None) -> Page:
        # The manager index is sparse: only open accounts with a serving manager are on it.
        rows = sorted(
            (
                a
                for a in self.accounts.values()
                if a.get("status") == "open" and a.get("serving_manager_id") == manager_id
            ),
            key=lambda a: a["account_id"],
        )
        if start_key:
            rows = [a for a in rows if a["account_id"] > start_key["after"]]
        shown = rows[:limit]
        last = {"after": shown[-1]["account_id"]} if len(rows) > limit else None
        return Page([copy.deepcopy(a) for a in shown], last)

    def agent_holds_open_task(self, agent_id: str, account_id: str) -> bool:
        return any(
            t.get("account_id") == account_id and t.get("assignee_id") == agent_id and t.get("status") in OPEN_STATUSES
            for t in self.tasks
        )


class MemoryImportRepository:
    def __init__(self) -> None:
        self.summaries: dict[str, dict] = {}
        self.incomplete_since: dict[str, str] = {}  # source -> started_at, while listed as incomplete
        self.errors: dict[tuple[str, int], dict] = {}
        self.files: dict[tuple[str, str], FeedFile] = {}  # (bucket, key) -> the file as S3 holds it

    def put_file(self, bucket: str, key: str, data: bytes, version_id: str | None = None) -> FeedFile:
        """Seed a file, its ETag the MD5 of its bytes (as S3 gives a single-part upload)."""
        file = FeedFile(data, hashlib.md5(data).hexdigest(), version_id)  # noqa: S324 - S3's ETag, not security
        self.files[(bucket, key)] = file
        return file

    def open_file(self, bucket: str, key: str, version_id: str | None = None) -> FeedFile:
        file = self.files.get((bucket, key))
        if file is None or (version_id and file.version_id != version_id):
            raise NotFound(f"account file {bucket}/{key} cannot be read: NoSuchKey")
        return file

    def start(self, source: str, summary: dict, *, replace: bool = False) -> None:
        if source in self.summaries and not replace:
            raise ImportAlreadyStarted(source)
        self.summaries[source] = _stored(summary)
        self.incomplete_since[source] = summary["started_at"]

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
        held = self.summaries.get(source)
        if held is None or held.get("committed_row") != previous_row:
            current = held or {}
            return int(current.get("committed_row", -1)) == row and current.get("status") == status
        held.update(committed_row=row, status=status, **copy.deepcopy(fields or {}))
        for name, n in counts.items():
            held[name] = held.get(name, 0) + n
        if finished:
            self.incomplete_since.pop(source, None)
        return True

    def put_row_error(self, source: str, row: int, error: dict) -> None:
        self.errors[(source, row)] = _stored({"row": row, **error})

    def row_errors(self, source: str, limit: int) -> list[dict]:
        rows = sorted((r, e) for (s, r), e in self.errors.items() if s == source)
        return [copy.deepcopy(e) for _, e in rows[:limit]]

    def incomplete(self, limit: int) -> list[dict]:
        oldest = sorted(self.incomplete_since.items(), key=lambda kv: f"{kv[1]}#{kv[0]}")
        return [copy.deepcopy(self.summaries[s]) for s, _ in oldest[:limit]]

    def summary(self, source: str) -> dict | None:
        held = self.summaries.get(source)
        return copy.deepcopy(held) if held else None


class MemoryClientSealer:
    """Reversible sealing (never the clear text stored) and keyed hashes; `keys` more than one is a rotation,
    the first the writer key."""

    def __init__(self, keys: tuple[str, ...] = ("k1",)) -> None:
        self.keys = keys

    def seal(self, value: str) -> str:
        return "sealed:" + base64.b64encode(value.encode()[::-1]).decode()

    def unseal(self, sealed: str | None) -> str | None:
        if sealed is None:
            return None
        return base64.b64decode(sealed.removeprefix("sealed:"))[::-1].decode()

    def _hash(self, key: str, kind: str, value: str) -> str:
        return hashlib.sha256(f"{key}:{kind}:{value}".encode()).hexdigest()

    def phone_hash(self, phone: str) -> str:
        return self._hash(self.keys[0], "phone", phone)

    def id_hash(self, id_number: str) -> str:
        return self._hash(self.keys[0], "id_number", id_number)

    def phone_hashes(self, phone: str) -> list[str]:
        return [self._hash(k, "phone", phone) for k in self.keys]

    def id_hashes(self, id_number: str) -> list[str]:
        return [self._hash(k, "id_number", id_number) for k in self.keys]

    def rotating(self) -> bool:
        return len(self.keys) > 1
