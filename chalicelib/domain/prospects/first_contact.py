"""The first contact of a new prospect, raised to the supervisor when it is overdue.

000 第四篇: "需要在和准客户初次见面后的三天内与他(她)联系" (setting first_contact_days). A prospect whose owner
has recorded no follow-up by the end of its `first_contact_due` day is escalated once for that day: the
record's `first_contact_escalated_for` and an `escalation` outbox entry (audience: the branch's supervisor,
ids only - never the prospect's name or phone) are one transaction. A pool pick or a hand-over gives the
new owner a new due day, which is escalated on its own if it passes too.

The daily job reads only the FIRSTCONTACT#<day> buckets from the day after its watermark to yesterday,
so a missed run is caught up (at most `lapse_catch_up_max_days` days back on a first run).
"""

from __future__ import annotations

from datetime import date, timedelta

from ... import clock
from ...errors import Conflict
from ...models.prospects import ProspectStatus
from ...observability import logger
from ..daily_sweep import sweep_days
from . import rules
from .ports import Escalation, ProspectDeps

FIRST_CONTACT_JOB = "prospect-first-contact"
KIND = "prospect_first_contact_overdue"
AUDIENCE = ["supervisor"]
_TX_RETRIES = 3


def escalate_overdue(deps: ProspectDeps, today: date | None = None) -> dict:
    today = today or clock.today()
    escalated: list[str] = []

    def read_day(day: date) -> None:
        for candidate in deps.repo.first_contact_due_on(day):
            if _escalate_one(deps, candidate.prospect_id, day):
                escalated.append(candidate.prospect_id)

    # due yesterday and still not contacted: overdue today
    read = sweep_days(
        FIRST_CONTACT_JOB, today - timedelta(days=1), read_day, first_run_days=deps.policy.lapse_catch_up_max_days
    )
    start, through = read.start, read.through
    logger.info(
        "first contact run",
        extra={"from": start.isoformat(), "through": through.isoformat(), "escalated": len(escalated)},
    )
    return {"from": start.isoformat(), "through": through.isoformat(), "escalated": escalated}


def _escalate_one(deps: ProspectDeps, prospect_id: str, day: date) -> bool:
    for _ in range(_TX_RETRIES):
        current = deps.repo.get(prospect_id, consistent=True)
        # Followed up, released, converted, handed over (a new due day) or escalated since the index was read.
        if (
            not current
            or current.status != ProspectStatus.active
            or not current.owner_id
            or current.follow_up_count
            or current.first_contact_due != day
            or current.first_contact_escalated_for == day
        ):
            return False
        record = rules.next_version(current.model_copy(update={"first_contact_escalated_for": day}), current)
        payload = {
            "kind": KIND,
            "record": {
                "branch_id": current.branch_id,
                "prospect_id": prospect_id,
                "owner_id": current.owner_id,
                "staff_id": current.owner_id,
                "first_contact_due": day.isoformat(),
                "audience": AUDIENCE,
            },
        }
        try:
            deps.repo.save_with_escalation(
                record, Escalation(f"{KIND}:{prospect_id}:{day.isoformat()}", payload), expected_version=current.version
            )
            return True
        except Conflict:  # StaleRecord, or a concurrent transaction on the item: read it again
            continue
    return False
