"""The callback task record: written by the scheduler, worked by callback agents.

This is the contract between the selection job (jobs/callbacks.py) and the
agents' routes (api/callback_tasks.py). Index attributes are derived from it in
storage/tasks.py, never set by hand.
"""

from datetime import date
from enum import Enum

from pydantic import BaseModel, ConfigDict, Field


class Trigger(str, Enum):
    new_account = "new_account"
    dormant = "dormant"
    large_outflow = "large_outflow"
    closed_account = "closed_account"
    departed_manager = "departed_manager"
    periodic = "periodic"
    fallback = "fallback"          # letter/email/SMS after three unanswered phone days
    second_callback = "second_callback"  # verification of a resolved problem item


RISK_TRIGGERS = {Trigger.large_outflow.value}


class TaskStatus(str, Enum):
    open = "open"
    in_progress = "in_progress"
    done = "done"
    closed_unreached = "closed_unreached"


OPEN_STATUSES = {TaskStatus.open.value, TaskStatus.in_progress.value}


class CallWindow(BaseModel):
    model_config = ConfigDict(defer_build=True)

    weekday: int = Field(ge=0, le=6)  # 0 = Monday
    start: str  # "09:30" Asia/Shanghai
    end: str


class TaskRecord(BaseModel):
    model_config = ConfigDict(extra="allow", use_enum_values=True, defer_build=True)

    task_id: str
    trigger: Trigger
    episode: str
    account_id: str
    branch_id: str
    serving_manager_id: str | None = None
    client_name: str | None = None
    business_date: date          # the selection date D
    created_at: str              # ISO 8601 with offset
    due_on: date
    due_at: str                  # end of the due day, ISO 8601 with offset
    priority: int = 5            # 0 = most urgent (risk)
    risk: bool = False
    status: TaskStatus = TaskStatus.open
    assignee_id: str | None = None
    queue_flag: str | None = None  # e.g. "no_agent" when it waits in the branch queue
    call_windows: list[CallWindow] = []
    attempts: int = 0
    attempt_days: list[str] = []
    reschedule_at: str | None = None
    source_task_id: str | None = None
    detail: dict = {}              # trigger facts, e.g. {"amount": "600000.00"}
