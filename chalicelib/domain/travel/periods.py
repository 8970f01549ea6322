"""Travel 出差: periods, the daily travel report, and the NO_DAILY_REPORT proposals a missing report raises.

Seed 000 第二篇 §1: "每天微信汇报当天工作情况,工作重点部分,问题未处理部分必须注明,填写当天的日期。本项工作每天
检查并登记存档,处理方法;发现一天没汇报的当天出差补贴公司不给予报销" - a day without a report loses that day's
travel subsidy. Seed 004 二、出差: "出差在外,每天填写拜访记录表(客户报备表),晚上九点钟之前向领导汇报当天工作情况
(短信,电话都行)" - the report is due by 21:00 (`travel_report_due_hour`). The seeds leave who sets the travel
to "公司出差制度"; FieldDesk's decision: a manager requests their own period and the supervisor approves it
(004 reports to "领导"), or the supervisor records it directly, approved at once.

An approved period writes one item per travel day with the hour its report falls due (a sparse, sharded
due-hour index). The report removes the day from the index when it is on time. The hourly sweep reads
the hours that passed and, for a day still there, writes a NO_DAILY_REPORT *proposal* - once per manager
and day, a deterministic id, in one transaction with its outbox entry to the supervisor. The supervisor
confirms it (the penalty is entered through the penalty domain, with the catalogue in force that day)
or dismisses it with a reason. The texts of a report are never logged.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from ... import clock, submission
from ...config import get_settings
from ...errors import Conflict, Forbidden, NotFound, Unprocessable, ValidationFailed
from ...models.travel import TravelDecisionIn, TravelPeriodIn
from ...observability import logger
from .. import hourly_sweep
from ..travel_ports import TRAVEL, PeriodChanged, PeriodExists, TravelDayTaken

if TYPE_CHECKING:
    from ...auth import Principal

OVERSIGHT = {"compliance", "admin"}
SWEEP_JOB = "travel-report-sweep"
PROPOSAL_KIND = "no_daily_report_proposal"
RULE_CODE = "NO_DAILY_REPORT"
AUDIENCE = ["supervisor"]


class NotTravelling(Unprocessable):
    """A report for a day no approved travel period covers."""

    code = "not_travelling"


class AlreadyReported(Conflict):
    """The day's report was filed already (once per manager and day)."""

    code = "already_reported"


# --- pure rules --------------------------------------------------------------------------------------
def report_due_at(day: date, due_hour: int) -> datetime:
    """The day's report is due by `due_hour` o'clock that day, Asia/Shanghai (004: 晚上九点钟之前)."""
    return datetime.combine(day, time(0), tzinfo=clock.SHANGHAI) + timedelta(hours=due_hour)


def due_bucket(due: datetime) -> str:
    """The hour a due time closes: 21:00 falls in the 20:00 hour, read by the sweep from 21:00 on."""
    return hourly_sweep.hour_key(due - timedelta(seconds=1))


def travel_days(start_on: date, end_on: date) -> list[date]:
    return [start_on + timedelta(days=n) for n in range((end_on - start_on).days + 1)]


def proposal_id(manager_id: str, day: str) -> str:
    """Once per manager and day: the same id however many sweeps find the day."""
    return "ndr-" + hashlib.sha256(f"{RULE_CODE}|{manager_id}|{day}".encode()).hexdigest()[:24]


# --- periods -----------------------------------------------------------------------------------------
def _branch_manager(manager_id: str, branch_id: str, field: str) -> dict:
    staff = TRAVEL().get_staff(manager_id)
    if (
        not staff
        or staff.get("branch_id") != branch_id
        or staff.get("role") != "client_manager"
        or staff.get("status", "active") != "active"
    ):
        raise NotFound.reference(field, f"client manager {manager_id}")
    return staff


def create_period(principal: Principal, body: TravelPeriodIn) -> dict:
    s = get_settings()
    if principal.role == "client_manager":
        if body.manager_id not in (None, principal.id):
            raise Forbidden("a manager requests their own travel; the supervisor records others'")
        manager_id = principal.id
    else:
        if not body.manager_id:
            raise ValidationFailed.field("manager_id", "name the client manager who travels")
        manager_id = body.manager_id
        _branch_manager(manager_id, principal.branch_id, "manager_id")
    if body.end_on < body.start_on:
        raise ValidationFailed.field("end_on", "is before start_on")
    days = (body.end_on - body.start_on).days + 1
    if days > s.travel_period_max_days:
        raise ValidationFailed.field("end_on", f"a travel period covers at most {s.travel_period_max_days} days")
    today = clock.today()
    if principal.role == "client_manager" and body.start_on < today:
        raise ValidationFailed.field("start_on", "a manager requests travel in advance (today or later)")
    now = clock.now()
    at = clock.iso(now)
    approved = principal.role == "supervisor"
    record = {
        "travel_id": submission.record_id("travel"),
        "manager_id": manager_id,
        "branch_id": principal.branch_id,
        "start_on": body.start_on.isoformat(),
        "end_on": body.end_on.isoformat(),
        "destination": body.destination,
        "purpose": body.purpose,
        "status": "approved" if approved else "requested",
        "requested_by": principal.id,
        "created_at": at,
        "report_due_hour": s.travel_report_due_hour,
        "revision": 1,
        "history": [{"at": at, "by": principal.id, "to": "requested"}],
        **submission.stamp(),
    }
    if approved:
        record.update(decided_by=principal.id, decided_at=at)
        record["history"].append({"at": at, "by": principal.id, "to": "approved"})
    try:
        TRAVEL().create_period(record, _days(record) if approved else [])
    except PeriodExists:
        stored = submission.replay_of(TRAVEL().get_period(record["travel_id"]))
        if stored is None:
            raise Conflict("another approved travel period of this manager covers one of these days") from None
        record = stored
    except TravelDayTaken:
        raise Conflict("another approved travel period of this manager covers one of these days") from None
    logger.info("travel period recorded", extra={"travel_id": record["travel_id"], "status": record["status"]})
    return record


