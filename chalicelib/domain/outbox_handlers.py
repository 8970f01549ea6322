"""The outbox's consumers. Each is idempotent: an entry may be delivered more than once."""
from __future__ import annotations

from .outbox import handler

PENALTY_ESCALATIONS = "penalty.escalations"
PENALTY_OVERDUE_FLAG = "penalty.overdue_flag"
ACCOUNT_CONVERSION = "account.conversion"
ESCALATION = "escalation"
CONTACT_RESUME = "callback.contact_resume"


@handler(PENALTY_ESCALATIONS)
def penalty_escalations(payload: dict) -> None:
    from ..storage import penalties as repo
    from . import penalties

    record = repo.get(payload["penalty_id"])
    if record:
        penalties.raise_escalations(record)   # flags have deterministic ids: raised once


@handler(PENALTY_OVERDUE_FLAG)
def penalty_overdue_flag(payload: dict) -> None:
    from ..storage import penalties as repo

    repo.put_flag(payload["flag"])            # deterministic flag id: a second delivery is a no-op


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
    from ..storage import problems as repo

    repo.notify_escalation(payload["kind"], payload["record"])
