"""Two penalties in the demo branch: an open LATE for cm-001 and a settled DRESS for cm-002."""

from __future__ import annotations

from datetime import timedelta

ORDER = 20


def seed() -> None:
    from chalicelib import clock
    from chalicelib.auth import Principal
    from chalicelib.domain import penalties
    from chalicelib.models.penalties import PenaltyIn, SettleIn
    from chalicelib.storage import penalties as penalty_store
    from infra.demo_data import BRANCH

    if penalty_store.list_for_branch(BRANCH["branch_id"], None, limit=1).items:
        return
    supervisor = Principal(kind="staff", id="sup-001", role="supervisor", branch_id=BRANCH["branch_id"])
    yesterday = clock.today() - timedelta(days=1)
    penalties.enter(
        supervisor,
        PenaltyIn(
            manager_id="cm-001", rule_code="LATE", breach_date=yesterday, evidence_note="网点考勤记录:迟到20分钟"
        ),
    )
    dress = penalties.enter(
        supervisor,
        PenaltyIn(
            manager_id="cm-002",
            rule_code="DRESS",
            breach_date=yesterday,
            evidence_note="未佩戴工牌",
            evidence_refs=["demo-photo-1"],
        ),
    )
    penalties.settle(supervisor, dress["penalty_id"], SettleIn(method="cash", note="现金缴纳"))
