"""The daily travel report (000 第二篇 §1 "每天微信汇报当天工作情况"; 004 "晚上九点钟之前向领导汇报"): once per
manager and travel day, on time until the day's report hour. Its texts are never logged."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from ... import clock, submission
from ...errors import ValidationFailed
from ...models.travel import TravelReportIn
from ...observability import logger
from ..travel_ports import TRAVEL, DayNotOpen, ReportExists
from .periods import AlreadyReported, NotTravelling, scope

if TYPE_CHECKING:
    from ...auth import Principal


def submit_report(principal: Principal, body: TravelReportIn) -> dict:
    now = clock.now()
    if body.day > clock.local_date(now):
        raise ValidationFailed.field("day", "a day's report is filed that day or later, not before")
    day = body.day.isoformat()
    travel_day = TRAVEL().get_day(principal.id, day)
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
        TRAVEL().file_report(report)
    except (ReportExists, DayNotOpen):
        # The report's key is the manager's day, not the submission: this submission's own earlier write
        # (a retry) carries its stamp; any other is the day already reported.
        stored = TRAVEL().get_report(principal.id, day)
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
    manager_id, branch_id = scope(principal, manager_id, branch_id)
    if manager_id:
        return TRAVEL().list_manager_reports(manager_id, month, limit=limit, start_key=start_key)
    return TRAVEL().list_branch_reports(branch_id, month, limit=limit, start_key=start_key)
