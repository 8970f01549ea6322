"""moto's in-process DynamoDB is not thread-safe (a transaction deep-copies the
table while another thread writes it). Tests that run the job's thread pool
serialise AWS calls with this fixture; real DynamoDB needs no such thing."""
from __future__ import annotations

import threading

import pytest


@pytest.fixture(autouse=True)
def serialised_moto(monkeypatch, no_scan):
    from botocore.client import BaseClient

    lock = threading.RLock()
    inner = BaseClient._make_api_call

    def locked(self, operation_name, api_params):
        with lock:
            return inner(self, operation_name, api_params)

    monkeypatch.setattr(BaseClient, "_make_api_call", locked)
