"""The hours an SLA sweep reads: from its watermark to the last completed hour (Asia/Shanghai).

Problem items and complaints keep due-hour buckets; a sweep reads only the hours after its
watermark, so a missed run catches up, a rerun reads nothing twice, and the first run looks back
`sweep_initial_lookback_hours`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from .. import clock
from ..config import get_settings
from .watermark_ports import WATERMARKS


def hour_key(moment: datetime) -> str:
    return moment.astimezone(clock.SHANGHAI).strftime("%Y-%m-%dT%H")


def sweep(job: str, now: datetime, read_hour: Callable[[str], None]) -> int:
    """Call `read_hour` with each hour key due, then move the watermark; returns the hours read."""
    last_complete = now.astimezone(clock.SHANGHAI).replace(minute=0, second=0, microsecond=0) - timedelta(hours=1)
    mark = WATERMARKS().get(job)
    if mark:
        hour = datetime.fromisoformat(mark + ":00:00+08:00") + timedelta(hours=1)
    else:
        hour = last_complete - timedelta(hours=max(get_settings().sweep_initial_lookback_hours, 1) - 1)
    hours = 0
    while hour <= last_complete:
        read_hour(hour_key(hour))
        hours += 1
        hour += timedelta(hours=1)
    if hours:
        WATERMARKS().set(job, hour_key(last_complete), clock.iso(now))
    return hours
