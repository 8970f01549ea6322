"""A few callback tasks for cba-001 and three in the br-pudong queue (each browser test that claims or
assigns takes one), with their accounts."""

from __future__ import annotations

from datetime import timedelta

ORDER = 40


def seed() -> None:
    from chalicelib import clock
    from chalicelib.config import get_settings
    from chalicelib.errors import ConditionFailed
    from chalicelib.models.common import mask_phone
    from chalicelib.models.tasks import TaskRecord, Trigger
    from chalicelib.storage import base, keys, pii
    from chalicelib.storage.tasks import task_item

    today = clock.today()
    accounts = [
        ("DEMO-A001", "周杰", "13800000001", "new_account", "cba-001", 1),
        ("DEMO-A002", "吴芳", "13800000002", "dormant", "cba-001", 5),
        ("DEMO-A003", "郑华", "13800000003", "large_outflow", "cba-001", 0),
        ("DEMO-A004", "冯丽", "13800000004", "periodic", None, 5),
        ("DEMO-A005", "陈静", "13800000005", "periodic", None, 5),
        ("DEMO-A006", "何平", "13800000006", "dormant", None, 5),  # the lead's browser test assigns this one
    ]
    for n, (account_id, name, phone, trigger, agent, priority) in enumerate(accounts):
        opened = today - timedelta(days=1 if trigger == "new_account" else 400)
        base.put(
            {
                **keys.account(account_id),
                "account_id": account_id,
                "branch_id": "br-pudong",
                "client_name": name,
                "serving_manager_id": "cm-001",
                "tier": "ordinary",
                "status": "open",
                "opened_on": opened.isoformat(),
                "phone_sealed": pii.seal(phone),
                "phone_hash": pii.phone_hash(phone),
                "phone_masked": mask_phone(phone),
                **keys.account_opened_index(opened, account_id, get_settings().selection_shards),
            }
        )
        due = today + timedelta(days=n)
        record = TaskRecord(
            task_id=keys.callback_task_id(trigger, account_id, today.isoformat()),
            trigger=Trigger(trigger),
            episode=today.isoformat(),
            account_id=account_id,
            branch_id="br-pudong",
            serving_manager_id="cm-001",
            client_name=name,
            phone_masked=mask_phone(phone),  # as the selection job writes it (issue 18 §4)
            business_date=today,
            created_at=clock.iso(clock.now()),
            due_on=due,
            due_at=f"{due.isoformat()}T23:59:59+08:00",
            priority=priority,
            risk=trigger == "large_outflow",
            assignee_id=agent,
            queue_flag=None if agent else "no_agent",
            detail={"amount": "600000.00"} if trigger == "large_outflow" else {},
        )
        try:
            base.put_new(task_item(record))
        except ConditionFailed:
            continue