def _days(record: dict) -> list[dict]:
    """One item per travel day. A day whose report hour had already passed when the travel was approved
    (recorded after the fact) takes a late report but is never proposed: the manager could not report it."""
    now = clock.now()
    days = []
    for day in travel_days(date.fromisoformat(record["start_on"]), date.fromisoformat(record["end_on"])):
        due = report_due_at(day, int(record["report_due_hour"]))
        days.append(
            {
                "manager_id": record["manager_id"],
                "day": day.isoformat(),
                "travel_id": record["travel_id"],
                "branch_id": record["branch_id"],
                "due_at": clock.iso(due),
                "due_hour": due_bucket(due) if due > now else None,
            }
        )
    return days


def visible(principal: Principal, record: dict) -> bool:
    if principal.role in OVERSIGHT:
        return True
    if principal.role == "supervisor":
        return record["branch_id"] == principal.branch_id
    return principal.role == "client_manager" and record["manager_id"] == principal.id


def read_period(principal: Principal, travel_id: str) -> dict:
    record = TRAVEL().get_period(travel_id)
    if not record or not visible(principal, record):
        raise NotFound(f"travel period {travel_id} not found")
    return record


def decide_period(principal: Principal, travel_id: str, body: TravelDecisionIn) -> dict:
    current = read_period(principal, travel_id)
    status = current["status"]
    if principal.role == "client_manager" and not (body.decision == "cancel" and status == "requested"):
        raise Forbidden("the supervisor approves, rejects and cancels travel; a manager withdraws a request")
    if body.decision in ("reject", "cancel") and not body.note:
        raise ValidationFailed.field("note", f"{body.decision}ing travel needs the reason")
    allowed = {"approve": {"requested"}, "reject": {"requested"}, "cancel": {"requested", "approved"}}
    if status not in allowed[body.decision]:
        raise Unprocessable(f"a {status} travel period cannot be {body.decision}d")
    now = clock.now()
    at = clock.iso(now)
    to = {"approve": "approved", "reject": "rejected", "cancel": "cancelled"}[body.decision]
    record = {
        **current,
        "status": to,
        "decided_by": principal.id,
        "decided_at": at,
        "note": body.note or None,
        "revision": int(current["revision"]) + 1,
        "history": [*current.get("history", []), {"at": at, "by": principal.id, "to": to, "note": body.note}],
    }
    new_days, cancelled = [], []
    if to == "approved":
        new_days = _days(record)
    elif status == "approved":
        # Back early or not going: the days whose report is not yet due are no longer travel days.
        cancelled = [
            d.isoformat()
            for d in travel_days(date.fromisoformat(record["start_on"]), date.fromisoformat(record["end_on"]))
            if report_due_at(d, int(record["report_due_hour"])) > now
        ]
    try:
        TRAVEL().replace_period(
            record, expected_revision=int(current["revision"]), new_days=new_days, cancelled_days=cancelled
        )
    except (PeriodChanged, TravelDayTaken):
        if to == "approved":
            raise Conflict(
                "the period changed meanwhile, or another approved travel of this manager covers " "one of its days"
            ) from None
        raise Conflict("the travel period changed meanwhile; reload and retry") from None
    return record


def list_periods(principal: Principal, *, manager_id, branch_id, status, month, limit, start_key):
    manager_id, branch_id = scope(principal, manager_id, branch_id)
    if manager_id:
        return TRAVEL().list_manager_periods(manager_id, month, limit=limit, start_key=start_key, status=status)
    return TRAVEL().list_branch_periods(branch_id, month, limit=limit, start_key=start_key, status=status)


def scope(principal: Principal, manager_id: str | None, branch_id: str | None) -> tuple[str | None, str | None]:
    """(manager, branch) a list reads: managers their own; supervisors their branch; oversight names one."""
    if principal.role == "client_manager":
        if manager_id not in (None, principal.id) or branch_id not in (None, principal.branch_id):
            raise Forbidden("a manager sees their own travel only")
        return principal.id, None
    if principal.role == "supervisor":
        if branch_id not in (None, principal.branch_id):
            raise Forbidden("supervisors see their own branch only")
        if manager_id:
            staff = TRAVEL().get_staff(manager_id)
            if not staff or staff.get("branch_id") != principal.branch_id:
                raise Forbidden("supervisors see their own branch only")
        return manager_id, principal.branch_id
    if not (manager_id or branch_id):
        raise ValidationFailed.field("query.branch_id", "name the branch (or the manager) to list")
    return manager_id, branch_id
