"""`ConversionRepository` on DynamoDB (domain/conversion_ports.py): the prospects' items, the conversion
record and the month statistics of storage/prospects.py, the lost version check a named outcome."""

from __future__ import annotations

from ..domain.conversion_ports import ProspectMovedOn
from ..errors import Conflict
from ..models.prospects import ClaimKind
from . import prospects
from .request_errors import TransactionCancelled


class DynamoConversionRepository:
    def conversion_of(self, account_id: str) -> dict | None:
        return prospects.get_conversion(account_id)

    def claim_holder(self, kind: ClaimKind, value_hash: str) -> str | None:
        claim = prospects.get_claim(kind.value, value_hash)
        return claim["prospect_id"] if claim else None

    def prospect(self, prospect_id: str) -> dict | None:
        return prospects.get_prospect(prospect_id, consistent=True)

    def staff_claimants(self, prospect_id: str) -> set[str]:
        return {
            c["attempted_by"] for c in prospects.collisions_of(prospect_id) if c.get("attempted_by_kind") == "staff"
        }

    def convert(self, prospect: dict, *, expected_version: int, record: dict, counted_for: str | None) -> None:
        ops = [prospects.conversion_op(record)]
        if counted_for:
            ops.append(prospects.stats_op(counted_for, str(record["converted_on"])[:7], "converted"))
        try:
            prospects.save_prospect(prospect, expected_version, ops)
        except (TransactionCancelled, Conflict) as err:  # the version check (op 0), or a write conflict
            raise ProspectMovedOn(prospect["prospect_id"]) from err

    def conversions_in_month(self, branch_id: str, month: str) -> list[dict]:
        return prospects.conversions_in_month(branch_id, month)
