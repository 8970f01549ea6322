"""Callback tasks and minimal accounts, written the way the selection job and the feed write them."""

from __future__ import annotations

from datetime import date

from chalicelib.config import get_settings
from chalicelib.models.common import mask_phone
from chalicelib.models.tasks import TaskRecord
from chalicelib.storage import base, keys, pii
from chalicelib.storage.tasks import task_item

PHONE = "13812345678"


# The attempt bodies the callback tests send: the 001 checklist all confirmed, and a reached phone call.
CHECKLIST = {
    "account_changes_confirmed": True,
    "no_staff_trading": True,
    "risks_disclosed": True,
    "no_discretionary_authority": True,
    "no_return_promise": True,
    "no_signing_for_client": True,
}
REACHED = {
    "channel": "phone",
    "reached": True,
    "recording_ref": "rec-0001",
    "dialled_number": PHONE,
    "answered_by": "client",
    "identity_confirmed": True,
    "checklist": CHECKLIST,
    "satisfaction": 5,
    "needs": "margin account",
    "feedback": "good service",
}


def make_account(
    account_id: str = "A001",
    *,
    branch_id: str = "br-pudong",
    client_name: str = "张三",
    serving_manager_id: str = "cm-001",
    tier: str = "ordinary",
    opened_on: str = "2026-11-19",
    phone: str = PHONE,
) -> dict:
    item = {
        **keys.account(account_id),
        "account_id": account_id,
        "branch_id": branch_id,
        "client_name": client_name,
        "serving_manager_id": serving_manager_id,
        "tier": tier,
        "opened_on": opened_on,
        "phone_sealed": pii.seal(phone),
        "phone_hash": pii.phone_hash(phone),
        "phone_masked": mask_phone(phone),
        "status": "open",
        **keys.account_opened_index(opened_on, account_id, get_settings().selection_shards),
    }
    base.put(item)
    return item


def make_task(
    trigger: str = "new_account",
    account_id: str = "A001",
    *,
    episode: str | None = None,
    branch_id: str = "br-pudong",
    assignee_id: str | None = "cba-001",
    business_date: str = "2026-11-19",
    due_on: str | None = None,
    status: str = "open",
    priority: int = 5,
    serving_manager_id: str | None = "cm-001",
    client_name: str = "张三",
    created_at: str | None = None,
    **extra,
) -> dict:
    due_on = due_on or business_date
    episode = episode or business_date
    record = TaskRecord(
        task_id=keys.callback_task_id(trigger, account_id, episode),
        trigger=trigger,
        episode=episode,
        account_id=account_id,
        branch_id=branch_id,
        serving_manager_id=serving_manager_id,
        client_name=client_name,
        business_date=date.fromisoformat(business_date),
        created_at=created_at or f"{business_date}T06:00:00+08:00",
        due_on=date.fromisoformat(due_on),
        due_at=f"{due_on}T23:59:59+08:00",
        priority=priority,
        risk=trigger == "large_outflow",
        status=status,
        assignee_id=assignee_id,
        **extra,
    )
    base.put_new(task_item(record))
    return record.model_dump(mode="json")
