"""The contact-plan area bound to DynamoDB."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..domain.contact_plan_ports import CONTACT_PLAN

if TYPE_CHECKING:
    from ..storage.contact_plan_repo import DynamoContactPlanRepository


def install() -> None:
    CONTACT_PLAN.bind_default(_dynamodb)


def _dynamodb() -> DynamoContactPlanRepository:
    # Imported on first use: a cold start loads only the adapters its request needs.
    from ..storage.contact_plan_repo import DynamoContactPlanRepository

    return DynamoContactPlanRepository()
