"""`ProspectRepository` in memory, with the table's semantics: conditional writes all or nothing, the
index orders of `storage/keys.py`, attributes set to None not stored, every read a copy."""

from __future__ import annotations

from datetime import date

from ...domain.prospects.ports import (
    ClaimTaken,
    Escalation,
    Page,
    PoolPickLimitReached,
    RegistrationCapReached,
    StaleRecord,
)
from ...errors import Conflict
from ...models.prospects import ClaimKind, ProspectRecord, ProspectStatus

NO_DATE = "9999-12-31"  # as storage/prospects.py: no next follow-up sorts last
_FOLLOW_UPS_SHOWN = 20


def _stored(values: dict) -> dict:
    return {k: v for k, v in values.items() if v is not None}


def _page(rows: list[tuple[str, dict]], limit: int, start_key: dict | None, *, newest_first: bool) -> Page[dict]:
    """`rows` are (index sort key, stored item); the page key is the last sort key returned, as opaque as DynamoDB's."""
    rows = sorted(rows, key=lambda r: r[0], reverse=newest_first)
    if start_key:
        after = start_key["after"]
        rows = [r for r in rows if (r[0] < after if newest_first else r[0] > after)]
    shown = rows[:limit]
    return Page([r[1] for r in shown], {"after": shown[-1][0]} if len(rows) > limit else None)


