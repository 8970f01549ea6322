"""The callback task record: written by the scheduler, worked by callback agents.

This is the contract between the selection job (jobs/callbacks.py) and the
agents' routes (api/callback_tasks.py). Index attributes are derived from it in
storage/tasks.py, never set by hand.
"""

import re
from collections.abc import Callable, Iterable
from datetime import date, datetime, time, timedelta, timezone
from enum import Enum

from pydantic import BaseModel, ConfigDict, Field


class Trigger(str, Enum):
    new_account = "new_account"
    dormant = "dormant"
    large_outflow = "large_outflow"
    closed_account = "closed_account"
    departed_manager = "departed_manager"
    periodic = "periodic"
    transferred_out = "transferred_out"  # core/important client transferring out (003 第三十一条)
    sample = "sample"  # the regulator's 10% existing-client sample (CSRC 2010)
    fallback = "fallback"  # letter/email/SMS after three unanswered phone days
    second_callback = "second_callback"  # verification of a resolved problem item


RISK_TRIGGERS = {Trigger.large_outflow.value}


class CapClass(str, Enum):
    """How the quarterly cap treats a trigger (001: "在客户抽样方面，每季度对同一客户回访次数不应超过两次").

    The cap is about sampling: sampled callbacks are held back by it; mandatory callbacks are
    never dropped and count toward it; service callbacks (periodic by tier) follow their tier's
    interval (001) and count too."""

    mandatory = "mandatory"
    sampled = "sampled"
    service = "service"


CAP_CLASS = {
    Trigger.new_account.value: CapClass.mandatory,
    Trigger.dormant.value: CapClass.mandatory,
    Trigger.large_outflow.value: CapClass.mandatory,
    Trigger.closed_account.value: CapClass.mandatory,
    Trigger.departed_manager.value: CapClass.mandatory,
    Trigger.transferred_out.value: CapClass.mandatory,
    Trigger.fallback.value: CapClass.mandatory,
    Trigger.second_callback.value: CapClass.mandatory,
    Trigger.sample.value: CapClass.sampled,
    Trigger.periodic.value: CapClass.service,
}
# Callbacks that count toward the regulator's coverage of existing clients when reached with its content.
COVERAGE_TRIGGERS = {
    Trigger.sample.value,
    Trigger.dormant.value,
    Trigger.periodic.value,
    Trigger.departed_manager.value,
    Trigger.transferred_out.value,
}


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


# --- best-time call windows (seed 001), pure: used by the index key and by the views ----------------
# "星期一 ... 选择下午14:30-17:00较好。星期二到星期四 ... 上午9:30-11:00,下午15:00-17:00;星期五可以安排上午
# 9:30-11:00回访客户" (seed 001, 客户回访的最佳时间).
_WINDOW = re.compile(r"^([0-6])\s+([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$")
_SHANGHAI = timezone(timedelta(hours=8), "Asia/Shanghai")
_WINDOW_SEARCH_DAYS = 21


def parse_window(text: str) -> CallWindow:
    match = _WINDOW.match(text.strip())
    if not match:
        raise ValueError(f"call window {text!r} is not '<weekday 0-6> HH:MM-HH:MM'")
    weekday, h1, m1, h2, m2 = match.groups()
    start, end = f"{h1}:{m1}", f"{h2}:{m2}"
    if end <= start:
        raise ValueError(f"call window {text!r} ends before it starts")
    return CallWindow(weekday=int(weekday), start=start, end=end)


def _bounds(day: date, window: CallWindow | dict) -> tuple[datetime, datetime]:
    # a stored window is a dict, a parsed one a CallWindow
    start, end = (window["start"], window["end"]) if isinstance(window, dict) else (window.start, window.end)
    (h1, m1), (h2, m2) = (map(int, start.split(":")), map(int, end.split(":")))
    return (datetime.combine(day, time(h1, m1), _SHANGHAI), datetime.combine(day, time(h2, m2), _SHANGHAI))


def _weekday(window: CallWindow | dict) -> int:
    return int(window["weekday"] if isinstance(window, dict) else window.weekday)


def next_window_start(
    after: datetime, windows: Iterable, is_workday: Callable[[date], bool] = lambda d: True
) -> datetime | None:
    """When the next best-time window is open at or after `after`: `after` itself inside a window, else the
    next window's start. Days `is_workday` refuses (public holidays) are skipped. None without windows."""
    windows = list(windows)
    local = after.astimezone(_SHANGHAI)
    for offset in range(_WINDOW_SEARCH_DAYS):
        day = local.date() + timedelta(days=offset)
        todays = sorted((_bounds(day, w) for w in windows if _weekday(w) == day.weekday()), key=lambda b: b[0])
        if not todays or not is_workday(day):
            continue
        for start, end in todays:
            if end > local:
                return max(start, local)
    return None


def in_window(at: datetime, windows: Iterable) -> bool:
    local = at.astimezone(_SHANGHAI)
    return any(
        _weekday(w) == local.weekday() and _bounds(local.date(), w)[0] <= local < _bounds(local.date(), w)[1]
        for w in windows
    )


def task_id_of(trigger: str, account_id: str, episode: str) -> str:
    """Deterministic: one task per account, trigger and episode (the id `storage/keys.callback_task_id` keys)."""
    return f"{trigger}.{account_id}.{episode}"


def shanghai_iso(text: str) -> str:
    """An ISO timestamp in Asia/Shanghai, so that index keys built from it sort by time."""
    return datetime.fromisoformat(text).astimezone(_SHANGHAI).isoformat()


class TaskRecord(BaseModel):
    model_config = ConfigDict(extra="allow", use_enum_values=True, defer_build=True)

    task_id: str
    trigger: Trigger
    episode: str
    account_id: str
    branch_id: str
    serving_manager_id: str | None = None
    client_name: str | None = None
    # The client's phone as ordinary views show it (masked, never the number): one read shows a task
    # (issue 18 §4). Kept current by the feed's contact changes (callback_work.contacts).
    phone_masked: str | None = None
    business_date: date  # the selection date D
    created_at: str  # ISO 8601 with offset
    due_on: date
    due_at: str  # end of the due day, ISO 8601 with offset
    priority: int = 5  # 0 = most urgent (risk)
    risk: bool = False
    status: TaskStatus = TaskStatus.open
    assignee_id: str | None = None
    queue_flag: str | None = None  # e.g. "no_agent" when it waits in the branch queue
    call_windows: list[CallWindow] = []
    attempts: int = 0
    attempt_days: list[str] = []
    reschedule_at: str | None = None
    source_task_id: str | None = None
    detail: dict = {}  # trigger facts, e.g. {"amount": "600000.00"}
    deadline_on: date | None = None  # the rule's deadline counted from the event (due_on never precedes D)
    deadline_basis: dict | None = None  # {"from", "deadline", "cap_on"}: recomputed when a calendar is published
    due_provisional: bool = False  # decided by the weekends-only fallback of an unpublished year
    late_arrival: bool = False  # the event reached us after its deadline: created overdue
