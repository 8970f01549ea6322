"""The job watermarks' port bound to DynamoDB (the adapter module loads on first use: cold start)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..storage.watermarks_repo import DynamoJobWatermarks


def _build() -> DynamoJobWatermarks:
    from ..storage.watermarks_repo import DynamoJobWatermarks

    return DynamoJobWatermarks()


def install() -> None:
    from ..domain.watermark_ports import WATERMARKS

    WATERMARKS.bind_default(_build)
