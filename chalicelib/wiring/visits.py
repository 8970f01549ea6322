"""The visits area bound to DynamoDB, S3 (photos) and field encryption."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..domain.visit_ports import PHOTOS, SEALER, VISITS

if TYPE_CHECKING:
    from ..storage.visits_repo import DynamoVisitRepository, PiiSealer, S3PhotoStore


def install() -> None:
    VISITS.bind_default(_visits)
    PHOTOS.bind_default(_photos)
    SEALER.bind_default(_sealer)


# Imported on first use: a cold start loads only the adapters its request needs.
def _visits() -> DynamoVisitRepository:
    from ..storage.visits_repo import DynamoVisitRepository

    return DynamoVisitRepository()


def _photos() -> S3PhotoStore:
    from ..storage.visits_repo import S3PhotoStore

    return S3PhotoStore()


def _sealer() -> PiiSealer:
    from ..storage.visits_repo import PiiSealer

    return PiiSealer()
