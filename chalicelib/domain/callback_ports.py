"""What the callback-work rules (domain/callback_work/) ask of storage, and the named outcomes of a write.

Task records are the stored dicts of `models/tasks.TaskRecord`; contact-update requests the dicts of
`callback_work.contacts.contact_request_record`. A write is one bundle (`TaskChange`, `AttemptWrite`,
`RequestClose`) that the adapter turns into one transaction: the rules never build, index or count
transaction items. `escalations` are the outbox's own items (domain/problems.escalation_op), carried through
unopened so an escalation exists exactly when its cause does.

`wiring/callback_work.py` binds `CALLBACK_WORK` to `storage/callback_work_repo.py`; rule tests override it
with `storage/memory/callback_work.py`; `tests/contract/test_callback_work_repository.py` runs one body on both.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from ..errors import ConditionFailed
from .ports import Page, Port


# --- typed records -------------------------------------------------------------------------------
@dataclass(frozen=True)
class TaskHistory:
    """A task with its attempts and reviews (one item collection: one read)."""

    task: dict | None
    attempts: list[dict] = field(default_factory=list)
    reviews: list[dict] = field(default_factory=list)


@dataclass(frozen=True)
class MaskedContact:
    """What an ordinary view shows of an account's contact: masked, never decrypted."""

    phone_masked: str | None = None
    contact_needs_update: bool = False


@dataclass(frozen=True)
class AccountContact:
    """The account's contact with the clear phone: read only for an audited reveal or a new task's names."""

    account_id: str
    branch_id: str | None
    client_name: str | None
    serving_manager_id: str | None
    phone: str | None
    contact_needs_update: bool = False

    @classmethod
    def of(cls, account_id: str, found: dict) -> AccountContact:
        """From the account as a store holds it (the table's item, or the fake's dict)."""
        return cls(
            account_id=account_id,
            branch_id=found.get("branch_id"),
            client_name=found.get("client_name"),
            serving_manager_id=found.get("serving_manager_id"),
            phone=found.get("phone"),
            contact_needs_update=bool(found.get("contact_needs_update")),
        )


# --- what a write carries ----------------------------------------------------------------------------
@dataclass(frozen=True)
class TaskChange:
    """`new` replaces the stored task if it is still `previous` (status, revision and assignee)."""

    new: dict
    previous: dict


@dataclass(frozen=True)
class RequestClose:
    """Close the open contact request `request` as `status` with `fields` (refused if no longer open)."""

    request: dict
    status: str
    fields: dict


@dataclass(frozen=True)
class AttemptWrite:
    """An attempt and everything it causes, all or nothing."""

    change: TaskChange
    attempt: dict
    problems: Sequence[dict] = ()
    escalations: Sequence[dict] = ()
    contact_request: dict | None = None
    withdraw: RequestClose | None = None
    fallback: dict | None = None


# --- named outcomes -----------------------------------------------------------------------------------
class TaskChanged(ConditionFailed):
    """The task (or the request) is no longer what the change was computed from: nothing was written."""

    def __init__(self) -> None:
        super().__init__("the task changed meanwhile")


class CallbackWorkRepository(Protocol):
    # tasks
    def get_task(self, task_id: str) -> dict | None: ...

    def history(self, task_id: str) -> TaskHistory: ...

    def list_open_for_agent(self, agent_id: str, *, limit: int, start_key: dict | None = None) -> Page[dict]: ...

    def list_branch_queue(self, branch_id: str, *, limit: int, start_key: dict | None = None) -> Page[dict]: ...

    def open_tasks_of_agent(self, agent_id: str) -> list[dict]: ...

    def branch_queue_all(self, branch_id: str) -> list[dict]: ...

    def tasks_of_month(self, branch_id: str, month: str) -> list[dict]: ...

    def open_tasks_due_on(self, day: str) -> list[dict]: ...

    def callback_agents(self) -> list[dict]:
        """Every callback agent of the staff directory."""

    # writes (TaskChanged when a guard fails; nothing written then)
    def save(self, change: TaskChange, *, load: tuple[str, int] | None = None) -> None:
        """Replace the task; `load` (agent, delta) moves that agent's open-task counter in the same write."""

    def record_attempt(self, write: AttemptWrite) -> None: ...

    def record_review(self, change: TaskChange, review: dict) -> None: ...

    def flag_overdue(
        self, task: dict, at: str, *, problem: dict | None = None, escalations: Sequence[dict] = ()
    ) -> bool:
        """Flag an open task overdue once (with its problem item and escalation); False if flagged or closed."""

    def close_request(
        self,
        close: RequestClose,
        *,
        change: TaskChange | None = None,
        problem: dict | None = None,
        escalations: Sequence[dict] = (),
        fallback: dict | None = None,
    ) -> None: ...

    def release_load(self, agent_id: str) -> None:
        """One open task fewer for the agent, never below zero (best effort, after the task write)."""

    def agent_load(self, agent_id: str) -> int:
        """The agent's open-task counter (0 without one)."""

    # accounts (the feed's items)
    def masked_phones(self, account_ids: list[str]) -> dict[str, str | None]: ...

    def masked_contact(self, account_id: str) -> MaskedContact: ...

    def account_contact(self, account_id: str) -> AccountContact | None: ...

    def mark_contact_for_update(self, account_id: str, at: str, task_id: str) -> None:
        """A wrong number on `task_id`: the account and its other open tasks are flagged (best effort)."""

    def refresh_contacts(self, account_id: str, phone_masked: str | None) -> list[str]:
        """A new phone: the account's open tasks show its masked form, their wrong-number flag cleared."""

    def seal_phone(self, phone: str) -> str: ...

    # contact-update requests
    def open_requests(self, account_id: str) -> list[dict]: ...

    def list_branch_requests(self, branch_id: str, *, limit: int, start_key: dict | None = None) -> Page[dict]: ...

    def requests_due_on(self, day: str) -> list[dict]: ...


CALLBACK_WORK: Port[CallbackWorkRepository] = Port("callback_work")
