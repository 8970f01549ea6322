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

from .. import clock, submission
from ..auth import Principal
from ..config import get_settings
from ..errors import ConditionFailed, Conflict, Forbidden, NotFound, Unprocessable, ValidationFailed
from ..models.penalties import PenaltyIn
from ..models.travel import ConfirmIn, DismissIn, TravelDecisionIn, TravelPeriodIn, TravelReportIn
from ..observability import logger
from ..storage import directory
from ..storage import travel as repo
from . import hourly_sweep, outbox, penalties, penalty_rules
from .outbox_handlers import ESCALATION

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
    staff = directory.get_staff(manager_id)
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
    ops = [repo.new_period_op(record), *(_day_ops(record) if approved else [])]
    try:
        repo.write(ops)
    except ConditionFailed:
        stored = submission.replay_of(repo.get_period(record["travel_id"]))
        if stored is None:
            raise Conflict("another approved travel period of this manager covers one of these days") from None
        record = stored
    logger.info("travel period recorded", extra={"travel_id": record["travel_id"], "status": record["status"]})
    return record


def _day_ops(record: dict) -> list[dict]:
    """One item per travel day. A day whose report hour had already passed when the travel was approved
    (recorded after the fact) takes a late report but is never proposed: the manager could not report it."""
    now = clock.now()
    ops = []
    for day in travel_days(date.fromisoformat(record["start_on"]), date.fromisoformat(record["end_on"])):
        due = report_due_at(day, int(record["report_due_hour"]))
        ops.append(
            repo.new_day_op(
                {
                    "manager_id": record["manager_id"],
                    "day": day.isoformat(),
                    "travel_id": record["travel_id"],
                    "branch_id": record["branch_id"],
                    "due_at": clock.iso(due),
                    "due_hour": due_bucket(due) if due > now else None,
                }
            )
        )
    return ops


def _visible(principal: Principal, record: dict) -> bool:
    if principal.role in OVERSIGHT:
        return True
    if principal.role == "supervisor":
        return record["branch_id"] == principal.branch_id
    return principal.role == "client_manager" and record["manager_id"] == principal.id


def read_period(principal: Principal, travel_id: str) -> dict:
    record = repo.get_period(travel_id)
    if not record or not _visible(principal, record):
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
    ops = [repo.replace_period_op(record, expected_revision=int(current["revision"]))]
    if to == "approved":
        ops += _day_ops(record)
    elif status == "approved":
        # Back early or not going: the days whose report is not yet due are no longer travel days.
        ops += [
            repo.cancel_day_op(record["manager_id"], d.isoformat(), travel_id)
            for d in travel_days(date.fromisoformat(record["start_on"]), date.fromisoformat(record["end_on"]))
            if report_due_at(d, int(record["report_due_hour"])) > now
        ]
    try:
        repo.write(ops)
    except ConditionFailed:
        if to == "approved":
            raise Conflict(
                "the period changed meanwhile, or another approved travel of this manager covers " "one of its days"
            ) from None
        raise Conflict("the travel period changed meanwhile; reload and retry") from None
    return record


def list_periods(principal: Principal, *, manager_id, branch_id, status, month, limit, start_key):
    keep = (lambda i: i["status"] == status) if status else None
    page_of = {"limit": limit, "start_key": start_key, "keep": keep}
    manager_id, branch_id = _scope(principal, manager_id, branch_id)
    if manager_id:
        return repo.list_manager_periods(manager_id, month, **page_of)
    return repo.list_branch_periods(branch_id, month, **page_of)


def _scope(principal: Principal, manager_id: str | None, branch_id: str | None) -> tuple[str | None, str | None]:
    """(manager, branch) a list reads: managers their own; supervisors their branch; oversight names one."""
    if principal.role == "client_manager":
        if manager_id not in (None, principal.id) or branch_id not in (None, principal.branch_id):
            raise Forbidden("a manager sees their own travel only")
        return principal.id, None
    if principal.role == "supervisor":
        if branch_id not in (None, principal.branch_id):
            raise Forbidden("supervisors see their own branch only")
        if manager_id:
            staff = directory.get_staff(manager_id)
            if not staff or staff.get("branch_id") != principal.branch_id:
                raise Forbidden("supervisors see their own branch only")
        return manager_id, principal.branch_id
    if not (manager_id or branch_id):
        raise ValidationFailed.field("query.branch_id", "name the branch (or the manager) to list")
    return manager_id, branch_id


