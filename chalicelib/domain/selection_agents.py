"""Who a new callback task goes to (rule 001, independence): an active callback agent of the client's
branch, never the client's own manager and never marketing staff; the least loaded first, else the
branch queue (`selection.NO_AGENT`). Used by the selection run (selection_loads.py).

001 (2、独立性原则): "客户回访工作应在组织上和业务上保持相对独立,组织工作应由非相关利益人执行"."""

from __future__ import annotations

from ..models.common import MARKETING_ROLES


def eligible_agents(agents: list[dict], serving_manager_id: str | None) -> list[dict]:
    """Independence (001): active callback agents only; never the client's own manager, never marketing staff."""
    return [
        a
        for a in agents
        if a.get("role") == "callback_agent"
        and a.get("role") not in MARKETING_ROLES
        and a.get("status", "active") == "active"
        and a.get("staff_id") != serving_manager_id
    ]


def choose_agent(agents: list[dict], loads: dict[str, int], serving_manager_id: str | None) -> str | None:
    """The least-loaded eligible agent (ties by id), or None for the branch queue."""
    pool = eligible_agents(agents, serving_manager_id)
    if not pool:
        return None
    return min(pool, key=lambda a: (loads.get(a["staff_id"], int(a.get("open_tasks", 0))), a["staff_id"]))["staff_id"]
