"""`CallbackWorkRepository` in memory, with the table's semantics: each bundle all or nothing, a task put
guarded by the status, revision and assignee the caller read, the index orders of `storage/keys.py` (a
task is kept as `tasks.task_item` builds it, so the agent's list and the queue sort as gsi1 does), every
read a copy. What a bundle carries for other areas (problem items, outbox entries) is kept in `problems`
and `escalations`, written only with it."""

from __future__ import annotations

import copy
from collections.abc import Sequence

from ...domain.callback_ports import (
    AccountContact,
    AttemptWrite,
    MaskedContact,
    RequestClose,
    TaskChange,
    TaskChanged,
    TaskHistory,
)
from ...models.common import mask_phone
from ...models.tasks import OPEN_STATUSES
from ..base import Page
from ..tasks import task_item
from ._table import stored

_INDEX = ("pk", "sk", "gsi1pk", "gsi1sk", "gsi2pk", "gsi2sk", "gsi3pk", "gsi3sk", "gsi4pk", "gsi4sk")


def _record(item: dict) -> dict:
    return {k: copy.deepcopy(v) for k, v in item.items() if k not in _INDEX}


def _page(rows: list[tuple[str, dict]], limit: int, start_key: dict | None) -> Page:
    rows = sorted(rows, key=lambda r: r[0])
    if start_key:
        rows = [r for r in rows if r[0] > start_key["after"]]
    shown = rows[:limit]
    return Page([_record(r[1]) for r in shown], {"after": shown[-1][0]} if len(rows) > limit else None)


def _request_key(record: dict) -> tuple[str, str, str]:
    return record["account_id"], record["requested_at"], record["task_id"]


