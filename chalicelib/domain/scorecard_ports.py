"""What a scorecard reads of the prospects area (002 第二十条: prospects registered and converted in the month).

The prospects area's rules take a `deps` argument (domain/prospects/ports.py); a scorecard needs only its
month counters, so it reaches them through this narrow port. `wiring/scorecards.py` binds it to the prospects
area's own repository (`ProspectRepository.month_counts`, covered by tests/contract/test_prospect_repository.py);
rule tests override it with `storage/memory/prospects.MemoryProspectRepository`. Declared here, not beside
the prospect protocols, so binding it at start-up does not import the prospect models (cold start).
"""

from __future__ import annotations

from typing import Protocol

from .ports import Port


class ProspectCounts(Protocol):
    def month_counts(self, manager_id: str, month: str) -> dict[str, int]:
        """{"registered": n, "converted": n} for a manager's month (YYYY-MM); counters never written are 0."""
        ...


PROSPECT_COUNTS: Port[ProspectCounts] = Port("prospect_counts")
