"""An agent's lists, a branch's queue and the callback centre's board (counts only)."""

from __future__ import annotations

from datetime import datetime

from ... import clock
from ...auth import Principal
from ...errors import Forbidden
from ...models.tasks import OPEN_STATUSES
from ..callback_ports import CALLBACK_WORK
from .access import AGENT


def my_tasks(principal: Principal, *, limit: int, start_key):
    """Open and in-progress tasks in the agent's order (issue 13 item 8): risk first, then the deadline (a
    client's "call me at T" in its place), then the next best-time window, then priority; tasks waiting on
    a contact update last. The order is the index's sort key (storage/tasks.queue_order): one query a page."""
    return with_masked_phones(CALLBACK_WORK().list_open_for_agent(principal.id, limit=limit, start_key=start_key))


def with_masked_phones(page):
    """A list shows each account's masked phone (issue 20 §3): a task carries it since issue 18 §4; those
    written before are completed from their accounts in one batch."""
    missing = [t["account_id"] for t in page.items if "phone_masked" not in t]
    phones = CALLBACK_WORK().masked_phones(missing) if missing else {}
    for task in page.items:
        if "phone_masked" not in task:
            task["phone_masked"] = phones.get(task["account_id"])
    return page


def queue(principal: Principal, branch_id: str | None, *, limit: int, start_key):
    if principal.role == AGENT:
        if branch_id and branch_id != principal.branch_id:
            raise Forbidden("agents see their own branch's queue")
        branch_id = principal.branch_id
    return with_masked_phones(
        CALLBACK_WORK().list_branch_queue(branch_id or principal.branch_id, limit=limit, start_key=start_key)
    )


def board(principal: Principal, branch_id: str | None) -> dict:
    """The callback centre's board (issue 20 §1): a branch's open tasks by holder (each agent, and the
    unassigned queue) and trigger, with those due today and overdue, and each agent's workload. Counts
    only: no client is named. Agents see their own branch."""
    if principal.role == AGENT:
        if branch_id and branch_id != principal.branch_id:
            raise Forbidden("agents see their own branch's board")
    branch = branch_id or principal.branch_id
    now = clock.now()
    today = clock.today().isoformat()
    agents = sorted(
        (a for a in CALLBACK_WORK().callback_agents() if a.get("branch_id") == branch and a.get("status") == "active"),
        key=lambda a: a["staff_id"],
    )
    holders = [(a["staff_id"], a.get("name", ""), CALLBACK_WORK().open_tasks_of_agent(a["staff_id"])) for a in agents]
    holders.append((None, "", CALLBACK_WORK().branch_queue_all(branch)))

    def late(task: dict) -> bool:
        return bool(task.get("overdue")) or datetime.fromisoformat(task["due_at"]) < now

    rows: list[dict] = []
    workload: list[dict] = []
    for holder, name, tasks in holders:
        tasks = [t for t in tasks if t.get("status") in OPEN_STATUSES and t.get("branch_id") == branch]
        by_trigger: dict[str, dict] = {}
        for t in tasks:
            row = by_trigger.setdefault(
                t["trigger"],
                {"assignee_id": holder, "name": name, "trigger": t["trigger"], "open": 0, "due_today": 0, "overdue": 0},
            )
            row["open"] += 1
            row["due_today"] += t.get("due_on") == today
            row["overdue"] += late(t)
        rows.extend(by_trigger[k] for k in sorted(by_trigger))
        workload.append(
            {
                "assignee_id": holder,
                "name": name,
                "open": len(tasks),
                "due_today": sum(t.get("due_on") == today for t in tasks),
                "overdue": sum(late(t) for t in tasks),
                "risk": sum(bool(t.get("risk")) for t in tasks),
            }
        )
    return {"branch_id": branch, "as_of": clock.iso(now), "today": today, "rows": rows, "workload": workload}
