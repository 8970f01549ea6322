"""The accounts area (feed, views, CSV import) bound to DynamoDB, S3 and the field encryption."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..domain.account_ports import ACCOUNT_IMPORTS, ACCOUNTS, CLIENT_PII

if TYPE_CHECKING:
    from ..storage.accounts_repo import DynamoAccountRepository, DynamoImportRepository, FieldClientSealer


def install() -> None:
    ACCOUNTS.bind_default(_accounts)
    ACCOUNT_IMPORTS.bind_default(_imports)
    CLIENT_PII.bind_default(_sealer)


# Imported on first use: a cold start loads only the adapters its request needs.
def _accounts() -> DynamoAccountRepository:
    from ..storage.accounts_repo import DynamoAccountRepository

    return DynamoAccountRepository()


def _imports() -> DynamoImportRepository:
    from ..storage.accounts_repo import DynamoImportRepository

    return DynamoImportRepository()


def _sealer() -> FieldClientSealer:
    from ..storage.accounts_repo import FieldClientSealer

    return FieldClientSealer()
