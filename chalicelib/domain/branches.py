"""Branches (营业部) for admins in the console: list, read, open a new one (issue 20 §1, Admin).

Closing a branch stays an operator command (`python -m schedules branch close`, domain/directory.py):
it must check the branch's staff first. A branch's staff and outlets refer to it by id, so the id is
fixed at creation and a second branch with the same id is refused, never overwritten.
"""

from __future__ import annotations

from ..errors import ConditionFailed, Conflict, NotFound
from .branch_ports import BRANCHES
from .directory import new_branch
from .ports import Page


class BranchExists(Conflict):
    code = "branch_exists"


def create(branch_id: str, name: str, *, by: str) -> dict:
    record = new_branch(branch_id, name, by=by)
    try:
        BRANCHES().create(record)
    except ConditionFailed:
        raise BranchExists(f"branch {branch_id} already exists") from None
    return record


def get(branch_id: str) -> dict:
    branch = BRANCHES().get(branch_id)
    if branch is None:
        raise NotFound(f"no branch {branch_id}")
    return {"status": "active", **branch}


def list_branches(limit: int, start_key):
    page = BRANCHES().list(limit=limit, start_key=start_key)
    return Page([{"status": "active", **b} for b in page.items], page.last_key)
