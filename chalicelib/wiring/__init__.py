"""Composition roots: which adapter stands behind each domain port, chosen at the edge (routes, jobs, runners).

Domain modules never import from here; a route or job calls `wiring.<area>.deps()` and hands the result
to the rule it calls.

Areas behind a bound `Port` (chalicelib/domain/ports.py) are bound here by `install()`: app.py, the
operator runners (schedules/) and the test session call it once. Each area adds its own `install()` in
`wiring/<area>.py` and one line below; a factory builds its adapter on first use (cold start).
"""

from __future__ import annotations

_installed = False


def install() -> None:
    """Bind every port to its DynamoDB adapter (idempotent)."""
    global _installed
    if _installed:
        return
    # one line per area, e.g. `from . import visits; visits.install()`
    from . import (
        accounts,
        branches,
        calendar,
        callback_reports,
        callback_work,
        complaints,
        contact_plan,
        conversion,
        declarations,
        directory,
        disclosure,
        leave,
        outbox,
        penalties,
        problems,
        reconcile,
        scorecards,
        selection,
        task_assignment,
        travel,
        visits,
        watermarks,
    )

    accounts.install()
    branches.install()
    calendar.install()
    callback_reports.install()
    callback_work.install()
    complaints.install()
    contact_plan.install()
    conversion.install()
    declarations.install()
    directory.install()
    disclosure.install()
    leave.install()
    outbox.install()
    penalties.install()
    problems.install()
    reconcile.install()
    scorecards.install()
    selection.install()
    task_assignment.install()
    travel.install()
    visits.install()
    watermarks.install()
    _installed = True
