"""What conversion (an opened account attributed to the prospect's owner) needs from the outside world.

`storage/conversion_repo.py` implements it on the prospects' table items, `storage/memory/conversion.py`
in memory; `tests/contract/test_conversion_repository.py` runs one body against both.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from ..errors import ConditionFailed
from .ports import Port

if TYPE_CHECKING:  # wiring.install() loads this module at cold start: no model module with it
    from ..models.prospects import ClaimKind


class ProspectMovedOn(ConditionFailed):
    """The prospect changed since it was read (its version moved on: another conversion or a follow-up):
    nothing was written; the rule looks again."""

    def __init__(self, prospect_id: str):
        super().__init__(f"prospect {prospect_id} changed meanwhile")
        self.prospect_id = prospect_id


class ConversionRepository(Protocol):
    def conversion_of(self, account_id: str) -> dict | None:
        """The conversion written for the account, read consistently."""
        ...

    def claim_holder(self, kind: ClaimKind, value_hash: str) -> str | None:
        """The id of the prospect holding this claim, read consistently."""
        ...

    def prospect(self, prospect_id: str) -> dict | None:
        """The prospect as stored, read consistently."""
        ...

    def staff_claimants(self, prospect_id: str) -> set[str]:
        """The staff who collided on the prospect (an outlet's attempts are not claims of a manager)."""
        ...

    def convert(self, prospect: dict, *, expected_version: int, record: dict, counted_for: str | None) -> None:
        """Replace the prospect (if its version is still `expected_version`, else ProspectMovedOn), write the
        conversion record (indexed by branch and month of `converted_on`) and count one conversion in
        `counted_for`'s month statistics: all or nothing."""
        ...

    def conversions_in_month(self, branch_id: str, month: str) -> list[dict]:
        """A branch's conversions of a month (YYYY-MM), by conversion day then account."""
        ...


CONVERSIONS: Port[ConversionRepository] = Port("conversions")
