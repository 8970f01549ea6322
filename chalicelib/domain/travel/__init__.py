"""Travel 出差: periods, the daily travel report, and the NO_DAILY_REPORT proposals a missing report raises.

periods.py holds the pure rules, periods and their days; reports.py the daily report; proposals.py the
hourly sweep's proposals and the supervisor's decision; domain/travel_ports.py what they need from
storage. The names below are what routes, jobs and other areas call.
"""

from __future__ import annotations

from .periods import (
    AlreadyReported,
    NotTravelling,
    create_period,
    decide_period,
    due_bucket,
    list_periods,
    proposal_id,
    read_period,
    report_due_at,
    travel_days,
)
from .proposals import confirm, dismiss, list_proposals, read_proposal, sweep_missing_reports
from .reports import list_reports, submit_report

__all__ = [
    "AlreadyReported",
    "NotTravelling",
    "confirm",
    "create_period",
    "decide_period",
    "dismiss",
    "due_bucket",
    "list_periods",
    "list_proposals",
    "list_reports",
    "proposal_id",
    "read_period",
    "read_proposal",
    "report_due_at",
    "submit_report",
    "sweep_missing_reports",
    "travel_days",
]
