"""Problem items and escalation alerts."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence

from ..config import get_settings
from ..errors import ConditionFailed
from ..models.problems import UNRESOLVED
from ..observability import logger, metrics
from . import base, keys


def problem_item(record: dict) -> dict:
    """The full item; the due bucket (gsi3) exists only while the item is unresolved."""
    item = {
        **keys.problem(record["problem_id"]),
        **record,
        **keys.problem_indexes(
            record["branch_id"], record["created_at"], record["problem_id"], record["status"], record["severity"]
        ),
    }
    if record["status"] in UNRESOLVED:
        item.update(keys.problem_due_index(record["due_at"][:13], record["problem_id"]))
    return item


def new_problem_op(record: dict) -> dict:
    return base.tx_put(problem_item(record))


def create(record: dict, also: Sequence[dict] = ()) -> None:
    """A new item; `also` are transaction items written with it (its outbox entry)."""
    if also:
        base.transact([new_problem_op(record), *also])
    else:
        base.put_new(problem_item(record))


def get(problem_id: str) -> dict | None:
    return base.strip_keys(base.get_item(**keys.problem(problem_id), consistent=True))


def replace(record: dict, *, expected_status: str) -> None:
    base.put_new(
        problem_item(record), condition="#s = :prev", names={"#s": "status"}, values={":prev": expected_status}
    )


def replace_op(record: dict, *, expected_status: str) -> dict:
    return base.tx_put(
        problem_item(record), condition="#s = :prev", names={"#s": "status"}, values={":prev": expected_status}
    )


def list_by_status(status: str, *, limit: int, start_key=None) -> base.Page:
    return base.query_records(f"PROBLEMS#{status}", index="gsi1", limit=limit, start_key=start_key)


def list_branch_month(
    branch_id: str, month: str, *, limit: int, start_key=None, keep: Callable[[dict], bool] | None = None
) -> base.Page:
    """A page of the branch's items of the month, oldest first; with `keep`, a full page of those it accepts."""
    pk = f"BRANCH#{branch_id}#PROBLEMS#{month}"
    if keep:
        return base.query_kept(pk, keep, index="gsi2", limit=limit, start_key=start_key)
    return base.query_records(pk, index="gsi2", limit=limit, start_key=start_key)


def all_branch_month(branch_id: str, month: str) -> list[dict]:
    return [base.strip_keys(i) for i in base.query_all(f"BRANCH#{branch_id}#PROBLEMS#{month}", index="gsi2")]


def due_in_hour(hour: str) -> list[dict]:
    return [base.strip_keys(i) for i in base.query_all(f"PROBLEMDUE#{hour}", index="gsi3")]


def flag_overdue(problem_id: str, at: str, also: Sequence[dict] = ()) -> bool:
    """Flag an unresolved item overdue once, with `also` (its outbox entry) in the same transaction."""
    k = keys.problem(problem_id)
    flag = base.tx_update(
        k["pk"],
        k["sk"],
        "SET overdue = :t, overdue_at = :at, escalated = :t",
        names={"#s": "status"},
        values={":t": True, ":at": at, ":o": "open", ":p": "in_progress"},
        condition="attribute_exists(pk) AND attribute_not_exists(overdue_at) AND #s IN (:o, :p)",
    )
    try:
        base.transact([flag, *also])
        return True
    except ConditionFailed:
        return False


def notify_escalation(kind: str, record: dict) -> None:
    """Alert the branch manager and head office (or the record's `audience`, e.g. a complaint's supervisor
    and branch manager): SNS in AWS, a log record and a metric locally.

    The message carries ids and categories only, never client contact data.
    """
    message = {
        "kind": kind,
        "audience": record.get("audience") or ["branch_manager", "head_office"],
        "branch_id": record.get("branch_id"),
        "problem_id": record.get("problem_id"),
        "task_id": record.get("task_id"),
        "account_id": record.get("account_id"),
        "category": record.get("category"),
        "severity": record.get("severity"),
        "due_at": record.get("due_at"),
        "staff_id": record.get("staff_id"),
    }
    message.update(
        {
            k: record[k]
            for k in (
                "complaint_id",
                "owner_id",
                "channel",
                "proposal_id",
                "rule_code",
                "day",
                "prospect_id",
                "first_contact_due",
            )
            if record.get(k)
        }
    )
    topic = get_settings().escalation_topic_arn
    metrics.add_metric(name=f"Escalation_{kind}", unit="Count", value=1)
    if topic:
        from .clients import sns_client

        sns_client().publish(
            TopicArn=topic,
            Subject=f"FieldDesk escalation: {kind}",
            Message=json.dumps(message),
            MessageAttributes={
                "branch_id": {"DataType": "String", "StringValue": str(record.get("branch_id"))},
                "kind": {"DataType": "String", "StringValue": kind},
            },
        )
    logger.warning("escalation", extra={"escalation": message})
