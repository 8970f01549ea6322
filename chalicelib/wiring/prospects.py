"""The prospects area wired to DynamoDB, the staff directory, field encryption and the disclosure audit."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from ..auth import Principal, cached_staff
from ..config import Settings, get_settings
from ..domain import disclosure
from ..domain.prospects.ports import ProspectDeps, ProspectPolicy
from ..models.prospects import ClaimKind, ProspectRecord
from ..storage import directory, pii
from ..storage.prospects_repo import DynamoProspectRepository


def policy(settings: Settings | None = None) -> ProspectPolicy:
    s = settings or get_settings()
    return ProspectPolicy(
        protection_days_a=s.protection_days_a,
        protection_days_b=s.protection_days_b,
        protection_days_c=s.protection_days_c,
        first_contact_days=s.first_contact_days,
        pool_daily_pick_limit=s.pool_daily_pick_limit,
        pool_reclaim_block_days=s.pool_reclaim_block_days,
        referral_default_class=s.referral_default_class,
        lapse_catch_up_max_days=s.lapse_catch_up_max_days,
        cross_branch_pool_claims=s.cross_branch_pool_claims,
        registrations_per_manager_per_day=s.registrations_per_manager_per_day,
    )


class StaffDirectory:
    def get_outlet(self, outlet_id: str) -> dict | None:
        return directory.get_outlet(outlet_id)

    def get_staff(self, staff_id: str) -> dict | None:
        return directory.get_staff(staff_id)

    def get_staff_for_scope(self, staff_id: str) -> dict | None:
        return cached_staff(staff_id)

    def branch_managers(self, branch_id: str) -> list[dict]:
        return directory.all_branch_staff(branch_id, "client_manager")


class FieldSealer:
    def seal(self, value: str) -> str:
        return pii.seal(value)

    def unseal(self, sealed: str) -> str:
        return pii.unseal(sealed)

    def lookup_hash(self, kind: ClaimKind, normalised: str) -> str:
        return pii.lookup_hash(kind.value, normalised)

    def lookup_hashes(self, kind: ClaimKind, normalised: str) -> list[str]:
        return pii.lookup_hashes(kind.value, normalised)


class AuditedDisclosures:
    def refuse(self, principal: Principal, record: ProspectRecord, body: Any, why: str) -> None:
        disclosure.record_refusal(principal, self._subject(record), disclosure.Purpose.of(body), why, body.fields)

    def grant(
        self, principal: Principal, record: ProspectRecord, body: Any, values: dict[str, str | None]
    ) -> tuple[dict, str]:
        shown, audit = disclosure.grant(principal, self._subject(record), disclosure.Purpose.of(body), values)
        return shown, audit["audit_id"]

    @staticmethod
    def _subject(record: ProspectRecord) -> disclosure.Subject:
        return disclosure.Subject("prospect", record.prospect_id, record.branch_id)


@lru_cache(maxsize=1)
def _adapters() -> tuple[DynamoProspectRepository, StaffDirectory, FieldSealer, AuditedDisclosures]:
    return DynamoProspectRepository(), StaffDirectory(), FieldSealer(), AuditedDisclosures()


def deps() -> ProspectDeps:
    """Built per call: the adapters are stateless and built once, the policy follows the settings as they are
    now (tests and operators reset them)."""
    repo, staff, sealer, disclosures = _adapters()
    return ProspectDeps(repo=repo, directory=staff, sealer=sealer, disclosures=disclosures, policy=policy())
