"""Callback work bound to DynamoDB (domain/callback_ports.py); the adapter loads on first use (cold start)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..domain.callback_ports import CALLBACK_WORK

if TYPE_CHECKING:
    from ..storage.callback_work_repo import DynamoCallbackWorkRepository


def install() -> None:
    CALLBACK_WORK.bind_default(_dynamodb)


def _dynamodb() -> DynamoCallbackWorkRepository:
    from ..storage.callback_work_repo import DynamoCallbackWorkRepository

    return DynamoCallbackWorkRepository()
