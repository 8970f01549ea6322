"""The outbox as operators and compliance see it: each side effect's delivery state, never its payload."""

from typing import Literal

from pydantic import Field

from .common import Month, Page, PageQuery, ResponseModel

# A kind names a consumer (`penalty.escalations`, `escalation`, `account.conversion` ...).
Kind = Field(None, min_length=1, max_length=64, pattern=r"^[a-z][a-z_.]*$")


class OutboxQuery(PageQuery):
    # pending and failing (pending after a failed attempt): soonest due first; delivered: newest first.
    status: Literal["pending", "failing", "delivered"] = "pending"
    kind: str | None = Kind
    month: Month | None = Field(
        None, description="status=delivered only: the month of delivery " "(Asia/Shanghai; default this month)"
    )


class OutboxEntryOut(ResponseModel):
    """The payload is left out on purpose: it may carry a branch's ids and, for conversions, client data."""

    entry_id: str
    kind: str
    subject: str = Field(description="what caused it: ids only (a problem, task, complaint, account or penalty)")
    status: Literal["pending", "delivered"]
    attempts: int = 0
    last_error: str | None = Field(None, description="the class of the last failure (never its message)")
    last_attempt_at: str | None = None
    created_at: str
    due_at: str = Field(description="when the sweep delivers it next (pending) or was last due (delivered)")
    delivered_at: str | None = None


class OutboxPage(Page[OutboxEntryOut]):
    pass
