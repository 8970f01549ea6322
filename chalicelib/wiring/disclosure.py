"""The disclosure audit's port bound to DynamoDB (the adapter module loads on first use: cold start)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..storage.audit_repo import DynamoDisclosureAuditRepository


def _build() -> DynamoDisclosureAuditRepository:
    from ..storage.audit_repo import DynamoDisclosureAuditRepository

    return DynamoDisclosureAuditRepository()


def install() -> None:
    from ..domain.disclosure_ports import DISCLOSURES

    DISCLOSURES.bind_default(_build)