class MemoryCallbackWork:
    def __init__(self) -> None:
        self.tasks: dict[str, dict] = {}  # task id -> the item as storage/tasks.task_item builds it
        self.attempts: dict[str, list[dict]] = {}
        self.reviews: dict[str, list[dict]] = {}
        self.loads: dict[str, int] = {}
        self.accounts: dict[str, dict] = {}
        self.requests: dict[tuple[str, str, str], dict] = {}
        self.agents: list[dict] = []
        self.problems: list[dict] = []
        self.escalations: list[dict] = []

    # --- seeding (what the selection job, the feed and the directory write) ---------------------
    def add_task(self, record: dict) -> None:
        self.tasks[record["task_id"]] = stored(task_item(record))

    def add_account(self, account_id: str, *, branch_id: str, phone: str, client_name: str = "", **extra) -> None:
        self.accounts[account_id] = {
            "account_id": account_id,
            "branch_id": branch_id,
            "client_name": client_name,
            "phone": phone,
            "phone_masked": mask_phone(phone),
            **extra,
        }

    # --- tasks ---------------------------------------------------------------------------------
    def get_task(self, task_id: str) -> dict | None:
        item = self.tasks.get(task_id)
        return _record(item) if item else None

    def history(self, task_id: str) -> TaskHistory:
        by_sk = lambda r: f"{r['at']}#{r.get('attempt_id') or r.get('review_id')}"  # noqa: E731
        return TaskHistory(
            self.get_task(task_id),
            [copy.deepcopy(a) for a in sorted(self.attempts.get(task_id, []), key=by_sk)],
            [copy.deepcopy(r) for r in sorted(self.reviews.get(task_id, []), key=by_sk)],
        )

    def _open(self, owner: str) -> list[tuple[str, dict]]:
        return [(i["gsi1sk"], i) for i in self.tasks.values() if i.get("gsi1pk") == owner]

    def list_open_for_agent(self, agent_id: str, *, limit: int, start_key: dict | None = None) -> Page:
        return _page(self._open(f"AGENT#{agent_id}#OPEN"), limit, start_key)

    def list_branch_queue(self, branch_id: str, *, limit: int, start_key: dict | None = None) -> Page:
        return _page(self._open(f"BRANCH#{branch_id}#QUEUE"), limit, start_key)

    def open_tasks_of_agent(self, agent_id: str) -> list[dict]:
        return [_record(i) for _, i in sorted(self._open(f"AGENT#{agent_id}#OPEN"), key=lambda r: r[0])]

    def branch_queue_all(self, branch_id: str) -> list[dict]:
        return [_record(i) for _, i in sorted(self._open(f"BRANCH#{branch_id}#QUEUE"), key=lambda r: r[0])]

    def tasks_of_month(self, branch_id: str, month: str) -> list[dict]:
        owner = f"BRANCH#{branch_id}#TASKS#{month}"
        return [_record(i) for i in sorted(self.tasks.values(), key=lambda i: i["gsi2sk"]) if i["gsi2pk"] == owner]

    def open_tasks_due_on(self, day: str) -> list[dict]:
        found = [i for i in self.tasks.values() if i.get("gsi3pk") and str(i.get("due_on")) == day]
        return [_record(i) for i in sorted(found, key=lambda i: i["task_id"])]

    def callback_agents(self) -> list[dict]:
        return [copy.deepcopy(a) for a in self.agents if a.get("role") == "callback_agent"]

    # --- writes ----------------------------------------------------------------------------------
    def _guard(self, change: TaskChange) -> None:
        now, before = self.tasks.get(change.previous["task_id"]), change.previous
        if (
            not now
            or now.get("status") != before.get("status", "open")
            or int(now.get("revision", 0)) != int(before.get("revision", 0))
            or now.get("assignee_id") != before.get("assignee_id")
        ):
            raise TaskChanged()

    def _open_request(self, close: RequestClose) -> dict:
        found = self.requests.get(_request_key(close.request))
        if not found or found.get("status") != "open":
            raise TaskChanged()
        return found

    def save(self, change: TaskChange, *, load: tuple[str, int] | None = None) -> None:
        self._guard(change)
        self.add_task(change.new)
        if load:
            self.loads[load[0]] = self.loads.get(load[0], 0) + load[1]

    def record_attempt(self, write: AttemptWrite) -> None:
        self._guard(write.change)
        if write.withdraw:
            self._open_request(write.withdraw)
        self.add_task(write.change.new)
        self.attempts.setdefault(write.attempt["task_id"], []).append(stored(write.attempt))
        self.problems += [stored(p) for p in write.problems]
        self.escalations += copy.deepcopy(list(write.escalations))
        if write.contact_request:
            self.requests[_request_key(write.contact_request)] = stored(write.contact_request)
        if write.withdraw:
            self._close(write.withdraw)
        if write.fallback:
            self.add_task(write.fallback)

    def _close(self, close: RequestClose) -> None:
        self.requests[_request_key(close.request)].update(stored({"status": close.status, **close.fields}))

    def record_review(self, change: TaskChange, review: dict) -> None:
        self._guard(change)
        self.add_task(change.new)
        self.reviews.setdefault(review["task_id"], []).append(stored(review))

    def flag_overdue(
        self, task: dict, at: str, *, problem: dict | None = None, escalations: Sequence[dict] = ()
    ) -> bool:
        item = self.tasks.get(task["task_id"])
        if not item or item.get("overdue_at") or item.get("status") not in OPEN_STATUSES:
            return False
        item.update(overdue=True, overdue_at=at, revision=int(item.get("revision", 0)) + 1)
        self.problems += [stored(problem)] if problem else []
        self.escalations += copy.deepcopy(list(escalations))
        return True

    def close_request(
        self,
        close: RequestClose,
        *,
        change: TaskChange | None = None,
        problem: dict | None = None,
        escalations: Sequence[dict] = (),
        fallback: dict | None = None,
    ) -> None:
        if change:
            self._guard(change)
        self._open_request(close)
        if change:
            self.add_task(change.new)
        self._close(close)
        self.problems += [stored(problem)] if problem else []
        self.escalations += copy.deepcopy(list(escalations))
        if fallback:
            self.add_task(fallback)

    def release_load(self, agent_id: str) -> None:
        if self.loads.get(agent_id, 0) > 0:
            self.loads[agent_id] -= 1

    def agent_load(self, agent_id: str) -> int:
        return self.loads.get(agent_id, 0)

    # --- accounts ----------------------------------------------------------------------------------
    def masked_phones(self, account_ids: list[str]) -> dict[str, str | None]:
        return {a: self.accounts[a].get("phone_masked") for a in account_ids if a in self.accounts}

    def masked_contact(self, account_id: str) -> MaskedContact:
        found = self.accounts.get(account_id) or {}
        return MaskedContact(found.get("phone_masked"), bool(found.get("contact_needs_update")))

    def account_contact(self, account_id: str) -> AccountContact | None:
        found = self.accounts.get(account_id)
        if not found:
            return None
        return AccountContact.of(account_id, found)

    def mark_contact_for_update(self, account_id: str, at: str, task_id: str) -> None:
        if account_id in self.accounts:  # an account not in the feed yet: the task carries the flag
            self.accounts[account_id].update(
                contact_needs_update=True, contact_flagged_at=at, contact_flag_task=task_id
            )
        for item in self._open_of(account_id):
            if item["task_id"] != task_id and not item.get("contact_needs_update"):
                item.update(contact_needs_update=True, revision=int(item.get("revision", 0)) + 1)

    def _open_of(self, account_id: str) -> list[dict]:
        return [i for i in self.tasks.values() if i["account_id"] == account_id and i.get("status") in OPEN_STATUSES]

    def refresh_contacts(self, account_id: str, phone_masked: str | None) -> list[str]:
        changed = []
        for item in sorted(self._open_of(account_id), key=lambda i: i["task_id"]):
            if item.get("phone_masked") == phone_masked and not item.get("contact_needs_update"):
                continue
            item.pop("contact_needs_update", None)
            if phone_masked:
                item["phone_masked"] = phone_masked
            item["revision"] = int(item.get("revision", 0)) + 1
            changed.append(item["task_id"])
        return changed

    def seal_phone(self, phone: str) -> str:
        return f"sealed:{len(phone)}"  # never the clear number, as the table's sealed value

    # --- contact-update requests ------------------------------------------------------------------
    def open_requests(self, account_id: str) -> list[dict]:
        return [
            copy.deepcopy(r)
            for k, r in sorted(self.requests.items())
            if k[0] == account_id and r.get("status") == "open"
        ]

    def list_branch_requests(self, branch_id: str, *, limit: int, start_key: dict | None = None) -> Page:
        rows = [
            (f"{r['due_on']}#{r['task_id']}", r)
            for r in self.requests.values()
            if r.get("status") == "open" and r["branch_id"] == branch_id
        ]
        return _page(rows, limit, start_key)

    def requests_due_on(self, day: str) -> list[dict]:
        found = [r for r in self.requests.values() if r.get("status") == "open" and r["due_on"] == day]
        return [copy.deepcopy(r) for r in sorted(found, key=lambda r: r["task_id"])]
