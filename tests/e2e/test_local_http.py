"""Issue 21: path parameters through the HTTP server `make run` starts, not only the test client.

A task id written before ids avoided ':' (departed-manager tasks `…cm-001:2026-11-19`) is opened
with the phone page's encoding (`%3A`) and raw; both reach the same task."""

from __future__ import annotations

import boto3


def put_legacy_task(stack, task_id: str) -> None:
    item = {
        "pk": f"TASK#{task_id}",
        "sk": "TASK",
        "task_id": task_id,
        "trigger": "departed_manager",
        "episode": "cm-001:2026-11-19",
        "account_id": "ac-legacy",
        "branch_id": "br-pudong",
        "business_date": "2026-11-19",
        "created_at": "2026-11-20T02:00:00+08:00",
        "due_on": "2026-12-04",
        "due_at": "2026-12-04T23:59:59+08:00",
        "priority": 3,
        "risk": False,
        "status": "open",
        "assignee_id": "cba-001",
        "attempts": 0,
        "client_name": "张三",
        "gsi1pk": "AGENT#cba-001#OPEN",
        "gsi1sk": f"2026-12-04T23:59:59+08:00#3#{task_id}",
    }
    table = boto3.resource(
        "dynamodb",
        endpoint_url=stack.endpoint,
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    ).Table(stack.env.get("FIELDDESK_TABLE_NAME", "fielddesk"))
    table.put_item(Item=item)


def test_an_encoded_and_a_raw_task_id_open_the_same_task(stack):
    task_id = "departed_manager.ac-legacy.cm-001:2026-11-19"
    put_legacy_task(stack, task_id)
    for spelling in (task_id.replace(":", "%3A"), task_id, task_id.replace(":", "%3a")):
        status, body = stack.call("GET", f"/v1/callback-tasks/{spelling}", as_="cba-001")
        assert status == 200 and body["task_id"] == task_id, (spelling, status, body)
