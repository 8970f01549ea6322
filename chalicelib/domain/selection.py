"""The daily callback selection rules (DOMAIN 4; seeds 001, 003). Pure functions.

For business date D (yesterday in Asia/Shanghai) the job selects:
  new account       opened on D                 next working day; bulk outlet openings 3 working days
  dormant           last activity on D - 180    15 working days
  large outflow     outflows on D >= threshold  next working day, risk priority (never capped)
  closed account    closed on D                 2 working days
  departed manager  clients of a manager who departed on D   15 working days
  periodic by tier  phase bucket of D           by the period end (last working day of the period)
Due offsets count China working days from D (make-up workdays count). Every
number is a setting. One task per account, trigger and episode.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from ..config import get_settings
from ..models.common import MARKETING_ROLES
from ..models.tasks import RISK_TRIGGERS, TaskRecord, Trigger
from ..storage import keys
from . import call_windows, workdays

# Risk first: a large-outflow task is always created and counts toward the cap
# before any routine trigger of the same account asks for the remaining room.
ORDER = [Trigger.large_outflow.value, Trigger.closed_account.value, Trigger.new_account.value,
         Trigger.departed_manager.value, Trigger.dormant.value, Trigger.periodic.value]
PRIORITY = {Trigger.large_outflow.value: 0, Trigger.closed_account.value: 1, Trigger.new_account.value: 2,
            Trigger.departed_manager.value: 3, Trigger.dormant.value: 4, Trigger.periodic.value: 5}
TIERS = ("gold", "silver", "ordinary")
BULK_CHANNEL = "bank_outlet_bulk"
NO_AGENT = "no_agent"


@dataclass
class Candidate:
    trigger: str
    account: dict
    episode: str
    detail: dict = field(default_factory=dict)

    @property
    def account_id(self) -> str:
        return self.account["account_id"]

    @property
    def task_id(self) -> str:
        return keys.callback_task_id(self.trigger, self.account_id, self.episode)

    @property
    def routine(self) -> bool:
        return is_routine(self.trigger)


def is_routine(trigger: str) -> bool:
    return trigger not in RISK_TRIGGERS


def quarter_of(day: date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def dormant_activity_date(business_date: date) -> date:
    """Accounts whose last trade (or, never traded, opening) was on this day and not since."""
    return business_date - timedelta(days=get_settings().dormant_days)


def period_days(tier: str) -> int:
    s = get_settings()
    return {"gold": s.periodic_gold_days, "silver": s.periodic_silver_days, "ordinary": s.periodic_ordinary_days}[tier]


def last_workday_on_or_before(day: date) -> date:
    while not workdays.is_workday(day):
        day -= timedelta(days=1)
    return day


def due_on(trigger: str, business_date: date, account: dict) -> date:
    s = get_settings()
    if trigger == Trigger.new_account.value:
        n = s.due_bulk_opening_working_days if account.get("channel") == BULK_CHANNEL else \
            s.due_new_account_working_days
        return workdays.add_workdays(business_date, n)
    if trigger == Trigger.periodic.value:
        end = business_date + timedelta(days=period_days(account["tier"]) - 1)
        return max(last_workday_on_or_before(end), workdays.add_workdays(business_date, 1))
    n = {Trigger.dormant.value: s.due_dormant_days, Trigger.large_outflow.value: s.due_large_outflow_days,
         Trigger.closed_account.value: s.due_closed_days,
         Trigger.departed_manager.value: s.due_departed_manager_days}[trigger]
    return workdays.add_workdays(business_date, n)


def skip_reason(trigger: str, account: dict | None) -> str | None:
    """Why a candidate gets no task (counted by reason), or None."""
    if account is None or not account.get("branch_id"):
        return "account_not_opened"  # events arrived before the opening; nothing to assign yet
    if trigger in (Trigger.large_outflow.value, Trigger.closed_account.value):
        return None
    if account.get("status") != "open":
        return "account_closed"
    return None


# --- building candidates from index items ------------------------------------------------
def new_account(account: dict) -> Candidate:
    return Candidate(Trigger.new_account.value, account, account["opened_on"],
                     {"opened_on": account["opened_on"], "channel": account.get("channel"),
                      "outlet_id": account.get("outlet_id")})


def dormant(account: dict, business_date: date) -> Candidate:
    since = str(dormant_activity_date(business_date))
    return Candidate(Trigger.dormant.value, account, since,
                     {"last_activity_on": since, "last_trade_on": account.get("last_trade_on"),
                      "dormant_days": get_settings().dormant_days})


def closed_account(account: dict) -> Candidate:
    return Candidate(Trigger.closed_account.value, account, account["closed_on"],
                     {"closed_on": account["closed_on"], "reason": account.get("close_reason")})


def departed_manager(account: dict, manager_id: str, business_date: date) -> Candidate:
    return Candidate(Trigger.departed_manager.value, account, f"{manager_id}:{business_date}",
                     {"departed_manager_id": manager_id, "departed_on": str(business_date)})


def periodic(account: dict, business_date: date) -> Candidate:
    return Candidate(Trigger.periodic.value, account, str(business_date),
                     {"tier": account.get("tier"), "period_days": period_days(account["tier"])})


def large_outflow(account: dict, transfers: list[dict], business_date: date) -> Candidate:
    transfers = sorted(transfers, key=lambda t: (t["at"], t["event_id"]))
    total = sum((Decimal(str(t["amount"])) for t in transfers), Decimal("0"))
    return Candidate(Trigger.large_outflow.value, account, str(business_date),
                     {"amount": f"{total:.2f}", "transfers": [
                         {"event_id": t["event_id"], "amount": f"{Decimal(str(t['amount'])):.2f}",
                          "balance_before": f"{Decimal(str(t['balance_before'])):.2f}", "at": t["at"]}
                         for t in transfers]})


# --- assignment -----------------------------------------------------------------------------
def eligible_agents(agents: list[dict], serving_manager_id: str | None) -> list[dict]:
    """Independence (001): active callback agents only; never the client's own manager, never marketing staff."""
    return [a for a in agents
            if a.get("role") == "callback_agent" and a.get("role") not in MARKETING_ROLES
            and a.get("status", "active") == "active" and a.get("staff_id") != serving_manager_id]


