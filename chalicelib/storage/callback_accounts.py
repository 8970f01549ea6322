"""The accounts as callback work reads them: the contact an agent dials, the opening index, and the
wrong-number flag, which every open task of the account shows too.

The account items are the account feed's (storage/accounts.py); the sealed phone is read here and nowhere else.
"""

from __future__ import annotations

from ..config import get_settings
from ..errors import ConditionFailed
from . import base, keys, pii


def account_contact(account_id: str) -> dict | None:
    """The one place the account's sealed phone is read. Returns the clear phone; callers mask or audit."""
    item = base.get_item(**keys.account(account_id))
    if not item:
        return None
    sealed = item.get("phone_sealed")
    return {
        "account_id": account_id,
        "branch_id": item.get("branch_id"),
        "client_name": item.get("client_name"),
        "serving_manager_id": item.get("serving_manager_id"),
        "opened_on": item.get("opened_on"),
        "phone": pii.unseal(sealed) if sealed else None,
        "contact_needs_update": bool(item.get("contact_needs_update")),
    }


def accounts_opened_between(branch_id: str, first, last) -> dict[str, str]:
    """Accounts of a branch the feed says opened in [first, last] (account id -> opened_on), from the
    opening index: one query per day and shard."""
    from datetime import timedelta

    out: dict[str, str] = {}
    day = first
    while day <= last:
        for shard in range(get_settings().selection_shards):
            for item in base.query_all(f"OPENED#{day}#{shard}", index="gsi3"):
                if item.get("branch_id") == branch_id and item.get("opened_on"):
                    out[item["account_id"]] = item["opened_on"]
        day += timedelta(days=1)
    return out


def seal_phone(phone: str) -> str:
    """A phone number kept in a record (e.g. the number dialled), sealed like the account's."""
    return pii.seal(phone)


def mark_contact_for_update(account_id: str, at: str, task_id: str) -> None:
    """A wrong number: the account's contact must be updated before the next callback.

    A targeted update that also bumps the account's `version`: the feed writes the account as a whole
    item guarded by the version it read, so a feed write racing this one fails its condition and
    re-reads (keeping the flag) instead of putting its stale copy over it (the lost update of issue 14)."""
    try:
        base.update(
            **keys.account(account_id),
            expression="SET contact_needs_update = :t, contact_flagged_at = :at, contact_flag_task = :task "
            "ADD version :one",
            values={":t": True, ":at": at, ":task": task_id, ":one": 1},
            condition="attribute_exists(pk)",
            return_values="NONE",
        )
    except ConditionFailed:
        pass  # the account is not in the feed yet; the task still carries the flag
    # Every open task of the account shows the flag (a task read takes it from the task: issue 18 §4).
    for task in open_tasks_of_account(account_id):
        if task["task_id"] != task_id and not task.get("contact_needs_update"):
            _set_on_open_task(task["task_id"], "SET contact_needs_update = :t", {":t": True})


def open_tasks_of_account(account_id: str) -> list[dict]:
    """The account's open tasks (few: one per trigger and episode), from the account's task index."""
    from ..models.tasks import OPEN_STATUSES

    found = base.query_all(keys.task_account_partition(account_id), index="gsi4")
    return [base.strip_keys(t) for t in found if t.get("status") in OPEN_STATUSES]


def _set_on_open_task(task_id: str, expression: str, values: dict) -> bool:
    """A targeted change of what a task shows of its client's contact. It bumps the revision, so a writer
    holding an older copy fails its guard and re-reads instead of putting the old contact back."""
    try:
        base.update(
            **keys.callback_task(task_id),
            expression=f"{expression} ADD revision :one",
            names={"#s": "status"},
            values={**values, ":one": 1, ":o": "open", ":p": "in_progress"},
            condition="attribute_exists(pk) AND #s IN (:o, :p)",
            return_values="NONE",
        )
    except ConditionFailed:
        return False  # finished meanwhile: a finished task is read-only
    return True


def refresh_task_contacts(account_id: str, phone_masked: str | None) -> list[str]:
    """A new phone from the feed: the account's open tasks show its masked form, the wrong-number flag gone."""
    changed = []
    for task in open_tasks_of_account(account_id):
        if task.get("phone_masked") == phone_masked and not task.get("contact_needs_update"):
            continue
        expression = (
            "SET phone_masked = :m REMOVE contact_needs_update" if phone_masked else "REMOVE contact_needs_update"
        )
        if _set_on_open_task(task["task_id"], expression, {":m": phone_masked} if phone_masked else {}):
            changed.append(task["task_id"])
    return changed


def account_masked_contact(account_id: str) -> dict:
    """What an ordinary view shows of the account's contact: masked, never decrypted."""
    item = base.get_item(**keys.account(account_id)) or {}
    return {"phone_masked": item.get("phone_masked"), "contact_needs_update": bool(item.get("contact_needs_update"))}


def masked_phones(account_ids: list[str]) -> dict[str, str | None]:
    """The masked phone of each account, one BatchGetItem per 100 (a task list shows it on every card)."""
    pairs = [(keys.account(a)["pk"], keys.account(a)["sk"]) for a in dict.fromkeys(account_ids)]
    return {
        i["account_id"]: i.get("phone_masked")
        for i in base.batch_get(pairs, projection="account_id, phone_masked")
        if i.get("account_id")
    }
