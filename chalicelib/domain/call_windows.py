"""Suggested phone windows for callbacks (seed 001: Monday 14:30-17:00;
Tuesday to Thursday 9:30-11:00 and 15:00-17:00; Friday 9:30-11:00).

The windows are configuration (`FIELDDESK_CALL_WINDOWS`, entries like
"0 14:30-17:00" with 0 = Monday), parsed and checked here.
"""
from __future__ import annotations

import re

from ..config import get_settings
from ..models.tasks import CallWindow

_WINDOW = re.compile(r"^([0-6])\s+([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$")


def parse_window(text: str) -> CallWindow:
    match = _WINDOW.match(text.strip())
    if not match:
        raise ValueError(f"call window {text!r} is not '<weekday 0-6> HH:MM-HH:MM'")
    weekday, h1, m1, h2, m2 = match.groups()
    start, end = f"{h1}:{m1}", f"{h2}:{m2}"
    if end <= start:
        raise ValueError(f"call window {text!r} ends before it starts")
    return CallWindow(weekday=int(weekday), start=start, end=end)


def suggested_windows() -> list[CallWindow]:
    return sorted((parse_window(w) for w in get_settings().call_windows), key=lambda w: (w.weekday, w.start))


def windows_on(weekday: int) -> list[CallWindow]:
    return [w for w in suggested_windows() if w.weekday == weekday]
