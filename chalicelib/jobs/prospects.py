"""Daily at 01:00 Asia/Shanghai (17:00 UTC): lapsed prospect claims go to the branch pools, and first contacts
overdue since yesterday (000 第四篇, three days) are raised to the supervisor."""

from __future__ import annotations

from chalice import Blueprint, Cron

from ..observability import logger

bp = Blueprint(__name__)


@bp.schedule(
    Cron(0, 17, "*", "*", "?", "*"),
    name="release_lapsed_prospects",
    description="Release lapsed intent-client claims to the branch pool (公海)",
)
def release_lapsed_prospects(event):
    from ..domain.prospects import first_contact, pool
    from ..wiring import prospects

    result = pool.release_lapsed(prospects.deps())
    logger.info("release_lapsed_prospects done", extra=result)
    # Its own watermark: a failure here leaves the lapse run committed and is caught up tomorrow.
    overdue = first_contact.escalate_overdue(prospects.deps())
    return {
        **result,
        "first_contacts": {k: overdue[k] for k in ("from", "through")} | {"escalated": len(overdue["escalated"])},
    }
