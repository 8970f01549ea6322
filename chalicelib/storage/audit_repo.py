"""The disclosure audit port (domain/disclosure_ports.py) on DynamoDB: storage/audit.py."""

from __future__ import annotations

from typing import Any

from ..domain.disclosure_ports import RevealBudgetReached
from . import audit, base


class DynamoDisclosureAuditRepository:
    def record_granted(self, *, budget: int, **who: Any) -> dict:
        try:
            return audit.record_granted(budget=budget, **who)
        except audit.BudgetExhausted:
            raise RevealBudgetReached(who["actor_id"], budget) from None

    def record_refused(self, **who: Any) -> dict:
        return audit.record_refused(**who)

    def record_refused_over_budget(self, alert_op: dict, **who: Any) -> bool:
        return audit.record_refused_over_budget(alert_op, **who)

    def list_reveals(self, month: str, *, limit: int, start_key: dict | None = None) -> base.Page:
        return audit.list_reveals(month, limit=limit, start_key=start_key)

    def search_reveals(
        self,
        *,
        since: str,
        until: str,
        actor_id: str | None = None,
        subject: tuple[str, str] | None = None,
        limit: int,
        start_key: dict | None = None,
    ) -> base.Page:
        return audit.search_reveals(
            since=since, until=until, actor_id=actor_id, subject=subject, limit=limit, start_key=start_key
        )
