"""`ConversionRepository` in memory, with the table's semantics: the conversion all or nothing with the
prospect's version check, the month index ordered by conversion day then account, every read a copy.
Seeded by tests through `prospects`, `claims` and `collisions`."""

from __future__ import annotations

import copy

from ...domain.conversion_ports import ProspectMovedOn
from ...models.prospects import ClaimKind


class MemoryConversionRepository:
    def __init__(self) -> None:
        self.prospects: dict[str, dict] = {}
        self.claims: dict[tuple[ClaimKind, str], str] = {}
        self.collisions: list[dict] = []
        self.conversions: dict[str, dict] = {}
        self.converted: dict[tuple[str, str], int] = {}  # (manager, YYYY-MM) -> conversions counted

    def conversion_of(self, account_id: str) -> dict | None:
        held = self.conversions.get(account_id)
        return copy.deepcopy(held) if held else None

    def claim_holder(self, kind: ClaimKind, value_hash: str) -> str | None:
        return self.claims.get((kind, value_hash))

    def prospect(self, prospect_id: str) -> dict | None:
        held = self.prospects.get(prospect_id)
        return copy.deepcopy(held) if held else None

    def staff_claimants(self, prospect_id: str) -> set[str]:
        return {
            c["attempted_by"]
            for c in self.collisions
            if c.get("prospect_id") == prospect_id and c.get("attempted_by_kind") == "staff"
        }

    def convert(self, prospect: dict, *, expected_version: int, record: dict, counted_for: str | None) -> None:
        held = self.prospects.get(prospect["prospect_id"])
        if held is None or int(held.get("version", 0)) != int(expected_version):
            raise ProspectMovedOn(prospect["prospect_id"])
        self.prospects[prospect["prospect_id"]] = {k: copy.deepcopy(v) for k, v in prospect.items() if v is not None}
        self.conversions[record["account_id"]] = {k: copy.deepcopy(v) for k, v in record.items() if v is not None}
        if counted_for:
            month = (counted_for, str(record["converted_on"])[:7])
            self.converted[month] = self.converted.get(month, 0) + 1

    def conversions_in_month(self, branch_id: str, month: str) -> list[dict]:
        rows = [c for c in self.conversions.values() if c["branch_id"] == branch_id and c["converted_on"][:7] == month]
        return [copy.deepcopy(c) for c in sorted(rows, key=lambda c: (c["converted_on"], c["account_id"]))]
