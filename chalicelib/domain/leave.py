"""Leave 请假: a client manager asks their supervisor in advance; approved leave is not absence.

000 第一篇 第四条: "客户经理由于私事或生病需请假的,须提前向区域经理提出; …未经批准擅离岗位外出者扣罚客户经理考核分数
5分;客户经理无故旷工半天者,扣罚该客户经理考核分数15分;无故旷工一天者,扣罚考核分数50分…". The region manager
(区域经理) is FieldDesk's supervisor of the manager's branch: they approve or refuse. A request names its
first and last day (or half of one day), at least `leave_notice_days` before its first day; a manager may
withdraw it while it waits. Nothing is deleted: every change is a new revision with its history entry.

What approved leave changes (`days_on_leave`): the absence rules (domain/penalties.py) refuse an absence on
an approved leave day and do not add one entered before the approval to the month's days; the activity
view (domain/visits.py) excuses the day's contacts and lowers the week's visit days in proportion.
Reasons are the manager's own words: never logged.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from .. import clock, submission
from ..config import get_settings
from ..errors import Conflict, Forbidden, NotFound, ValidationFailed
from ..models.leave import LeaveDecisionIn, LeaveIn, LeaveStatus, LeaveWithdrawIn
from ..observability import logger
from . import workdays
from .leave_ports import LEAVE, LeaveChanged, LeaveExists, Page

if TYPE_CHECKING:
    from ..auth import Principal

ACTIVE = {"pending", "approved"}  # a new request may not overlap these
FULL, HALF = Decimal(1), Decimal("0.5")


# --- pure rules ----------------------------------------------------------------------------------------
def notice_problem(start: date, today: date, notice_days: int) -> str | None:
    """第四条 "须提前": why a first day is too soon, or None."""
    earliest = today + timedelta(days=notice_days)
    if start < earliest:
        return (
            f"leave is asked for in advance: at least {notice_days} day(s) before its first day "
            f"(the earliest now is {earliest})"
        )
    return None


def days_of(record: dict) -> dict[date, Decimal]:
    """The working days a leave covers, each 1 or 0.5 (a half day)."""
    start, end = date.fromisoformat(str(record["start_date"])), date.fromisoformat(str(record["end_date"]))
    share = HALF if record.get("half_day") else FULL
    out: dict[date, Decimal] = {}
    day = start
    while day <= end:
        if workdays.is_workday(day):
            out[day] = share
        day += timedelta(days=1)
    return out


def overlaps(a: dict, b: dict) -> bool:
    """Two leaves share a day; two halves of one day overlap only if they are the same half."""
    if str(a["start_date"]) > str(b["end_date"]) or str(b["start_date"]) > str(a["end_date"]):
        return False
    single = a["start_date"] == a["end_date"] == b["start_date"] == b["end_date"]
    if single and a.get("half_day") and b.get("half_day"):
        return a["half_day"] == b["half_day"]
    return True


def merge_days(records: list[dict]) -> dict[date, Decimal]:
    """Days on leave of approved records: two approved halves of one day make the whole day."""
    out: dict[date, Decimal] = {}
    for record in records:
        for day, share in days_of(record).items():
            out[day] = min(FULL, out.get(day, Decimal(0)) + share)
    return out


# --- what other rules read --------------------------------------------------------------------------------
def days_on_leave(manager_id: str, start: date, end: date, *, branch_id: str | None = None) -> dict[date, Decimal]:
    """The manager's approved leave on the working days of [start, end]: day -> 1 or 0.5. With `branch_id`,
    only leave recorded in that branch (a supervisor's penalty entry must not learn another branch's leave)."""
    first = start - timedelta(days=get_settings().leave_max_days)
    records = [
        r
        for r in LEAVE().starting_between(manager_id, first.isoformat(), end.isoformat())
        if r["status"] == "approved" and branch_id in (None, r.get("branch_id"))
    ]
    return {d: share for d, share in merge_days(records).items() if start <= d <= end}


# --- requesting -------------------------------------------------------------------------------------------
def request(principal: Principal, body: LeaveIn) -> dict:
    s = get_settings()
    now = clock.now()
    if body.end_date < body.start_date:
        raise ValidationFailed.field("end_date", "must not be before start_date")
    if body.half_day and body.end_date != body.start_date:
        raise ValidationFailed.field("half_day", "is for a single day: start_date and end_date the same")
    problem = notice_problem(body.start_date, clock.today(), s.leave_notice_days)
    if problem:
        raise ValidationFailed.field("start_date", problem)
    if (body.end_date - body.start_date).days + 1 > s.leave_max_days:
        raise ValidationFailed.field("end_date", f"one request spans at most {s.leave_max_days} days")
    record: dict = {
        "leave_id": submission.record_id("leave"),
        "manager_id": principal.id,
        "branch_id": principal.branch_id,
        "kind": body.kind.value,
        "start_date": body.start_date.isoformat(),
        "end_date": body.end_date.isoformat(),
        "half_day": body.half_day,
        "reason": body.reason,
    }
    days = sum(days_of(record).values(), Decimal(0))
    if days == 0:
        raise ValidationFailed.field("start_date", "no working day in the leave asked for")
    replayed = submission.replay_of(LEAVE().get(record["leave_id"]))
    if replayed:
        return replayed
    for other in _nearby(principal.id, body.start_date, body.end_date):
        if other["status"] in ACTIVE and overlaps(record, other):
            raise Conflict(
                f"overlaps leave {other['leave_id']} ({other['start_date']} to {other['end_date']}, "
                f"{other['status']}); withdraw it first",
                details=[{"field": "start_date", "message": f"overlaps leave {other['leave_id']}"}],
            )
    at = clock.iso(now)
    record.update(
        days=str(days),
        status="pending",
        requested_at=at,
        revision=1,
        history=[{"at": at, "by": principal.id, "to": "pending"}],
        **submission.stamp(),
    )
    try:
        LEAVE().create(record)
    except LeaveExists:
        stored = submission.replay_of(LEAVE().get(record["leave_id"]))
        if stored is None:
            raise
        record = stored
    logger.info("leave requested", extra={"leave_id": record["leave_id"], "days": record["days"]})
    return record


def _nearby(manager_id: str, start: date, end: date) -> list[dict]:
    first = start - timedelta(days=get_settings().leave_max_days)
    return LEAVE().starting_between(manager_id, first.isoformat(), end.isoformat())


# --- reading ----------------------------------------------------------------------------------------------
def _visible(principal: Principal, record: dict) -> bool:
    if principal.role == "client_manager":
        return record["manager_id"] == principal.id
    if principal.role == "supervisor":
        return record["branch_id"] == principal.branch_id
    return principal.role in ("compliance", "admin")


def read(principal: Principal, leave_id: str) -> dict:
    record = LEAVE().get(leave_id)
    if not record or not _visible(principal, record):
        raise NotFound(f"leave {leave_id} not found")
    return record


def list_leave(
    principal: Principal, *, status: str | None, manager_id: str | None, month: str | None, limit: int, start_key
) -> Page:
    wanted = LeaveStatus(status) if status else None
    if principal.role == "client_manager":
        if manager_id and manager_id != principal.id:
            raise Forbidden("a manager sees their own leave only")
        return LEAVE().list_manager(principal.id, month, limit=limit, start_key=start_key, status=wanted)
    if manager_id:
        staff = LEAVE().get_staff(manager_id)
        if principal.role == "supervisor" and (not staff or staff["branch_id"] != principal.branch_id):
            raise Forbidden("supervisors see their own branch's leave only")
        return LEAVE().list_manager(manager_id, month, limit=limit, start_key=start_key, status=wanted)
    if principal.role != "supervisor":
        raise ValidationFailed.field("query.manager_id", "name the manager whose leave to list")
    return LEAVE().list_branch(principal.branch_id, month, limit=limit, start_key=start_key, status=wanted)


# --- deciding and withdrawing --------------------------------------------------------------------------
def decide(principal: Principal, leave_id: str, body: LeaveDecisionIn) -> dict:
    """The supervisor of the manager's branch approves or refuses a pending request (once)."""
    current = read(principal, leave_id)
    if current["status"] != "pending":
        if (
            current["status"] == ("approved" if body.approve else "refused")
            and current.get("decided_by") == principal.id
        ):
            return current  # the same decision again (a retry without its key): nothing changes
        raise Conflict(f"this leave is {current['status']}; only a pending request is decided")
    if not body.approve and not body.comment:
        raise ValidationFailed.field("comment", "a refusal says why")
    at = clock.iso(clock.now())
    to = "approved" if body.approve else "refused"
    record = {
        **current,
        "status": to,
        "decided_by": principal.id,
        "decided_at": at,
        "decision_comment": body.comment,
        "history": [*current.get("history", []), {"at": at, "by": principal.id, "to": to, "comment": body.comment}],
    }
    saved = _save(current, record)
    logger.info("leave decided", extra={"leave_id": leave_id, "status": to})
    return saved


def withdraw(principal: Principal, leave_id: str, body: LeaveWithdrawIn) -> dict:
    current = read(principal, leave_id)
    if current["manager_id"] != principal.id:
        raise NotFound(f"leave {leave_id} not found")
    if current["status"] == "withdrawn":
        return current
    if current["status"] != "pending":
        raise Conflict(
            f"this leave is {current['status']}; only a pending request is withdrawn "
            "(ask your supervisor about decided leave)"
        )
    at = clock.iso(clock.now())
    record = {
        **current,
        "status": "withdrawn",
        "withdrawn_at": at,
        "history": [
            *current.get("history", []),
            {"at": at, "by": principal.id, "to": "withdrawn", "comment": body.reason},
        ],
    }
    return _save(current, record)


def _save(current: dict, record: dict) -> dict:
    record["revision"] = int(current["revision"]) + 1
    try:
        LEAVE().replace(
            record, expected_revision=int(current["revision"]), expected_status=LeaveStatus(current["status"])
        )
    except LeaveChanged:
        raise Conflict("the leave changed meanwhile; reload and retry") from None
    return record
