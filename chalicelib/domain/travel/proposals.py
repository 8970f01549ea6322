"""NO_DAILY_REPORT proposals: the hourly sweep proposes one for a travel day whose report hour passed without
an on-time report (000 第二篇 §1 "发现一天没汇报的当天出差补贴公司不给予报销"); the supervisor confirms it (the
penalty is entered through the penalty rules, with the catalogue in force that day) or dismisses it."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from ... import clock, submission
from ...errors import Conflict, NotFound
from ...models.penalties import PenaltyIn
from ...models.travel import ConfirmIn, DismissIn
from ...observability import logger
from .. import hourly_sweep, penalties, penalty_rules
from ..travel_ports import TRAVEL, Escalation, ProposalChanged, ProposalRefused
from .periods import AUDIENCE, PROPOSAL_KIND, RULE_CODE, SWEEP_JOB, proposal_id, scope, visible

if TYPE_CHECKING:
    from ...auth import Principal


# --- proposals: the hourly sweep ---------------------------------------------------------------------
def _subject(pid: str) -> str:
    return f"{PROPOSAL_KIND}:{pid}"


def sweep_missing_reports(now: datetime | None = None) -> dict:
    """Propose NO_DAILY_REPORT for each travel day whose report hour passed without an on-time report.

    Reads only the TRAVELDUE#<hour>#<shard> buckets after the watermark up to the last completed hour.
    The proposal (deterministic id), the day's mark and the outbox entry to the supervisor are one
    transaction conditional on the day having no proposal, no on-time report and no cancellation: a
    rerun or an overlapping run proposes nothing twice."""
    now = now or clock.now()
    proposed: list[str] = []
    at = clock.iso(now)

    def read_hour(hour: str) -> None:
        for item in TRAVEL().days_due_in_hour(hour):
            if item.get("cancelled") or item.get("proposal_id") or item.get("report_on_time"):
                continue
            record = {
                "proposal_id": proposal_id(item["manager_id"], item["day"]),
                "rule_code": RULE_CODE,
                "manager_id": item["manager_id"],
                "branch_id": item["branch_id"],
                "travel_id": item["travel_id"],
                "day": item["day"],
                "due_at": item["due_at"],
                "late_report_at": item.get("report_at"),
                "status": "pending",
                "created_at": at,
                "rule_version": penalty_rules.catalogue_on(
                    date.fromisoformat(item["day"]), item["branch_id"]
                ).version_ref(),
            }
            # Ids only; `staff_id` is the manager, as the escalation message names staff.
            fields = {k: record[k] for k in ("proposal_id", "rule_code", "branch_id", "day", "due_at")}
            escalation = Escalation(
                _subject(record["proposal_id"]),
                {"kind": PROPOSAL_KIND, "record": {**fields, "staff_id": record["manager_id"], "audience": AUDIENCE}},
            )
            try:
                TRAVEL().propose(record, escalation)
            except ProposalRefused:
                continue  # reported, cancelled or proposed meanwhile
            proposed.append(record["proposal_id"])

    hours = hourly_sweep.sweep(SWEEP_JOB, now, read_hour)
    return {"hours_read": hours, "proposed": proposed}


# --- proposals: the supervisor's decision ------------------------------------------------------------
def read_proposal(principal: Principal, pid: str) -> dict:
    record = TRAVEL().get_proposal(pid)
    if not record or not visible(principal, record):
        raise NotFound(f"penalty proposal {pid} not found")
    return record


def list_proposals(principal: Principal, *, status, branch_id, month, limit, start_key):
    manager_id, branch_id = scope(principal, None, branch_id)
    if manager_id:
        return TRAVEL().list_manager_proposals(manager_id, month, limit=limit, start_key=start_key, status=status)
    return TRAVEL().list_branch_proposals(branch_id, month, limit=limit, start_key=start_key, status=status)


def confirm(principal: Principal, pid: str, body: ConfirmIn) -> dict:
    current = read_proposal(principal, pid)
    if current["status"] == "confirmed":
        return current
    if current["status"] != "pending":
        raise Conflict(f"the proposal is {current['status']}")
    note = f"出差日报缺失 {current['day']} (proposal {pid})" + (f": {body.note}" if body.note else "")
    penalty_in = PenaltyIn(
        manager_id=current["manager_id"],
        rule_code=current["rule_code"],
        breach_date=date.fromisoformat(current["day"]),
        occurrences=1,
        evidence_note=note,
        evidence_refs=[f"travel:{current['travel_id']}", f"proposal:{pid}"],
        income_yuan=body.daily_subsidy_yuan,
    )
    # One penalty per proposal whoever confirms and however often: its id comes from the proposal.
    token = submission.bind(f"penalty-proposal|{pid}")
    try:
        penalty = penalties.enter(principal, penalty_in)
    finally:
        submission.unbind(token)
    record = {
        **current,
        "status": "confirmed",
        "penalty_id": penalty["penalty_id"],
        "decided_by": principal.id,
        "decided_at": clock.iso(clock.now()),
        "reason": body.note or None,
    }
    return _save(record, "pending", pid)


def dismiss(principal: Principal, pid: str, body: DismissIn) -> dict:
    current = read_proposal(principal, pid)
    if current["status"] != "pending":
        raise Conflict(f"the proposal is {current['status']}")
    record = {
        **current,
        "status": "dismissed",
        "decided_by": principal.id,
        "decided_at": clock.iso(clock.now()),
        "reason": body.reason,
    }
    return _save(record, "pending", pid)


def _save(record: dict, expected_status: str, pid: str) -> dict:
    try:
        TRAVEL().replace_proposal(record, expected_status=expected_status)
    except ProposalChanged:
        stored = TRAVEL().get_proposal(pid)
        if stored and stored["status"] == record["status"] and stored.get("penalty_id") == record.get("penalty_id"):
            return stored
        raise Conflict("the proposal was decided meanwhile; reload") from None
    logger.info("penalty proposal decided", extra={"proposal_id": pid, "status": record["status"]})
    return record
