"""The disclosure audit in memory, with the table's semantics: a granted reveal and its day counter
written together or not at all, the day's first over-budget refusal written with its alert (an outbox
entry, committed to the outbox fake given) or, if the day was alerted already, alone; newest first."""

from __future__ import annotations

import copy
import uuid
from typing import Any

from ... import clock
from ...domain.disclosure_ports import RevealBudgetReached
from ...errors import ConditionFailed
from ..base import Page
from .outbox import MemoryOutboxRepository


class MemoryDisclosureAuditRepository:
    def __init__(self, outbox: MemoryOutboxRepository | None = None) -> None:
        self.records: list[dict] = []
        self.granted: dict[tuple[str, str], int] = {}
        self.alerted: set[tuple[str, str]] = set()
        self.outbox = outbox if outbox is not None else MemoryOutboxRepository()

    def _record(self, outcome: str, who: dict) -> tuple[dict, tuple[str, str]]:
        now = clock.now()
        record = {"audit_id": uuid.uuid4().hex, "at": clock.iso(now), "outcome": outcome, **copy.deepcopy(who)}
        return record, (who["actor_id"], clock.local_date(now).isoformat())

    def record_granted(self, *, budget: int, **who: Any) -> dict:
        record, day = self._record("granted", who)
        if self.granted.get(day, 0) >= budget:
            raise RevealBudgetReached(who["actor_id"], budget)
        self.granted[day] = self.granted.get(day, 0) + 1
        self.records.append(record)
        return copy.deepcopy(record)

    def record_refused(self, **who: Any) -> dict:
        record, _ = self._record("refused", who)
        self.records.append(record)
        return copy.deepcopy(record)

    def record_refused_over_budget(self, alert_op: dict, **who: Any) -> bool:
        record, day = self._record("refused", who)
        alerted = False
        if day not in self.alerted:
            try:
                self.outbox.commit(alert_op)
                self.alerted.add(day)
                alerted = True
            except ConditionFailed:
                pass  # the alert exists: the refusal is audited alone
        self.records.append(record)
        return alerted

    def list_reveals(self, month: str, *, limit: int, start_key: dict | None = None) -> Page:
        matching = sorted(
            ((f"{r['at']}#{r['audit_id']}", r) for r in self.records if r["at"][:7] == month),
            key=lambda kr: kr[0],
            reverse=True,
        )
        if start_key:
            matching = [(k, r) for k, r in matching if k < start_key["after"]]
        shown = matching[:limit]
        more = len(matching) > limit
        return Page(items=copy.deepcopy([r for _, r in shown]), last_key={"after": shown[-1][0]} if more else None)

    def search_reveals(
        self,
        *,
        since: str,
        until: str,
        actor_id: str | None = None,
        subject: tuple[str, str] | None = None,
        limit: int,
        start_key: dict | None = None,
    ) -> Page:
        def wanted(r: dict) -> bool:
            return (
                since <= f"{r['at']}#{r['audit_id']}" <= until
                and (actor_id is None or r["actor_id"] == actor_id)
                and (subject is None or (r["subject_kind"], r["subject_id"]) == subject)
            )

        matching = sorted(
            ((f"{r['at']}#{r['audit_id']}", r) for r in self.records if wanted(r)), key=lambda kr: kr[0], reverse=True
        )
        if start_key:
            matching = [(k, r) for k, r in matching if k < start_key["after"]]
        shown = matching[:limit]
        more = len(matching) > limit
        return Page(items=copy.deepcopy([r for _, r in shown]), last_key={"after": shown[-1][0]} if more else None)