class MemoryProspectRepository:
    def __init__(self) -> None:
        self.prospects: dict[str, dict] = {}
        self.claims: dict[tuple[ClaimKind, str], str] = {}
        self.follow_ups: dict[str, list[dict]] = {}
        self.collisions: list[dict] = []
        self.registrations: dict[tuple[str, date], int] = {}
        self.pool_picks: dict[tuple[str, date], int] = {}
        self.month_registered: dict[tuple[str, str], int] = {}
        self.escalations: dict[str, dict] = {}  # subject -> payload, as the outbox keeps one entry a subject

    def _read(self, prospect_id: str) -> ProspectRecord | None:
        item = self.prospects.get(prospect_id)
        return ProspectRecord.model_validate(item) if item else None

    def get(self, prospect_id: str, *, consistent: bool = False) -> ProspectRecord | None:
        return self._read(prospect_id)

    def get_with_follow_ups(self, prospect_id: str) -> tuple[ProspectRecord | None, list[dict]]:
        record = self._read(prospect_id)
        if record is None:
            return None, []
        newest = sorted(self.follow_ups.get(prospect_id, []), key=lambda f: (f["at"], f["follow_up_id"]), reverse=True)
        return record, [dict(f) for f in newest[:_FOLLOW_UPS_SHOWN]]

    def claim_holder(self, kind: ClaimKind, value_hash: str) -> str | None:
        return self.claims.get((kind, value_hash))

    def create(
        self,
        record: ProspectRecord,
        *,
        counted_for: str | None,
        daily_cap: int | None = None,
        claims: list[tuple[ClaimKind, str]] | None = None,
    ) -> None:
        attempt = (counted_for, record.registered_on) if counted_for and daily_cap is not None else None
        if attempt and daily_cap is not None and self.registrations.get(attempt, 0) >= daily_cap:
            raise RegistrationCapReached(daily_cap)
        if claims is None:
            claims = [(ClaimKind.phone, record.phone_hash)]
            if record.id_hash:
                claims.append((ClaimKind.id_number, record.id_hash))
        held = list(dict.fromkeys(kind for kind, h in claims if (kind, h) in self.claims))
        if held:
            raise ClaimTaken(held)
        if record.prospect_id in self.prospects:
            raise Conflict("a conditional write was refused")
        if attempt:
            self.registrations[attempt] = self.registrations.get(attempt, 0) + 1
        for claim in claims:
            self.claims[claim] = record.prospect_id
        self.prospects[record.prospect_id] = record.item()
        if counted_for:
            month = (counted_for, record.registered_on.isoformat()[:7])
            self.month_registered[month] = self.month_registered.get(month, 0) + 1

    def _check_version(self, record: ProspectRecord, expected_version: int) -> None:
        current = self.prospects.get(record.prospect_id)
        if current is None or current["version"] != expected_version:
            raise StaleRecord()

    def save(self, record: ProspectRecord, *, expected_version: int) -> None:
        self._check_version(record, expected_version)
        self.prospects[record.prospect_id] = record.item()

    def save_with_follow_up(self, record: ProspectRecord, follow_up: dict, *, expected_version: int) -> None:
        self._check_version(record, expected_version)
        self.prospects[record.prospect_id] = record.item()
        self.follow_ups.setdefault(record.prospect_id, []).append(_stored(follow_up))

    def save_pool_pick(
        self, record: ProspectRecord, *, expected_version: int, picker_id: str, day: date, daily_limit: int
    ) -> None:
        picks = self.pool_picks.get((picker_id, day), 0)
        if picks >= daily_limit:
            raise PoolPickLimitReached(daily_limit)
        self._check_version(record, expected_version)
        self.pool_picks[(picker_id, day)] = picks + 1
        self.prospects[record.prospect_id] = record.item()

    def take_registration(self, manager_id: str, day: date, cap: int) -> bool:
        attempts = self.registrations.get((manager_id, day), 0)
        if attempts >= cap:
            return False
        self.registrations[(manager_id, day)] = attempts + 1
        return True

    def add_collision(self, collision: dict) -> None:
        self.collisions.append(_stored(collision))
        other = collision.get("attempted_by_branch")
        if other and other != collision["branch_id"]:
            # As the table: the attempting branch sees that their manager collided, not with whom.
            self.collisions.append(
                _stored(
                    {
                        **{
                            k: collision[k]
                            for k in ("collision_id", "at", "attempted_by", "attempted_by_kind", "source", "matched_on")
                        },
                        "branch_id": other,
                        "cross_branch": True,
                    }
                )
            )

    def _records(
        self, keyed: list[tuple[str, dict]], limit: int, start_key: dict | None, *, newest_first: bool
    ) -> Page[ProspectRecord]:
        page = _page(keyed, limit, start_key, newest_first=newest_first)
        return Page([ProspectRecord.model_validate(i) for i in page.items], page.last_key)

    def list_owned(self, owner_id: str, *, limit: int, start_key: dict | None) -> Page[ProspectRecord]:
        rows = [
            (f"{p.get('next_follow_up') or NO_DATE}#{pid}", p)
            for pid, p in self.prospects.items()
            if p["status"] != ProspectStatus.pool.value and p.get("owner_id") == owner_id
        ]
        return self._records(rows, limit, start_key, newest_first=False)

    def list_pool(self, branch_id: str, *, limit: int, start_key: dict | None) -> Page[ProspectRecord]:
        rows = [
            (f"{p['released_at']}#{pid}", p)
            for pid, p in self.prospects.items()
            if p["status"] == ProspectStatus.pool.value and p["branch_id"] == branch_id
        ]
        return self._records(rows, limit, start_key, newest_first=True)

    def list_collisions(self, branch_id: str, *, limit: int, start_key: dict | None) -> Page[dict]:
        rows = [(f"{c['at']}#{c['collision_id']}", dict(c)) for c in self.collisions if c["branch_id"] == branch_id]
        return _page(rows, limit, start_key, newest_first=True)

    def list_outlet_referrals(self, outlet_id: str, *, limit: int, start_key: dict | None) -> Page[ProspectRecord]:
        rows = [
            (f"{p['created_at']}#{pid}", p)
            for pid, p in self.prospects.items()
            if p.get("referred_by_outlet") == outlet_id
        ]
        return self._records(rows, limit, start_key, newest_first=True)

    def lapsing_on(self, day: date) -> list[ProspectRecord]:
        return [
            ProspectRecord.model_validate(p)
            for pid, p in sorted(self.prospects.items())
            if p["status"] == ProspectStatus.active.value and p.get("protected_until") == day.isoformat()
        ]

    def first_contact_due_on(self, day: date) -> list[ProspectRecord]:
        due = day.isoformat()
        return [
            ProspectRecord.model_validate(p)
            for pid, p in sorted(self.prospects.items())
            if p["status"] == ProspectStatus.active.value
            and p.get("owner_id")
            and not p.get("follow_up_count")
            and p.get("first_contact_due") == due
            and p.get("first_contact_escalated_for") != due
        ]

    def save_with_escalation(self, record: ProspectRecord, escalation: Escalation, *, expected_version: int) -> None:
        self._check_version(record, expected_version)
        self.prospects[record.prospect_id] = record.item()
        self.escalations.setdefault(escalation.subject, dict(escalation.payload))

    def month_counts(self, manager_id: str, month: str) -> dict[str, int]:
        # Conversions are counted by the conversion area's write, which has no fake yet: 0 here.
        return {"registered": self.month_registered.get((manager_id, month), 0), "converted": 0}
