"""What the prospect rules need from the outside world, and the named outcomes it answers with.

The rules depend on these protocols only. `storage/prospects_repo.py` implements them on DynamoDB,
`storage/memory/prospects.py` in memory for rule tests; `tests/contract/test_prospect_repository.py`
runs one body against both, so the fake cannot drift from the table. `wiring/prospects.py` picks the
implementation at the edge.

An adapter answers a lost conditional write with one of the exceptions below, never with a
transaction index: which item of a transaction guarded which rule is the adapter's business.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from ...errors import ConditionFailed, Conflict, Unprocessable
from ...models.prospects import ClaimKind, ProspectRecord
from ..ports import Escalation, Page

if TYPE_CHECKING:
    from ...auth import Principal

T = TypeVar("T")


# --- named outcomes of a write --------------------------------------------------------------------
class ClaimTaken(Conflict):
    """The phone or ID number is already claimed by a prospect (004 "谁先备案算谁的": the first claim won)."""

    def __init__(self, kinds: list[ClaimKind]):
        super().__init__("already claimed")
        self.kinds = kinds


class StaleRecord(ConditionFailed):
    """The prospect changed since it was read (its version moved on): nothing was written."""

    def __init__(self) -> None:
        super().__init__("the prospect changed meanwhile")


class RegistrationCapReached(ConditionFailed):
    """A manager's registration attempts of the day are used up (`create` with `daily_cap`): nothing was
    written, whatever the claims."""

    def __init__(self, cap: int):
        super().__init__(f"daily registration cap of {cap} reached")
        self.cap = cap


class PoolPickLimitReached(Unprocessable):
    """A manager's pool picks of the day are used up (setting pool_daily_pick_limit): nothing was written."""

    def __init__(self, limit: int):
        super().__init__(f"daily pool pick limit of {limit} reached")
        self.limit = limit


# --- ports ---------------------------------------------------------------------------------------
class ProspectRepository(Protocol):
    def get(self, prospect_id: str, *, consistent: bool = False) -> ProspectRecord | None: ...

    def get_with_follow_ups(self, prospect_id: str) -> tuple[ProspectRecord | None, list[dict]]:
        """The prospect and its newest follow-ups (at most 20), newest first; (None, []) if unknown."""
        ...

    def claim_holder(self, kind: ClaimKind, value_hash: str) -> str | None:
        """The id of the prospect holding this claim, read consistently."""
        ...

    def create(
        self,
        record: ProspectRecord,
        *,
        counted_for: str | None,
        daily_cap: int | None = None,
        claims: list[tuple[ClaimKind, str]] | None = None,
    ) -> None:
        """Write the prospect with its claims all or nothing, and count one registration in `counted_for`'s
        month. `claims` (default: the record's phone and ID hashes) holds one claim per kind and valid hash
        key during a key rotation. With `daily_cap`, the same write counts one of `counted_for`'s
        registration attempts of the record's `registered_on` day (as `take_registration`), and
        RegistrationCapReached (checked first, nothing written) once `daily_cap` were made.
        Raises ClaimTaken naming the kinds of the claims already held (nothing written, no attempt counted)."""
        ...

    def save(self, record: ProspectRecord, *, expected_version: int) -> None:
        """Replace the prospect if its version is still `expected_version`, else StaleRecord."""
        ...

    def save_with_follow_up(self, record: ProspectRecord, follow_up: dict, *, expected_version: int) -> None:
        """`save` and add the follow-up, all or nothing."""
        ...

    def save_pool_pick(
        self, record: ProspectRecord, *, expected_version: int, picker_id: str, day: date, daily_limit: int
    ) -> None:
        """`save` and count one of `picker_id`'s pool picks of `day`, all or nothing.
        PoolPickLimitReached when `daily_limit` picks were made (checked before the version)."""
        ...

    def take_registration(self, manager_id: str, day: date, cap: int) -> bool:
        """Count one registration attempt of the day; False (nothing counted) once `cap` were made."""
        ...

    def add_collision(self, collision: dict) -> None:
        """Record a collision for the prospect's branch and, across branches, a copy without the prospect
        (`prospect_id` None, `cross_branch` True) for the attempting branch."""
        ...

    def list_owned(self, owner_id: str, *, limit: int, start_key: dict | None) -> Page[ProspectRecord]:
        """The owner's prospects, soonest next follow-up first (none set: last)."""
        ...

    def list_pool(self, branch_id: str, *, limit: int, start_key: dict | None) -> Page[ProspectRecord]:
        """The branch pool, most recently released first."""
        ...

    def list_collisions(self, branch_id: str, *, limit: int, start_key: dict | None) -> Page[dict]:
        """Collisions seen by the branch, newest first."""
        ...

    def list_outlet_referrals(self, outlet_id: str, *, limit: int, start_key: dict | None) -> Page[ProspectRecord]:
        """An outlet's referrals, newest first."""
        ...

    def lapsing_on(self, day: date) -> list[ProspectRecord]:
        """Active prospects whose protection ends on `day` (as indexed: a reader re-checks the record)."""
        ...

    def month_counts(self, manager_id: str, month: str) -> dict[str, int]:
        """{"registered": n, "converted": n} for a manager's month (YYYY-MM); counters never written are 0."""
        ...

    def first_contact_due_on(self, day: date) -> list[ProspectRecord]:
        """Owned prospects with no follow-up whose first contact fell due on `day`, not yet escalated for it
        (as indexed: a reader re-checks the record)."""
        ...

    def save_with_escalation(self, record: ProspectRecord, escalation: Escalation, *, expected_version: int) -> None:
        """`save` and record the escalation, all or nothing (StaleRecord if the version moved on)."""
        ...