def choose_agent(agents: list[dict], loads: dict[str, int], serving_manager_id: str | None) -> str | None:
    """The least-loaded eligible agent (ties by id), or None for the branch queue."""
    pool = eligible_agents(agents, serving_manager_id)
    if not pool:
        return None
    return min(pool, key=lambda a: (loads.get(a["staff_id"], int(a.get("open_tasks", 0))), a["staff_id"]))["staff_id"]


def within_cap(count: int, trigger: str) -> bool:
    """At most N routine callbacks per account per quarter; a risk callback is never dropped."""
    return not is_routine(trigger) or count < get_settings().callbacks_per_quarter


def build_task(candidate: Candidate, business_date: date, created_at: str, assignee_id: str | None) -> TaskRecord:
    account = candidate.account
    due = due_on(candidate.trigger, business_date, account)
    return TaskRecord(
        task_id=candidate.task_id, trigger=candidate.trigger, episode=candidate.episode,
        account_id=candidate.account_id, branch_id=account["branch_id"],
        serving_manager_id=account.get("serving_manager_id"), client_name=account.get("client_name"),
        business_date=business_date, created_at=created_at, due_on=due, due_at=f"{due.isoformat()}T23:59:59+08:00",
        priority=PRIORITY[candidate.trigger], risk=not candidate.routine, assignee_id=assignee_id,
        queue_flag=None if assignee_id else NO_AGENT, call_windows=call_windows.suggested_windows(),
        detail=candidate.detail)
