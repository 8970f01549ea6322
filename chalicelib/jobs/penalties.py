"""Daily penalty job: flag open cash penalties whose settlement window has passed."""

from __future__ import annotations

from chalice import Blueprint, Cron

from ..observability import logger

bp = Blueprint(__name__)


# 01:10 Asia/Shanghai (17:10 UTC the day before): after the business day that fell due has ended.
@bp.schedule(Cron(10, 17, "*", "*", "?", "*"), name="penalty-overdue-sweep")
def penalty_overdue_sweep(event):
    from ..domain import penalties

    result = penalties.sweep_overdue()
    logger.info(
        "penalty overdue sweep done", extra={"days_read": result["days_read"], "flagged": len(result["flagged"])}
    )
    return {"days_read": result["days_read"], "flagged": len(result["flagged"])}
