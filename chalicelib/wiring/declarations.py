"""The declarations area bound to DynamoDB."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..domain.declaration_ports import DECLARATIONS

if TYPE_CHECKING:
    from ..storage.declarations_repo import DynamoDeclarationRepository


def install() -> None:
    DECLARATIONS.bind_default(_dynamodb)


def _dynamodb() -> DynamoDeclarationRepository:
    # Imported on first use: a cold start loads only the adapters its request needs.
    from ..storage.declarations_repo import DynamoDeclarationRepository

    return DynamoDeclarationRepository()
