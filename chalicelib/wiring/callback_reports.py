"""Callback reports bound to DynamoDB (domain/callback_report_ports.py); the adapter loads on first use."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..domain.callback_report_ports import CALLBACK_REPORTS

if TYPE_CHECKING:
    from ..storage.callback_reports_repo import DynamoCallbackReportRepository


def install() -> None:
    CALLBACK_REPORTS.bind_default(_dynamodb)


def _dynamodb() -> DynamoCallbackReportRepository:
    from ..storage.callback_reports_repo import DynamoCallbackReportRepository

    return DynamoCallbackReportRepository()
