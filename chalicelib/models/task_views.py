"""What a callback task reads as: the task, its outcome, its attempts and reviews (split from callbacks.py)."""

from datetime import date
from typing import Literal

from pydantic import Field

from ..enum_meanings import PRIORITY, describe
from .common import Page, ResponseModel


class Decision(ResponseModel):
    """A branch manager's closing of an unreached risk callback."""

    by: str
    role: str = Field(description=describe("role"))
    at: str
    reason: str


class OutcomeOut(ResponseModel):
    """How a finished task ended. Reached: the client's answers; unreached: why it closed."""

    reached: bool
    channel: str | None = Field(None, description=describe("callback_channel"))
    at: str | None = None
    reason: str | None = Field(None, description="unreached: refused | unanswered | branch_manager_decision")
    answered_by: str | None = None
    identity_confirmed: bool | None = None
    checklist: dict[str, bool] | None = Field(None, description="the regulator's content, answer by answer (Checklist)")
    evidence: dict[str, str] | None = Field(None, description="evidence field -> reference, per channel")
    satisfaction: int | None = Field(None, ge=1, le=5, description="1-5, a number on write and on read")
    needs: str | None = None
    feedback: str | None = None
    transfer_recognised: bool | None = None
    closing_reason: str | None = None
    unanswered_days: list[str] | None = None
    decision: Decision | None = None


class ReviewSummary(ResponseModel):
    result: str = Field(description="compliant | non_compliant")
    at: str
    reviewer_id: str


class AttemptRecordOut(ResponseModel):
    """One attempt as recorded (evidence references, the dialled number masked; reached: the outcome too)."""

    attempt_id: str
    task_id: str
    agent_id: str
    at: str
    recorded_at: str
    channel: str = Field(description=describe("callback_channel"))
    reached: bool
    reason: str | None = None
    call_back_at: str | None = None
    recording_ref: str | None = None
    signature_ref: str | None = None
    return_slip_ref: str | None = None
    postal_receipt_ref: str | None = None
    email_archive_ref: str | None = None
    chat_export_ref: str | None = None
    dialled_number_masked: str | None = None
    note: str | None = None
    outside_call_window: bool | None = None
    answered_by: str | None = None
    identity_confirmed: bool | None = None
    checklist: dict[str, bool] | None = None
    evidence: dict[str, str] | None = None
    satisfaction: int | None = Field(None, ge=1, le=5)
    needs: str | None = None
    feedback: str | None = None
    transfer_recognised: bool | None = None
    closing_reason: str | None = None


class ReviewRecordOut(ResponseModel):
    review_id: str
    task_id: str
    at: str
    reviewer_id: str
    result: str
    note: str = ""


class TaskOut(ResponseModel):
    task_id: str
    trigger: str = Field(description=describe("trigger"))
    account_id: str
    branch_id: str
    client_name: str | None = None
    phone_masked: str | None = None
    business_date: date
    due_on: date
    due_at: str
    priority: int = Field(description=PRIORITY)
    risk: bool = False
    status: str = Field(description=describe("task_status"))
    overdue: bool = False
    assignee_id: str | None = None
    revision: int = Field(0, description="bumped by every write: send it back to reassign (409 if it moved)")
    attempts: int = 0
    attempt_days: list[str] = []
    reschedule_at: str | None = None
    due_now: bool = False  # false before the client's "call me at T" and while waiting
    callable_from: str | None = None  # the client's T while it lies ahead
    next_window_at: str | None = None  # the next best-time window open from now (seed 001)
    source_task_id: str | None = None
    contact_needs_update: bool = False
    waiting_on: Literal["contact_update"] | None = None  # a wrong number: the branch re-establishes the contact
    contact_request_due_on: date | None = None
    contact_updated_at: str | None = None
    outcome: OutcomeOut | None = None
    completed_at: str | None = None
    review: ReviewSummary | None = None
    detail: dict = Field(
        {},
        description="the trigger's facts as the selection found them, e.g. "
        '{"amount": "600000.00", "event_on": "2026-11-20"}; keys depend on the trigger',
    )


class TaskDetailOut(TaskOut):
    history: list[AttemptRecordOut] = Field([], description="the attempts, oldest first")
    reviews: list[ReviewRecordOut] = Field([], description="compliance's reviews, oldest first")


class TaskPage(Page[TaskOut]):
    pass


class AttemptOut(ResponseModel):
    task: TaskOut
    attempt: AttemptRecordOut
    fallback_task_id: str | None = None
    problem_ids: list[str] = []
    escalated: bool = False