# --- the daily report --------------------------------------------------------------------------------
def submit_report(principal: Principal, body: TravelReportIn) -> dict:
    now = clock.now()
    if body.day > clock.local_date(now):
        raise ValidationFailed.field("day", "a day's report is filed that day or later, not before")
    day = body.day.isoformat()
    travel_day = repo.get_day(principal.id, day)
    if not travel_day or travel_day.get("cancelled"):
        raise NotTravelling(
            f"no approved travel period covers {day}",
            details=[{"field": "day", "message": "no approved travel covers this day"}],
        )
    due = datetime.fromisoformat(travel_day["due_at"])
    report = {
        "report_id": f"{principal.id}-{day}",
        "manager_id": principal.id,
        "branch_id": travel_day["branch_id"],
        "travel_id": travel_day["travel_id"],
        "day": day,
        "location": body.location,
        "met": body.met,
        "work": body.work,
        "open_issues": body.open_issues,
        "submitted_at": clock.iso(now),
        "due_at": travel_day["due_at"],
        "on_time": now <= due,
        **submission.stamp(),
    }
    try:
        repo.write(repo.new_report_ops(report))
    except ConditionFailed:
        # The report's key is the manager's day, not the submission: this submission's own earlier write
        # (a retry) carries its stamp; any other is the day already reported.
        stored = repo.get_report(principal.id, day)
        if not stored:  # the day itself changed meanwhile (cancelled)
            raise NotTravelling(
                f"no approved travel period covers {day}",
                details=[{"field": "day", "message": "no approved travel covers this day"}],
            ) from None
        if stored.get(submission.STAMP) != submission.stamp()[submission.STAMP]:
            raise AlreadyReported(
                f"the report for {day} was already filed", details=[{"field": "day", "message": "already reported"}]
            ) from None
        report = stored
    logger.info("travel report filed", extra={"travel_id": report["travel_id"], "on_time": report["on_time"]})
    return report


def list_reports(principal: Principal, *, manager_id, branch_id, month, limit, start_key):
    manager_id, branch_id = _scope(principal, manager_id, branch_id)
    if manager_id:
        return repo.list_manager_reports(manager_id, month, limit=limit, start_key=start_key)
    return repo.list_branch_reports(branch_id, month, limit=limit, start_key=start_key)


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
        for item in repo.days_due_in_hour(hour):
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
            entry = outbox.record_op(
                ESCALATION,
                _subject(record["proposal_id"]),
                {"kind": PROPOSAL_KIND, "record": {**fields, "staff_id": record["manager_id"], "audience": AUDIENCE}},
            )
            try:
                repo.write([*repo.new_proposal_ops(record), entry])
            except ConditionFailed:
                continue  # reported, cancelled or proposed meanwhile
            proposed.append(record["proposal_id"])
            outbox.deliver_now(ESCALATION, _subject(record["proposal_id"]))

    hours = hourly_sweep.sweep(SWEEP_JOB, now, read_hour)
    return {"hours_read": hours, "proposed": proposed}


# --- proposals: the supervisor's decision ------------------------------------------------------------
def read_proposal(principal: Principal, pid: str) -> dict:
    record = repo.get_proposal(pid)
    if not record or not _visible(principal, record):
        raise NotFound(f"penalty proposal {pid} not found")
    return record


def list_proposals(principal: Principal, *, status, branch_id, month, limit, start_key):
    keep = (lambda i: i["status"] == status) if status else None
    page_of = {"limit": limit, "start_key": start_key, "keep": keep}
    manager_id, branch_id = _scope(principal, None, branch_id)
    if manager_id:
        return repo.list_manager_proposals(manager_id, month, **page_of)
    return repo.list_branch_proposals(branch_id, month, **page_of)


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
        repo.write([repo.replace_proposal_op(record, expected_status=expected_status)])
    except ConditionFailed:
        stored = repo.get_proposal(pid)
        if stored and stored["status"] == record["status"] and stored.get("penalty_id") == record.get("penalty_id"):
            return stored
        raise Conflict("the proposal was decided meanwhile; reload") from None
    logger.info("penalty proposal decided", extra={"proposal_id": pid, "status": record["status"]})
    return record
