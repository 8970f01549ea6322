"""Hourly SLA sweep: overdue problem items, callback tasks and complaints, flagged and escalated; missing
travel reports proposed as NO_DAILY_REPORT penalties; then
the outbox's due side effects delivered (domain/outbox.py)."""

from __future__ import annotations

from chalice import Blueprint, Rate

from ..observability import logger

bp = Blueprint(__name__)


def run(now=None) -> dict:
    from ..domain import callback_work, complaint_escalation, outbox, problems, travel

    result = {
        "problems": problems.sweep_overdue(now),
        "tasks": callback_work.sweep_overdue(now),
        "complaints": complaint_escalation.sweep_overdue(now),
        "contact_requests": callback_work.sweep_contact_requests(now),
        "travel_reports": travel.sweep_missing_reports(now),
    }
    result["outbox"] = outbox.deliver_due()
    logger.info(
        "sla sweep",
        extra={
            "problems_flagged": len(result["problems"]["flagged"]),
            "tasks_flagged": len(result["tasks"]["flagged"]),
            "complaints_escalated": len(result["complaints"]["escalated"]),
            "travel_proposals": len(result["travel_reports"]["proposed"]),
        },
    )
    return result


@bp.schedule(Rate(1, unit=Rate.HOURS), name="sla-sweep")
def sla_sweep(event):
    return run()
