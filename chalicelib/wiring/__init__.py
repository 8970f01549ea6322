"""Composition roots: which adapter stands behind each domain port, chosen at the edge (routes, jobs, runners).

Domain modules never import from here; a route or job calls `wiring.<area>.deps()` and hands the result
to the rule it calls.

Areas behind a bound `Port` (chalicelib/domain/ports.py) are bound here: app.py, the operator runners
(schedules/) and the test session call `install()` once. It binds nothing yet: the first call of an unbound
port imports its area's `wiring/<area>.py` and runs that area's `install()`, so a cold start imports only the
ports and adapters its request reaches (issue 17 §7). A new area adds its `install()` in `wiring/<area>.py`
and its ports' names to `AREAS`; tests/unit/test_wiring.py fails for a port missing here.
"""

from __future__ import annotations

from importlib import import_module

# port name (`Port("...")` in domain/*_ports.py) -> the wiring module that binds it
AREAS: dict[str, str] = {
    "accounts": "accounts",
    "account_imports": "accounts",
    "client_pii": "accounts",
    "branches": "branches",
    "calendar": "calendar",
    "callback_reports": "callback_reports",
    "callback_work": "callback_work",
    "complaints": "complaints",
    "contact_plan": "contact_plan",
    "conversions": "conversion",
    "declarations": "declarations",
    "directory": "directory",
    "privilege": "directory",
    "outlet_keys": "directory",
    "gateway_keys": "directory",
    "disclosures": "disclosure",
    "leave": "leave",
    "outbox": "outbox",
    "outbox deliveries": "outbox",
    "penalties": "penalties",
    "problems": "problems",
    "counter_records": "reconcile",
    "prospect_counts": "scorecards",
    "selection": "selection",
    "selection_runs": "selection",
    "sample": "selection",
    "task_assignment": "task_assignment",
    "travel": "travel",
    "visits": "visits",
    "photos": "visits",
    "sealer": "visits",
    "watermarks": "watermarks",
}


def bind_area(port_name: str) -> None:
    """Bind every port of the area `port_name` belongs to (those not bound already) to its adapter."""
    area = AREAS.get(port_name)
    if area is None:
        return  # the port then says it is not bound, naming itself
    import_module(f"{__name__}.{area}").install()


def install() -> None:
    """Bind every port to its DynamoDB adapter on its first use (idempotent)."""
    from ..domain.ports import bind_on_first_use

    bind_on_first_use(bind_area)
