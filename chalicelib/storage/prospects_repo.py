"""The DynamoDB implementation of `domain.prospects.ports.ProspectRepository`.

It turns records into items with the keys of `storage/prospects.py` and a lost transaction into the
outcome the rules name: which transaction item guards which rule is known here only (the order of
the items is built two functions below).
"""

from __future__ import annotations

from datetime import date

from ..domain.prospects.ports import (
    ClaimTaken,
    Escalation,
    Page,
    PoolPickLimitReached,
    RegistrationCapReached,
    StaleRecord,
)
from ..models.prospects import ClaimKind, ProspectRecord
from . import base
from . import prospects as store


def _record(item: dict | None) -> ProspectRecord | None:
    return ProspectRecord.model_validate(item) if item else None


def _records(page: base.Page) -> Page[ProspectRecord]:
    return Page([ProspectRecord.model_validate(i) for i in page.items], page.last_key)


class DynamoProspectRepository:
    def get(self, prospect_id: str, *, consistent: bool = False) -> ProspectRecord | None:
        return _record(store.get_prospect(prospect_id, consistent=consistent))

    def get_with_follow_ups(self, prospect_id: str) -> tuple[ProspectRecord | None, list[dict]]:
        item, follow_ups = store.get_with_follow_ups(prospect_id)
        return _record(item), follow_ups

    def claim_holder(self, kind: ClaimKind, value_hash: str) -> str | None:
        claim = store.get_claim(kind.value, value_hash)
        return claim["prospect_id"] if claim else None

    def create(
        self,
        record: ProspectRecord,
        *,
        counted_for: str | None,
        daily_cap: int | None = None,
        claims: list[tuple[ClaimKind, str]] | None = None,
    ) -> None:
        if claims is None:
            claims = [(ClaimKind.phone, record.phone_hash)]
            if record.id_hash:
                claims.append((ClaimKind.id_number, record.id_hash))
        quota = (
            (counted_for, record.registered_on.isoformat(), daily_cap)
            if counted_for and daily_cap is not None
            else None
        )
        try:
            # The claim items come first, in this order: their index in the cancellation reasons names them;
            # the day's registration quota is the last item.
            store.create_prospect(record.item(), [(kind.value, h) for kind, h in claims], counted_for, quota=quota)
        except base.TransactionCancelled as err:
            if quota and err.failed(len(err.reasons) - 1):
                raise RegistrationCapReached(quota[2]) from None
            lost = list(dict.fromkeys(kind for i, (kind, _) in enumerate(claims) if err.failed(i)))
            if lost:
                raise ClaimTaken(lost) from None
            raise

    def save(self, record: ProspectRecord, *, expected_version: int) -> None:
        self._save(record, expected_version, [])

    def save_with_follow_up(self, record: ProspectRecord, follow_up: dict, *, expected_version: int) -> None:
        self._save(record, expected_version, [store.follow_up_op(follow_up)])

    def save_pool_pick(
        self, record: ProspectRecord, *, expected_version: int, picker_id: str, day: date, daily_limit: int
    ) -> None:
        try:
            # Item 0 is the prospect (its version), item 1 the picker's counter of the day.
            store.save_prospect(record.item(), expected_version, [store.pool_pick_op(picker_id, day, daily_limit)])
        except base.TransactionCancelled as err:
            if err.failed(1):
                raise PoolPickLimitReached(daily_limit) from None
            raise StaleRecord() from None

    def _save(self, record: ProspectRecord, expected_version: int, extra_ops: list[dict]) -> None:
        try:
            store.save_prospect(record.item(), expected_version, extra_ops)
        except base.TransactionCancelled:
            raise StaleRecord() from None

    def take_registration(self, manager_id: str, day: date, cap: int) -> bool:
        return store.take_registration(manager_id, day.isoformat(), cap)

    def add_collision(self, collision: dict) -> None:
        store.put_collision(collision)

    def list_owned(self, owner_id: str, *, limit: int, start_key: dict | None) -> Page[ProspectRecord]:
        return _records(store.list_owned(owner_id, limit=limit, start_key=start_key))

    def list_pool(self, branch_id: str, *, limit: int, start_key: dict | None) -> Page[ProspectRecord]:
        return _records(store.list_pool(branch_id, limit=limit, start_key=start_key))

    def list_collisions(self, branch_id: str, *, limit: int, start_key: dict | None) -> Page[dict]:
        page = store.list_branch_collisions(branch_id, limit=limit, start_key=start_key)
        return Page(page.items, page.last_key)

    def list_outlet_referrals(self, outlet_id: str, *, limit: int, start_key: dict | None) -> Page[ProspectRecord]:
        return _records(store.list_outlet_referrals(outlet_id, limit=limit, start_key=start_key))

    def lapsing_on(self, day: date) -> list[ProspectRecord]:
        return [ProspectRecord.model_validate(i) for i in store.lapsing_on(day.isoformat())]

    def month_counts(self, manager_id: str, month: str) -> dict[str, int]:
        stats = store.month_stats(manager_id, month)
        return {"registered": int(stats.get("registered", 0)), "converted": int(stats.get("converted", 0))}

    def first_contact_due_on(self, day: date) -> list[ProspectRecord]:
        return [ProspectRecord.model_validate(i) for i in store.first_contact_due_on(day.isoformat())]

    def save_with_escalation(self, record: ProspectRecord, escalation: Escalation, *, expected_version: int) -> None:
        from ..domain import outbox
        from ..domain.outbox_handlers import ESCALATION

        self._save(record, expected_version, [outbox.record_op(ESCALATION, escalation.subject, escalation.payload)])
        outbox.deliver_now(ESCALATION, escalation.subject)  # best effort; the hourly sweep delivers the rest
