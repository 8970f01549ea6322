"""A scorecard's prospect figures come from the prospects area through its port (002 第二十条), not from the
prospects area's wiring: on the prospects fake here, on the table in tests/api/test_penalties.py."""

from __future__ import annotations

from chalicelib.domain import scorecards
from chalicelib.domain.scorecard_ports import PROSPECT_COUNTS
from chalicelib.storage.memory.prospects import MemoryProspectRepository


def test_prospect_counts_are_the_prospects_areas_month_counters():
    with PROSPECT_COUNTS.override(MemoryProspectRepository()) as prospects:
        prospects.month_registered[("cm-001", "2026-11")] = 4
        assert scorecards.prospect_counts("cm-001", "2026-11") == {"registered": 4, "converted": 0}
        assert scorecards.prospect_counts("cm-001", "2026-10") == {"registered": 0, "converted": 0}
        assert scorecards.prospect_counts("cm-002", "2026-11") == {"registered": 0, "converted": 0}
