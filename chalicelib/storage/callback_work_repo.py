"""`CallbackWorkRepository` (domain/callback_ports.py) on DynamoDB: each bundle one TransactWriteItems.

It wraps the item layouts of storage/callback_work.py (task puts guarded by the state read, attempts and
reviews in the task's item collection), storage/contact_requests.py (contact requests under the account) and
storage/callback_accounts.py (the accounts' contacts), and calls those modules' functions at call time, so a
test patching one of them still reaches the rules."""

from __future__ import annotations

from collections.abc import Sequence

from ..domain.callback_ports import AccountContact, AttemptWrite, MaskedContact, RequestClose, TaskChange, TaskChanged
from ..domain.callback_ports import TaskHistory as History
from ..domain.ports import Page
from ..errors import ConditionFailed
from . import base, callback_accounts, contact_requests
from . import callback_work as work
from . import problems as problem_store


def _put(change: TaskChange) -> dict:
    return work.task_put_op(change.new, change.previous)


def _close(close: RequestClose) -> dict:
    return contact_requests.close_contact_request_op(close.request, close.status, close.fields)


def _write(ops: list[dict]) -> None:
    try:
        work.write(ops)
    except ConditionFailed:
        raise TaskChanged() from None


def _page(page: base.Page) -> Page[dict]:
    return Page(page.items, page.last_key)


class DynamoCallbackWorkRepository:
    # --- tasks ---------------------------------------------------------------------------------
    def get_task(self, task_id: str) -> dict | None:
        return work.get_task(task_id)

    def history(self, task_id: str) -> History:
        task, attempts, reviews = work.task_with_history(task_id)
        return History(task, attempts, reviews)

    def list_open_for_agent(self, agent_id: str, *, limit: int, start_key: dict | None = None) -> Page[dict]:
        return _page(work.list_open_for_agent(agent_id, limit=limit, start_key=start_key))

    def list_branch_queue(self, branch_id: str, *, limit: int, start_key: dict | None = None) -> Page[dict]:
        return _page(work.list_branch_queue(branch_id, limit=limit, start_key=start_key))

    def open_tasks_of_agent(self, agent_id: str) -> list[dict]:
        return work.open_tasks_of_agent(agent_id)

    def branch_queue_all(self, branch_id: str) -> list[dict]:
        return work.branch_queue_all(branch_id)

    def tasks_of_month(self, branch_id: str, month: str) -> list[dict]:
        return work.tasks_of_month(branch_id, month)

    def open_tasks_due_on(self, day: str) -> list[dict]:
        return work.open_tasks_due_on(day)

    def callback_agents(self) -> list[dict]:
        return work.callback_agents()

    # --- writes ----------------------------------------------------------------------------------
    def save(self, change: TaskChange, *, load: tuple[str, int] | None = None) -> None:
        ops = [_put(change)]
        if load:
            ops.append(work.load_change_op(*load))
        _write(ops)

    def record_attempt(self, write: AttemptWrite) -> None:
        ops = [_put(write.change), work.attempt_op(write.attempt)]
        ops += [problem_store.new_problem_op(p) for p in write.problems]
        if write.contact_request:
            ops.append(contact_requests.new_contact_request_op(write.contact_request))
        if write.withdraw:
            ops.append(_close(write.withdraw))
        if write.fallback:
            ops.append(work.new_task_op(write.fallback))
        _write(ops + list(write.escalations))

    def record_review(self, change: TaskChange, review: dict) -> None:
        _write([_put(change), work.review_op(review)])

    def flag_overdue(
        self, task: dict, at: str, *, problem: dict | None = None, escalations: Sequence[dict] = ()
    ) -> bool:
        also = [problem_store.new_problem_op(problem)] if problem else []
        return work.flag_task_overdue(task, at, also=[*also, *escalations])

    def close_request(
        self,
        close: RequestClose,
        *,
        change: TaskChange | None = None,
        problem: dict | None = None,
        escalations: Sequence[dict] = (),
        fallback: dict | None = None,
    ) -> None:
        ops = ([_put(change)] if change else []) + [_close(close)]
        if problem:
            ops.append(problem_store.new_problem_op(problem))
        ops += list(escalations)
        if fallback:
            ops.append(work.new_task_op(fallback))
        _write(ops)

    def release_load(self, agent_id: str) -> None:
        work.release_load(agent_id)

    def agent_load(self, agent_id: str) -> int:
        return work.agent_loads([agent_id]).get(agent_id, 0)

    # --- accounts ----------------------------------------------------------------------------------
    def masked_phones(self, account_ids: list[str]) -> dict[str, str | None]:
        return callback_accounts.masked_phones(account_ids)

    def masked_contact(self, account_id: str) -> MaskedContact:
        found = callback_accounts.account_masked_contact(account_id)
        return MaskedContact(found.get("phone_masked"), bool(found.get("contact_needs_update")))

    def account_contact(self, account_id: str) -> AccountContact | None:
        found = callback_accounts.account_contact(account_id)
        if not found:
            return None
        return AccountContact.of(account_id, found)

    def mark_contact_for_update(self, account_id: str, at: str, task_id: str) -> None:
        callback_accounts.mark_contact_for_update(account_id, at, task_id)

    def refresh_contacts(self, account_id: str, phone_masked: str | None) -> list[str]:
        return callback_accounts.refresh_task_contacts(account_id, phone_masked)

    def seal_phone(self, phone: str) -> str:
        return callback_accounts.seal_phone(phone)

    # --- contact-update requests ------------------------------------------------------------------
    def open_requests(self, account_id: str) -> list[dict]:
        return contact_requests.open_contact_requests(account_id)

    def list_branch_requests(self, branch_id: str, *, limit: int, start_key: dict | None = None) -> Page[dict]:
        return _page(contact_requests.list_branch_contact_requests(branch_id, limit=limit, start_key=start_key))

    def requests_due_on(self, day: str) -> list[dict]:
        return contact_requests.contact_requests_due_on(day)
