"""A complaint unresolved past its due hour is escalated to the supervisor and the branch manager once
(002 第二十条 §4), through the outbox in the same transaction as its `escalated` flag: at recording when it
arrives late already (complaints.create), else by the hourly sweep."""

from __future__ import annotations

from datetime import datetime

from .. import clock
from ..models.complaints import UNRESOLVED
from . import hourly_sweep
from .complaint_ports import COMPLAINTS, AlreadyEscalated, Escalation

SWEEP_JOB = "complaint-sla-sweep"
ESCALATION_KIND = "complaint_overdue"
AUDIENCE = ["supervisor", "branch_manager"]


def _subject(complaint_id: str) -> str:
    return f"{ESCALATION_KIND}:{complaint_id}"


def escalation(record: dict) -> Escalation:
    # Ids only: the entry never carries the client's name or the complaint's text.
    fields = {
        k: record.get(k)
        for k in ("branch_id", "complaint_id", "owner_id", "account_id", "channel", "due_at")
        if record.get(k) is not None
    }
    return Escalation(
        _subject(record["complaint_id"]), {"kind": ESCALATION_KIND, "record": {**fields, "audience": AUDIENCE}}
    )


def sweep_overdue(now: datetime | None = None) -> dict:
    """Escalate unresolved complaints whose due hour has passed, each once.

    Reads only the COMPLAINTDUE#<hour>#<shard> buckets after the watermark up to the last completed
    hour; the flag and the outbox entry are one transaction, conditional on the flag not being set,
    so a rerun or an overlapping run escalates nothing twice."""
    now = now or clock.now()
    escalated: list[str] = []
    at = clock.iso(now)

    def read_hour(hour: str) -> None:
        for item in COMPLAINTS().due_in_hour(hour):
            if item["status"] not in UNRESOLVED or item.get("escalated"):
                continue
            try:
                COMPLAINTS().escalate(item["complaint_id"], at, escalation(item))
            except AlreadyEscalated:
                continue  # resolved or escalated meanwhile
            escalated.append(item["complaint_id"])

    hours = hourly_sweep.sweep(SWEEP_JOB, now, read_hour)
    return {"hours_read": hours, "escalated": escalated}
