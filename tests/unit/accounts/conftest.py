"""Rule tests of the account area on its in-memory fakes (storage/memory/accounts.py). The suite-wide `aws`
fixture stays: the outbox, the disclosure audit and the conversion the rules call are other areas' tables."""

from __future__ import annotations

import pytest

from chalicelib import clock
from chalicelib.config import reset_settings
from chalicelib.domain.account_ports import ACCOUNT_IMPORTS, ACCOUNTS, CLIENT_PII
from chalicelib.storage.memory.accounts import MemoryAccountRepository, MemoryClientSealer, MemoryImportRepository

NOW = "2026-11-20T10:00:00+08:00"


@pytest.fixture(autouse=True)
def frozen():
    with clock.freeze(NOW):
        yield


@pytest.fixture
def sealer():
    with CLIENT_PII.override(MemoryClientSealer()) as fake:
        yield fake


@pytest.fixture
def repo(sealer):
    with ACCOUNTS.override(MemoryAccountRepository()) as fake:
        yield fake


@pytest.fixture
def imports(repo, monkeypatch):
    monkeypatch.setenv("FIELDDESK_IMPORT_RETRY_BASE_SECONDS", "0")
    reset_settings()
    with ACCOUNT_IMPORTS.override(MemoryImportRepository()) as fake:
        yield fake
    reset_settings()
