"""Penalties (扣罚): entering, settling, voiding, appealing, escalating. Nothing is deleted.

Lifecycle: open -> paid_cash | deducted_salary | voided | under_appeal;
under_appeal -> open (upheld) | overturned. Every change is a conditional write on
status and revision together with an audit entry, so two concurrent changes cannot
both win; voids and overturned appeals add a reversal beside the original.

entry.py enters and previews, ledger.py holds the month ledger and the escalation flags, lifecycle.py
reading, settlement, voids and appeals, overdue.py the overdue sweep; domain/penalty_ports.py what they
need from storage.
The names below are what routes, jobs and other areas call.
"""

from __future__ import annotations

from .entry import enter, preview
from .ledger import INACTIVE, NOTIFY, escalation_flags, list_flags, raise_escalations
from .lifecycle import appeal, decide_appeal, list_penalties, read, settle, void
from .overdue import OVERDUE_JOB, sweep_overdue

__all__ = [
    "INACTIVE",
    "NOTIFY",
    "OVERDUE_JOB",
    "appeal",
    "decide_appeal",
    "enter",
    "escalation_flags",
    "list_flags",
    "list_penalties",
    "preview",
    "raise_escalations",
    "read",
    "settle",
    "sweep_overdue",
    "void",
]
