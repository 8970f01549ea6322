"""The reveal policy: a full phone, ID number or name goes only to a caller whose work needs it.

PIPL 第六条: "处理个人信息应当具有明确、合理的目的…收集个人信息，应当限于实现处理目的的最小范围".
Who may see what is decided by the area that owns the record (an agent's open task on the account,
the manager's own prospect or visit, compliance with a case reference); this module records every
attempt, granted or refused, with the fields actually shown, and holds each person to a daily
budget: past it the reveal is refused and compliance is alerted once that day (docs/api.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, NoReturn

from .. import clock
from ..config import get_settings
from ..errors import Forbidden, TooManyRequests, ValidationFailed
from . import outbox
from .disclosure_ports import DISCLOSURES, RevealBudgetReached
from .outbox_handlers import ESCALATION

if TYPE_CHECKING:
    from ..auth import Principal


@dataclass(frozen=True)
class Subject:
    kind: str  # "account" | "prospect" | "visit"
    id: str
    branch_id: str


@dataclass(frozen=True)
class Purpose:
    code: str
    reason: str
    case_ref: str | None = None

    @classmethod
    def of(cls, body) -> Purpose:
        return cls(body.purpose.value, body.reason, body.case_ref)


class RevealBudgetExhausted(TooManyRequests):
    code = "reveal_budget_exhausted"


def _who(principal: Principal, subject: Subject, purpose: Purpose) -> dict:
    return {
        "actor_id": principal.id,
        "actor_role": principal.role,
        "subject_kind": subject.kind,
        "subject_id": subject.id,
        "branch_id": subject.branch_id,
        "purpose": purpose.code,
        "reason": purpose.reason,
        "case_ref": purpose.case_ref,
    }


def record_refusal(principal: Principal, subject: Subject, purpose: Purpose, why: str, requested: list[str]) -> None:
    """A refused attempt is audited like a reveal: compliance sees who tried, for what, and why not."""
    DISCLOSURES().record_refused(**_who(principal, subject, purpose), fields=[], requested=requested, refusal=why)


def refuse(principal: Principal, subject: Subject, purpose: Purpose, why: str, requested: list[str]) -> NoReturn:
    record_refusal(principal, subject, purpose, why, requested)
    raise Forbidden(why)


def grant(principal: Principal, subject: Subject, purpose: Purpose, values: dict[str, str | None]) -> tuple[dict, dict]:
    """The values that exist, and the audit record naming exactly those fields.

    Nothing is shown unless its audit record and the day's budget count were written together.
    """
    shown = {k: v for k, v in values.items() if v}
    budget = get_settings().reveal_daily_budget
    try:
        record = DISCLOSURES().record_granted(
            **_who(principal, subject, purpose), fields=list(shown), requested=list(values), budget=budget
        )
    except RevealBudgetReached:
        _alert_budget(principal, subject, purpose, list(values), budget)
    return shown, record


def list_reveals(month: str, limit: int, start_key):
    """The month's reveal audit, newest first (compliance)."""
    return DISCLOSURES().list_reveals(month, limit=limit, start_key=start_key)


SEARCH_SPAN_DAYS = 366  # a year and a day: one query reads at most 13 month partitions


def search_reveals(
    *,
    actor_id: str | None,
    subject_kind: str | None,
    subject_id: str | None,
    since: date | None,
    until: date | None,
    limit: int,
    start_key,
):
    """Compliance's search of the disclosure audit, across months, newest first: by the person who
    asked (staff id), by the client (an account or prospect id, and its kind), by days (Shanghai), or
    any of them together. PIPL 第五十五条/第五十六条: the record of processing is kept and reviewed;
    the search reads ids only, never a phone or ID number (the audit holds none)."""
    if subject_id and not subject_kind:
        raise ValidationFailed.field("query.subject_kind", "say whether subject_id is an account, prospect or visit")
    if subject_kind and not subject_id:
        raise ValidationFailed.field("query.subject_id", "name the account, prospect or visit id")
    until = until or clock.local_date(clock.now())
    since = since or until - timedelta(days=30)
    if since > until:
        raise ValidationFailed.field("query.from", "must not be after to")
    if (until - since).days >= SEARCH_SPAN_DAYS:
        raise ValidationFailed.field("query.from", f"the range may span at most {SEARCH_SPAN_DAYS} days")
    return DISCLOSURES().search_reveals(
        since=since.isoformat(),
        until=until.isoformat() + "~",  # "~" sorts after every "T..." timestamp of that day
        actor_id=actor_id or None,
        subject=(subject_kind, subject_id) if subject_kind and subject_id else None,
        limit=limit,
        start_key=start_key,
    )


def _alert_budget(
    principal: Principal, subject: Subject, purpose: Purpose, requested: list[str], budget: int
) -> NoReturn:
    now = clock.now()
    day = clock.local_date(now)
    why = f"the daily budget of {budget} reveals is used up"
    # One alert per person and day (the entry id is derived from both), written with the day's first
    # refusal in one transaction, so it exists exactly when that refusal does; delivered through the outbox.
    subject_key = f"reveal_budget|{principal.id}|{day}"
    alert = outbox.record_op(
        ESCALATION,
        subject_key,
        {
            "kind": "reveal_budget_exhausted",
            "record": {
                "branch_id": principal.branch_id,
                "staff_id": principal.id,
                "category": "reveal_budget",
                "severity": "high",
                "due_at": clock.iso(now),
            },
        },
    )
    if DISCLOSURES().record_refused_over_budget(
        alert, **_who(principal, subject, purpose), fields=[], requested=requested, refusal=why
    ):
        outbox.deliver_now(ESCALATION, subject_key)
    midnight = datetime.combine(day + timedelta(days=1), time(0), tzinfo=now.tzinfo)
    err = RevealBudgetExhausted(why + "; it renews at midnight (Asia/Shanghai)")
    err.retry_after = max(1, int((midnight - now).total_seconds()))
    raise err
