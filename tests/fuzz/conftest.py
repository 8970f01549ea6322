"""The fuzz suite runs through `make test-api-fuzz` (which `.ci/run` also runs), not in `make test`."""

from __future__ import annotations

import os

import pytest


def pytest_collection_modifyitems(config, items):
    if os.environ.get("FIELDDESK_FUZZ") == "1":
        return
    skip = pytest.mark.skip(reason="schemathesis fuzzing runs with `make test-api-fuzz` (FIELDDESK_FUZZ=1)")
    for item in items:
        if "tests/fuzz/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(skip)
