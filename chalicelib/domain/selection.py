"""The daily callback selection rules (DOMAIN 4; seeds 001, 003). Pure functions.

For business date D (yesterday in Asia/Shanghai) the job selects:
  new account       opened, whenever the event arrives       next working day (bulk openings 3); <= 1 month
  large outflow     a day's large outflows, whenever posted  next calendar day (次日), risk priority
  closed account    closed, whenever the event arrives       2 calendar days (两日内)
  transferred out   core/important client moved out          the same week (当周), then monthly contact
  departed manager  clients of a manager departed (any date) 15 calendar days
  dormant           last activity on D - 180                 15 calendar days from D
  periodic by tier  phase bucket of D                        by the period end (last working day of it)
  sample            the regulator's 10% of existing clients  `deadline_sample` from D
Deadlines are settings with units (domain/deadlines.py), counted from the event; a due
date never precedes D. Only the sample is held back by the quarterly cap (001: "在客户抽样
方面，每季度对同一客户回访次数不应超过两次"); every callback counts toward it. One task per
account, trigger and episode.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from ..config import get_settings
from ..models.tasks import CAP_CLASS, RISK_TRIGGERS, CapClass, TaskRecord, Trigger, task_id_of
from . import deadlines, workdays

ORDER = [
    Trigger.large_outflow.value,
    Trigger.closed_account.value,
    Trigger.transferred_out.value,
    Trigger.new_account.value,
    Trigger.departed_manager.value,
    Trigger.dormant.value,
    Trigger.periodic.value,
    Trigger.sample.value,
]
# 0 = most urgent: risk first, then the deadlines of days, then weeks.
PRIORITY = {
    Trigger.large_outflow.value: 0,
    Trigger.closed_account.value: 1,
    Trigger.transferred_out.value: 1,
    Trigger.new_account.value: 2,
    Trigger.departed_manager.value: 3,
    Trigger.dormant.value: 4,
    Trigger.periodic.value: 5,
    Trigger.sample.value: 6,
}
INBOX_TRIGGERS = {
    Trigger.new_account.value,
    Trigger.large_outflow.value,
    Trigger.closed_account.value,
    Trigger.transferred_out.value,
}
TIERS = ("gold", "silver", "ordinary", "monthly")
# What an inbox entry carries of its account, so selection reads one item per candidate.
INBOX_SNAPSHOT = (
    "account_id",
    "branch_id",
    "serving_manager_id",
    "client_name",
    "phone_masked",  # masked only: a task read shows it without reading the account (issue 18 §4)
    "status",
    "tier",
    "opened_on",
    "channel",
    "outlet_id",
    "closed_on",
    "close_reason",
)
BULK_CHANNEL = "bank_outlet_bulk"
NO_AGENT = "no_agent"


@dataclass
class Candidate:
    trigger: str
    account: dict
    episode: str
    event_on: date
    detail: dict = field(default_factory=dict)
    inbox_key: dict | None = None  # the inbox entry this candidate came from, cleared with its task

    @property
    def account_id(self) -> str:
        return self.account["account_id"]

    @property
    def task_id(self) -> str:
        return task_id_of(self.trigger, self.account_id, self.episode)

    @property
    def sampled(self) -> bool:
        return CAP_CLASS[self.trigger] == CapClass.sampled


def dormant_activity_date(business_date: date) -> date:
    """Accounts whose last trade (or, never traded, opening) was on this day and not since."""
    return business_date - timedelta(days=get_settings().dormant_days)


def period_days(tier: str) -> int:
    s = get_settings()
    return {
        "gold": s.periodic_gold_days,
        "silver": s.periodic_silver_days,
        "ordinary": s.periodic_ordinary_days,
        "monthly": s.periodic_monthly_contact_days,
    }[tier]


def last_workday_on_or_before(day: date) -> date:
    while not workdays.is_workday(day):
        day -= timedelta(days=1)
    return day


def deadline_setting(trigger: str, account: dict) -> str:
    s = get_settings()
    if trigger == Trigger.new_account.value and account.get("channel") == BULK_CHANNEL:
        return s.deadline_bulk_opening
    return getattr(s, f"deadline_{trigger}")


def due(trigger: str, event_on: date, business_date: date, created_on: date, account: dict) -> deadlines.Due:
    if trigger == Trigger.periodic.value:
        end = business_date + timedelta(days=period_days(account["tier"]) - 1)
        day = max(last_workday_on_or_before(end), workdays.add_workdays(business_date, 1))
        return deadlines.Due(
            deadline_on=day,
            due_on=day,
            late_arrival=False,
            basis={},
            provisional=deadlines.crosses_unpublished_year(business_date, day),
        )
    cap = None
    if trigger == Trigger.new_account.value:
        # CSRC 2010: every new account called back within one month, whatever the branch's setting.
        cap = deadlines.add_months(event_on, get_settings().coverage_new_account_months)
    return deadlines.compute(
        deadlines.Deadline.parse(deadline_setting(trigger, account)), event_on, business_date, created_on, cap
    )


def too_old(candidate: Candidate, business_date: date) -> bool:
    """An inbox event so old it is history, not work (a migrated book): counted, never selected."""
    return (
        candidate.inbox_key is not None
        and (business_date - candidate.event_on).days > get_settings().selection_late_event_max_days
    )


def skip_reason(trigger: str, account: dict | None, business_date: date | None = None) -> str | None:
    """Why a candidate gets no task (counted by reason), or None."""
    if account is None or not account.get("branch_id"):
        return "account_not_opened"  # events arrived before the opening; it waits for the opening
    if trigger in (
        Trigger.large_outflow.value,
        Trigger.closed_account.value,
        Trigger.new_account.value,
        Trigger.transferred_out.value,
    ):
        return None
    if account.get("status") != "open":
        return "account_closed"
    if trigger == Trigger.periodic.value and business_date is not None and account.get("opened_on"):
        # The first periodic callback comes one interval after opening, never before the account existed.
        opened = date.fromisoformat(account["opened_on"])
        if business_date < opened + timedelta(days=period_days(account["tier"])):
            return "first_period_not_over"
    return None


# --- building candidates ----------------------------------------------------------------------
def from_inbox(entry: dict) -> Candidate:
    """A candidate from a selection inbox entry (new account, closure, large outflow, transfer out)."""
    trigger, account = entry["trigger"], dict(entry.get("account") or {"account_id": entry["account_id"]})
    account.setdefault("account_id", entry["account_id"])
    detail = dict(entry.get("detail") or {})
    if trigger == Trigger.new_account.value:
        detail.update(
            opened_on=account.get("opened_on"), channel=account.get("channel"), outlet_id=account.get("outlet_id")
        )
    elif trigger == Trigger.closed_account.value:
        detail.update(closed_on=account.get("closed_on"), reason=account.get("close_reason"))
    elif trigger == Trigger.large_outflow.value:
        detail.update(outflow_detail(entry.get("transfers", [])))
    return Candidate(
        trigger, account, entry["episode"], date.fromisoformat(entry["event_on"]), detail, entry.get("inbox_key")
    )


def outflow_detail(transfers: list[dict]) -> dict:
    transfers = sorted(transfers, key=lambda t: (t["at"], t["event_id"]))
    total = sum((Decimal(str(t["amount"])) for t in transfers), Decimal("0"))
    return {
        "amount": f"{total:.2f}",
        "transfers": [
            {
                "event_id": t["event_id"],
                "amount": f"{Decimal(str(t['amount'])):.2f}",
                "balance_before": f"{Decimal(str(t['balance_before'])):.2f}",
                "at": t["at"],
            }
            for t in transfers
        ],
    }


def dormant(account: dict, business_date: date) -> Candidate:
    since = str(dormant_activity_date(business_date))
    return Candidate(
        Trigger.dormant.value,
        account,
        since,
        business_date,
        {
            "last_activity_on": since,
            "last_trade_on": account.get("last_trade_on"),
            "dormant_days": get_settings().dormant_days,
        },
    )


def departed_manager(account: dict, manager_id: str, departed_on: date) -> Candidate:
    # The episode is the departure itself ("_" needs no URL encoding: issue 21), so a re-run on a
    # later date, or a late-recorded departure, never makes a second task.
    return Candidate(
        Trigger.departed_manager.value,
        account,
        f"{manager_id}_{departed_on}",
        departed_on,
        {"departed_manager_id": manager_id, "departed_on": str(departed_on)},
    )


def periodic(account: dict, tier: str, business_date: date) -> Candidate:
    return Candidate(
        Trigger.periodic.value,
        {**account, "tier": tier},
        str(business_date),
        business_date,
        {"tier": account.get("tier"), "cycle": tier, "period_days": period_days(tier)},
    )


def sample(account: dict, business_date: date) -> Candidate:
    return Candidate(
        Trigger.sample.value,
        account,
        str(business_date.year),
        business_date,
        {"year": business_date.year, "selected_on": str(business_date)},
    )


def within_cap(count: int, trigger: str) -> bool:
    """Only sampled callbacks are held back at N callbacks per account per quarter; mandatory and
    service callbacks are never dropped (they count toward N)."""
    return CAP_CLASS[trigger] != CapClass.sampled or count < get_settings().callbacks_per_quarter


def build_task(candidate: Candidate, business_date: date, created_at: str, assignee_id: str | None) -> TaskRecord:
    account = candidate.account
    when = due(candidate.trigger, candidate.event_on, business_date, date.fromisoformat(created_at[:10]), account)
    extra: dict[str, Any] = {"overdue": True, "overdue_at": created_at} if when.late_arrival else {}
    return TaskRecord(
        task_id=candidate.task_id,
        trigger=Trigger(candidate.trigger),
        episode=candidate.episode,
        account_id=candidate.account_id,
        branch_id=account["branch_id"],
        serving_manager_id=account.get("serving_manager_id"),
        client_name=account.get("client_name"),
        phone_masked=account.get("phone_masked"),
        business_date=business_date,
        created_at=created_at,
        due_on=when.due_on,
        due_at=f"{when.due_on.isoformat()}T23:59:59+08:00",
        deadline_on=when.deadline_on,
        deadline_basis=when.basis or None,
        due_provisional=when.provisional,
        late_arrival=when.late_arrival,
        priority=PRIORITY[candidate.trigger],
        risk=candidate.trigger in RISK_TRIGGERS,
        assignee_id=assignee_id,
        # No call windows copied: a task without its own uses the suggested ones, resolved on read (issue 18).
        queue_flag=None if assignee_id else NO_AGENT,
        detail={**candidate.detail, "event_on": str(candidate.event_on)},
        **extra,
    )
