"""Daily release of lapsed prospect claims to the branch pools, at 01:00 Asia/Shanghai (17:00 UTC)."""
from __future__ import annotations

from chalice import Blueprint, Cron

from ..observability import logger

bp = Blueprint(__name__)


@bp.schedule(Cron(0, 17, "*", "*", "?", "*"), name="release_lapsed_prospects",
             description="Release lapsed intent-client claims to the branch pool (公海)")
def release_lapsed_prospects(event):
    from ..domain.prospects import pool
    from ..wiring import prospects
    result = pool.release_lapsed(prospects.deps())
    logger.info("release_lapsed_prospects done", extra=result)
    return result
