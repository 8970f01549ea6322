"""Visit and work log rules (DOMAIN 1; seeds 002 第二十条/第三十七条, 000, 004).

A manager records what happened; the server sets who and when. Logs are never
deleted: the author may amend on the day of writing, afterwards only append
correction notes, and nothing once the supervisor has signed the week off.

recording.py writes a log and its photos, corrections.py amends, notes, decides late logs and signs
weeks off, reading.py reads and reveals, activity.py counts against the quotas; domain/visit_ports.py
is what they need from storage. The names below are what routes, jobs and other areas call.
"""

from __future__ import annotations

from .activity import NOT_COUNTED, activity, activity_summary, group_outings, iso_week, visit_days_required
from .corrections import add_note, amend_visit, decide_late, sign_week
from .reading import list_visits, read_visit, reveal_contact, visit_versions
from .recording import photo_upload, record_visit

__all__ = [
    "NOT_COUNTED",
    "activity",
    "activity_summary",
    "add_note",
    "amend_visit",
    "decide_late",
    "group_outings",
    "iso_week",
    "list_visits",
    "photo_upload",
    "read_visit",
    "record_visit",
    "reveal_contact",
    "sign_week",
    "visit_days_required",
    "visit_versions",
]
