"""Reassigning a callback task (issue 20 §1): the body, the history entry and the answer."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from .common import RequestModel, ResponseModel


class AssignIn(RequestModel):
    agent_id: str = Field(
        min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_\-]+$", description="an active callback agent of the branch"
    )
    revision: int = Field(
        ge=0, le=1_000_000, description="the task's revision as read (TaskOut.revision): refused with 409 if it moved"
    )
    reason: str | None = Field(
        None,
        max_length=200,
        description="why (kept in the task's history); required to take a task from the agent holding it",
    )


class AssignmentEntry(BaseModel):
    """One reassignment in a task's history (its item collection)."""

    model_config = ConfigDict(extra="ignore", defer_build=True)

    assignment_id: str
    task_id: str
    branch_id: str
    from_agent_id: str | None = None  # None: taken from the branch queue
    to_agent_id: str
    by: str
    by_role: str
    at: str
    from_revision: int
    reason: str | None = None


class AssignmentOut(ResponseModel):
    assignment_id: str
    task_id: str
    from_agent_id: str | None = Field(None, description="the agent who held it; null: it came from the branch queue")
    to_agent_id: str
    by: str
    by_role: str
    at: str
    from_revision: int
    reason: str | None = None


class AssignResultOut(ResponseModel):
    task_id: str
    assignee_id: str
    revision: int
    replayed: bool = Field(description="true: the task was already with this agent, nothing was written")
    assignment: AssignmentOut | None = Field(None, description="the history entry written (null when replayed)")


class AssignmentHistoryOut(ResponseModel):
    items: list[AssignmentOut]
    next_token: str | None = None