class Directory(Protocol):
    """Read-only look-ups in the staff and outlet directory (another area's records, as dicts)."""

    def get_outlet(self, outlet_id: str) -> dict | None: ...

    def get_staff(self, staff_id: str) -> dict | None: ...

    def get_staff_for_scope(self, staff_id: str) -> dict | None:
        """As `get_staff`, possibly a few seconds old (the copy the caller's own authentication reads):
        for read-scope checks only ("is this manager in my branch"), never for a write's check."""
        ...

    def branch_managers(self, branch_id: str) -> list[dict]:
        """The branch's client managers, any status."""
        ...


class Sealer(Protocol):
    """Field encryption and the lookup hashes claims are keyed by."""

    def seal(self, value: str) -> str: ...

    def unseal(self, sealed: str) -> str: ...

    def lookup_hash(self, kind: ClaimKind, normalised: str) -> str: ...

    def lookup_hashes(self, kind: ClaimKind, normalised: str) -> list[str]:
        """The hash under every valid key, the writer's (lookup_hash) first: two during a key rotation."""
        ...


class Disclosures(Protocol):
    """The audited disclosure of clear values (domain/disclosure.py behind the wiring)."""

    def refuse(self, principal: Principal, record: ProspectRecord, body: Any, why: str) -> None:
        """Audit a refused request (and raise nothing)."""
        ...

    def grant(
        self, principal: Principal, record: ProspectRecord, body: Any, values: dict[str, str | None]
    ) -> tuple[dict, str]:
        """Audit and return (the values shown, the audit id); raises when the caller's budget is spent."""
        ...


@dataclass(frozen=True)
class ProspectPolicy:
    """The numbers of DOMAIN 2 (settings in chalicelib/config.py, read at the edge: `wiring.prospects`)."""

    protection_days_a: int
    protection_days_b: int
    protection_days_c: int
    first_contact_days: int
    pool_daily_pick_limit: int
    pool_reclaim_block_days: int
    referral_default_class: str
    lapse_catch_up_max_days: int
    cross_branch_pool_claims: bool
    registrations_per_manager_per_day: int


@dataclass(frozen=True)
class ProspectDeps:
    """Everything a prospect rule reads or writes through; built per call by `wiring.prospects.deps()`."""

    repo: ProspectRepository
    directory: Directory
    sealer: Sealer
    disclosures: Disclosures
    policy: ProspectPolicy
