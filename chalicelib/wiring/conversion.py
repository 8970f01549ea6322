"""Conversion bound to the prospects' table items on DynamoDB."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..domain.conversion_ports import CONVERSIONS

if TYPE_CHECKING:
    from ..storage.conversion_repo import DynamoConversionRepository


def install() -> None:
    CONVERSIONS.bind_default(_conversions)


def _conversions() -> DynamoConversionRepository:
    from ..storage.conversion_repo import DynamoConversionRepository

    return DynamoConversionRepository()
