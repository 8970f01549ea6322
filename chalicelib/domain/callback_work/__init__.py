"""An agent's day: lists, claims, reveals, attempts; compliance reviews; the overdue sweep.

Rules (DOMAIN 4, seed 001):
- independence: only callback agents work tasks, never marketing staff, never the
  client's own serving manager;
- "call me at T" reschedules; unanswered attempts (no answer, busy) on N different
  working days close the task and open a fallback by letter, email or SMS;
- a wrong number leaves the task open, waiting on a contact update: a request goes to the client's
  branch (its supervisor lists it, with a deadline); a new phone from the feed resumes the task; past the
  deadline it falls back to a letter (seed 000 第五篇 第十一条(三));
- a client who does not recognise a large outflow is escalated at once;
- a finished task is read-only.

One module per concern, storage behind `callback_ports.CALLBACK_WORK`; this package keeps the one import
path (`from chalicelib.domain import callback_work`) its callers use:
  access (who works a task, the masked view) <- lists, claiming, detail, review, escalation;
  attempt_rules (validation) <- outcomes (what an attempt does, no I/O) <- contacts, attempts (the write).
"""

from __future__ import annotations

from .access import AGENT, OVERSIGHT, WAITING_CONTACT, ensure_independent, is_overdue, public_attempt, render
from .attempt_rules import (
    COVERAGE_TRIGGERS,
    EVIDENCE_FIELDS,
    NEGATIVE_ANSWERS,
    RISK_CHANNELS,
    AttemptEffects,
    content_trigger,
    required_content,
    validate_attempt,
)
from .attempts import record_attempt
from .claiming import claim
from .contacts import (
    CONTACT_SWEEP_JOB,
    REQUEST_READERS,
    contact_request_record,
    contact_requests,
    render_contact_request,
    resume_after_contact_change,
    sweep_contact_requests,
)
from .detail import read, reveal
from .escalation import SWEEP_JOB, decide, sweep_overdue
from .lists import board, my_tasks, queue
from .outcomes import apply_attempt, fallback_task
from .review import review, sample

__all__ = [
    "AGENT",
    "CONTACT_SWEEP_JOB",
    "COVERAGE_TRIGGERS",
    "EVIDENCE_FIELDS",
    "NEGATIVE_ANSWERS",
    "OVERSIGHT",
    "REQUEST_READERS",
    "RISK_CHANNELS",
    "SWEEP_JOB",
    "WAITING_CONTACT",
    "AttemptEffects",
    "apply_attempt",
    "board",
    "claim",
    "contact_request_record",
    "contact_requests",
    "content_trigger",
    "decide",
    "ensure_independent",
    "fallback_task",
    "is_overdue",
    "my_tasks",
    "public_attempt",
    "queue",
    "read",
    "record_attempt",
    "render",
    "render_contact_request",
    "required_content",
    "resume_after_contact_change",
    "reveal",
    "review",
    "sample",
    "sweep_contact_requests",
    "sweep_overdue",
    "validate_attempt",
]
