"""Create FieldDesk's DynamoDB tables from the CloudFormation definitions.

The local stack and the tests build their tables from `infra/resources.json`,
the same definitions `chalice package --merge-template` deploys, so a GSI added
there is in every environment at once.
"""

from __future__ import annotations

import json
from pathlib import Path

TEMPLATE = Path(__file__).with_name("resources.json")
_LOCAL_ONLY = {"AttributeDefinitions", "KeySchema", "GlobalSecondaryIndexes", "BillingMode"}


def table_definitions(table_name: str, idempotency_table_name: str) -> list[dict]:
    resources = json.loads(TEMPLATE.read_text())["Resources"]
    names = {"FieldDeskTable": table_name, "IdempotencyTable": idempotency_table_name}
    out = []
    for logical_id, name in names.items():
        props = resources[logical_id]["Properties"]
        out.append({"TableName": name, **{k: v for k, v in props.items() if k in _LOCAL_ONLY}})
    return out


def create_tables(client, table_name: str, idempotency_table_name: str) -> None:
    existing = set(client.list_tables()["TableNames"])
    for definition in table_definitions(table_name, idempotency_table_name):
        if definition["TableName"] not in existing:
            client.create_table(**definition)
    # DynamoDB refuses to enable TTL twice ("TimeToLive is already enabled"); moto does not mind.
    ttl = client.describe_time_to_live(TableName=idempotency_table_name)["TimeToLiveDescription"]
    if ttl.get("TimeToLiveStatus") not in ("ENABLED", "ENABLING"):
        client.update_time_to_live(
            TableName=idempotency_table_name,
            TimeToLiveSpecification={"AttributeName": "expiration", "Enabled": True},
        )
