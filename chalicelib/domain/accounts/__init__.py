"""Accounts and the core system's feed, behind `AccountRepository` (domain/account_ports.py).

- events.py: what one event does to an account (pure, safe in any order), the triggers it raises.
- event_records.py: a raw event's parse, its canonical body, and what a second delivery of its id is.
- ingest.py: applying a batch idempotently by event id, each event one all-or-nothing write.
- views.py: the masked account views and the audited reveal.

The names below are the area's public face (routes, the outbox consumer, the CSV import, tests).
"""

from .event_records import SEALED_FIELDS
from .events import (
    OUTFLOW_SNAPSHOT,
    Rejected,
    _same_phone,
    apply_event,
    apply_value_class,
    contact_resumed,
    is_large_outflow,
    selection_events,
)
from .ingest import convert, ingest, summarise
from .views import ACCOUNT_FIELDS_NOT_RETURNED, _plain_numbers, list_accounts, read_account, render, reveal

__all__ = [
    "ACCOUNT_FIELDS_NOT_RETURNED",
    "OUTFLOW_SNAPSHOT",
    "SEALED_FIELDS",
    "Rejected",
    "_plain_numbers",
    "_same_phone",
    "apply_event",
    "apply_value_class",
    "contact_resumed",
    "convert",
    "ingest",
    "is_large_outflow",
    "list_accounts",
    "read_account",
    "render",
    "reveal",
    "selection_events",
    "summarise",
]
