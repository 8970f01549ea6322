"""The outbox's consumers. Each is idempotent: an entry may be delivered more than once."""

from __future__ import annotations

from .outbox import handler
from .outbox_ports import DELIVERIES

PENALTY_ESCALATIONS = "penalty.escalations"
PENALTY_OVERDUE_FLAG = "penalty.overdue_flag"
ACCOUNT_CONVERSION = "account.conversion"
ESCALATION = "escalation"
CONTACT_RESUME = "callback.contact_resume"
STAFF_HANDOVER = "staff.handover"


@handler(PENALTY_ESCALATIONS)
def penalty_escalations(payload: dict) -> None:
    from . import penalties

    record = DELIVERIES().penalty(payload["penalty_id"])
    if record:
        penalties.raise_escalations(record)  # flags have deterministic ids: raised once


@handler(PENALTY_OVERDUE_FLAG)
def penalty_overdue_flag(payload: dict) -> None:
    DELIVERIES().put_penalty_flag(payload["flag"])  # deterministic flag id: a second delivery is a no-op


@handler(ACCOUNT_CONVERSION)
def account_conversion(payload: dict) -> None:
    from . import accounts

    accounts.convert(payload)


@handler(CONTACT_RESUME)
def contact_resume(payload: dict) -> None:
    """The feed brought a new phone: the account's wrong-number tasks go back to their agents."""
    from . import callback_work

    callback_work.resume_after_contact_change(payload["account_id"], payload)


@handler(ESCALATION)
def escalation(payload: dict) -> None:
    """To the branch manager and head office (SNS, or a log record locally). SNS delivers at least
    once: the message carries the problem or task id, so a repeat is recognisable downstream."""
    DELIVERIES().notify_escalation(payload["kind"], payload["record"])


@handler(STAFF_HANDOVER)
def staff_handover(payload: dict) -> None:
    """A departure's hand-over of prospects (issue 19 §8): idempotent, a moved prospect is not moved again."""
    from .prospects import handover

    d = DELIVERIES().prospect_deps()  # the prospects area's composition root, as for the routes
    successor = d.directory.get_staff(payload["successor_id"]) if payload.get("successor_id") else None
    if successor is not None and successor.get("status") != "active":
        successor = None  # the successor left meanwhile: the branch pool takes them
    handover.hand_over(d, payload["staff_id"], successor, by=payload["by"], reason=payload["reason"])
