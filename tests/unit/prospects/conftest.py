"""Rule tests on the in-memory fakes: no tables, so the suite-wide `aws` fixture (moto and both tables,
~90 ms a test) is replaced here by one that does nothing."""

from __future__ import annotations

import pytest

from chalicelib import clock
from chalicelib.domain.watermark_ports import WATERMARKS
from chalicelib.storage.memory.watermarks import MemoryJobWatermarks

from ...fakes.prospects import make_deps

NOW = "2026-11-20T10:00:00+08:00"


@pytest.fixture(autouse=True)
def aws():
    yield


@pytest.fixture(autouse=True)
def frozen():
    with clock.freeze(NOW):
        yield


@pytest.fixture(autouse=True)
def marks():
    """The jobs' watermarks (the shared port every daily job commits its days to), in memory."""
    with WATERMARKS.override(MemoryJobWatermarks()) as fake:
        yield fake


@pytest.fixture
def deps():
    deps = make_deps()
    deps.directory.outlets["ot-lujiazui"] = {"outlet_id": "ot-lujiazui", "branch_id": "br-pudong"}
    deps.directory.outlets["ot-zhongguancun"] = {"outlet_id": "ot-zhongguancun", "branch_id": "br-haidian"}
    deps.directory.add_manager("cm-001", "王晓明", "br-pudong", outlet_ids=("ot-lujiazui",))
    deps.directory.add_manager("cm-002", "李娜", "br-pudong")
    deps.directory.add_manager("cm-003", "赵离职", "br-pudong", status="inactive")
    deps.directory.add_manager("cm-101", "陈海", "br-haidian")
    return deps
