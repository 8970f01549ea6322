"""Everything the prospect rules need, in memory: the repository fake (contract-tested against DynamoDB in
tests/contract/) plus small fakes of the directory, field encryption and the disclosure audit."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from typing import Any

from chalicelib.auth import Principal
from chalicelib.domain.prospects.ports import ProspectDeps, ProspectPolicy
from chalicelib.models.prospects import ClaimKind, ProspectRecord
from chalicelib.storage.memory.prospects import MemoryProspectRepository

# DOMAIN 2 and the defaults of chalicelib/config.py, written out so a rule test reads its numbers here.
POLICY = ProspectPolicy(
    protection_days_a=7,
    protection_days_b=15,
    protection_days_c=30,
    first_contact_days=3,
    pool_daily_pick_limit=5,
    pool_reclaim_block_days=30,
    referral_default_class="C",
    lapse_catch_up_max_days=31,
    cross_branch_pool_claims=True,
    registrations_per_manager_per_day=30,
)


@dataclass
class FakeDirectory:
    outlets: dict[str, dict] = field(default_factory=dict)
    staff: dict[str, dict] = field(default_factory=dict)

    def add_manager(
        self,
        staff_id: str,
        name: str,
        branch_id: str,
        *,
        outlet_ids: tuple[str, ...] = (),
        status: str = "active",
        role: str = "client_manager",
    ) -> None:
        self.staff[staff_id] = {
            "staff_id": staff_id,
            "name": name,
            "branch_id": branch_id,
            "role": role,
            "status": status,
            "outlet_ids": list(outlet_ids),
        }

    def get_outlet(self, outlet_id: str) -> dict | None:
        return self.outlets.get(outlet_id)

    def get_staff(self, staff_id: str) -> dict | None:
        return self.staff.get(staff_id)

    def get_staff_for_scope(self, staff_id: str) -> dict | None:
        return self.get_staff(staff_id)

    def branch_managers(self, branch_id: str) -> list[dict]:
        return [s for s in self.staff.values() if s["branch_id"] == branch_id and s["role"] == "client_manager"]


class FakeSealer:
    """Reversible and visibly not the clear value; hashes as distinct per kind as the HMAC's."""

    def seal(self, value: str) -> str:
        return "sealed:" + value[::-1]

    def unseal(self, sealed: str) -> str:
        return sealed.removeprefix("sealed:")[::-1]

    # The valid hash keys, the writer first (a second one during a key rotation; tests set it).
    keys: tuple[str, ...] = ("k1",)

    def lookup_hash(self, kind: ClaimKind, normalised: str) -> str:
        return self.lookup_hashes(kind, normalised)[0]

    def lookup_hashes(self, kind: ClaimKind, normalised: str) -> list[str]:
        # The first key hashes as before the rotation support, so stored fixtures keep their hashes.
        return [
            hashlib.sha256(
                f"{kind.value}:{normalised}".encode() if k == "k1" else f"{k}:{kind.value}:{normalised}".encode()
            ).hexdigest()
            for k in self.keys
        ]


@dataclass
class RecordingDisclosures:
    refused: list[tuple[str, str, str]] = field(default_factory=list)  # (actor, prospect, why)
    granted: list[tuple[str, str, list[str]]] = field(default_factory=list)  # (actor, prospect, fields shown)

    def refuse(self, principal: Any, record: ProspectRecord, body: Any, why: str) -> None:
        self.refused.append((principal.id, record.prospect_id, why))

    def grant(
        self, principal: Any, record: ProspectRecord, body: Any, values: dict[str, str | None]
    ) -> tuple[dict, str]:
        shown = {k: v for k, v in values.items() if v}
        self.granted.append((principal.id, record.prospect_id, list(shown)))
        return shown, f"audit-{len(self.granted)}"


def make_deps(**policy: Any) -> ProspectDeps:
    return ProspectDeps(
        repo=MemoryProspectRepository(),
        directory=FakeDirectory(),
        sealer=FakeSealer(),
        disclosures=RecordingDisclosures(),
        policy=replace(POLICY, **policy),
    )


# --- callers ---------------------------------------------------------------------------------
def manager(staff_id: str = "cm-001", branch_id: str = "br-pudong", name: str = "王晓明") -> Principal:
    return Principal(kind="staff", id=staff_id, role="client_manager", branch_id=branch_id, name=name)


def supervisor(branch_id: str = "br-pudong") -> Principal:
    return Principal(kind="staff", id="sup-001", role="supervisor", branch_id=branch_id, name="周主管")


def outlet(outlet_id: str = "ot-lujiazui", branch_id: str = "br-pudong") -> Principal:
    return Principal(kind="outlet", id=outlet_id, role="outlet", branch_id=branch_id, name="陆家嘴支行")
