"""The regulator's 10% existing-client sample (CSRC 2010; DOMAIN 4).

"at least 10% of last year-end clients (excluding dormant and suspended) called back each
year". FieldDesk plans it instead of only reporting it:

- The denominator is a snapshot of the accounts FieldDesk holds: open at the previous
  year-end and not dormant then (activity within `dormant_days`). It is taken by the first
  selection run of the year that needs it, and an operator can recompute it
  (`python -m schedules sample-snapshot --year Y`).
- Each working day the run picks a slice sized to meet the year's target evenly and to catch
  up when behind: ceil((target - picked so far) / working days left in the year, today included).
- The pick walks the snapshot in a fixed keyed-hash order from a cursor, skipping clients
  closed, dormant now, already called back this year (a coverage callback) or at the quarterly
  cap (001: "每季度对同一客户回访次数不应超过两次"). The day's pick is recorded with the
  cursor in one transaction, so a re-run or a concurrent run of the date picks the same clients.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import date, timedelta

from .. import clock
from ..config import get_settings
from ..errors import NotFound
from ..models.account_activity import last_activity_on
from . import quarter_callbacks as quarters
from . import selection as rules
from . import workdays
from .sample_ports import SAMPLE


def year_end_members(year: int, today: date) -> dict[str, list[dict]]:
    """Accounts open at the end of `year` and not dormant then, by branch.

    Read from the dormant index: an open account sits in the bucket of its last activity. Taken
    right after the year-end this is exact; recomputed later, an account that traded since moved
    to a newer bucket and is counted if it was opened by the year-end (docs/operations.md)."""
    year_end = date(year, 12, 31)
    first = year_end - timedelta(days=get_settings().dormant_days - 1)
    by_branch: dict[str, list[dict]] = {}
    day = first
    while day <= max(year_end, min(today, date(year + 1, 12, 31))):
        for account in SAMPLE().active_on(day):
            if (
                account.get("status") == "open"
                and account.get("branch_id")
                and account.get("opened_on")
                and account["opened_on"] <= str(year_end)
            ):
                by_branch.setdefault(account["branch_id"], []).append(account)
        day += timedelta(days=1)
    return by_branch


def take_snapshot(year: int, by: str) -> dict[str, int]:
    """(Re)compute the year-end denominator of every branch; returns clients per branch."""
    members = year_end_members(year, clock.today())
    at = clock.iso(clock.now())
    repo = SAMPLE()
    counts = {}
    for branch_id in sorted(set(members) | set(repo.branch_ids())):
        listed = members.get(branch_id, [])
        repo.write_members(year, listed)
        repo.put_count(branch_id, year, len(listed), at, by)
        counts[branch_id] = len(listed)
    return counts


def daily_slice(target: int, picked: int, working_days_left: int) -> int:
    return max(0, math.ceil(max(0, target - picked) / max(1, working_days_left)))


def target_of(clients: int) -> int:
    return math.ceil(clients * get_settings().coverage_existing_ratio)


def working_days_left(day: date) -> int:
    """Working days from `day` to the year's end, `day` included."""
    return workdays.workdays_between(day - timedelta(days=1), date(day.year, 12, 31))


def _eligible(account: dict | None, branch_id: str, day: date, tasks: list[dict]) -> str | None:
    """Why a snapshot member cannot be sampled today, or None."""
    s = get_settings()
    if not account or account.get("status") != "open" or account.get("branch_id") != branch_id:
        return "sample_not_open"
    activity = last_activity_on(account)
    if not activity or activity <= str(day - timedelta(days=s.dormant_days)):
        return "sample_dormant"
    year = quarters.year_figures(tasks, day.year)
    if sum(q["coverage_tasks"] for q in year.values()) > 0:
        return "sample_called_back_this_year"
    if year[quarters.quarter_of(day)]["callbacks"] >= s.callbacks_per_quarter:
        return "capped"
    return None


def _pick(branch_id: str, day: date, want: int, cursor: str | None, counts) -> tuple[list[dict], str | None]:
    repo = SAMPLE()
    picked: list[dict] = []
    while len(picked) < want:
        members = repo.members_after(day.year - 1, branch_id, cursor, max(50, (want - len(picked)) * 2))
        if not members:
            break
        ids = [m["account_id"] for m in members]
        accounts, tasks = repo.accounts(ids), repo.account_tasks_since(ids, quarters.read_from(f"{day.year}Q1"))
        for m in members:
            cursor = repo.member_cursor(day.year - 1, m["account_id"])
            reason = _eligible(accounts.get(m["account_id"]), branch_id, day, tasks.get(m["account_id"], []))
            if reason:
                counts.skip(reason)
                continue
            picked.append(accounts[m["account_id"]])
            if len(picked) == want:
                break
    return picked, cursor


def plan(branch_id: str, day: date) -> dict:
    """The year's figures for a branch on a day: denominator, target, picked, today's slice, the cursor."""
    repo = SAMPLE()
    clients = int((repo.get_year_end(branch_id, day.year - 1) or {}).get("clients", 0))
    state = repo.get_state(branch_id, day.year)
    target = target_of(clients)
    left = working_days_left(day)
    return {
        "branch_id": branch_id,
        "year": day.year,
        "year_end_clients": clients,
        "target": target,
        "picked": int(state.get("picked", 0)),
        "working_days_left": left,
        "cursor": state.get("cursor"),
        "slice": daily_slice(target, int(state.get("picked", 0)), left) if workdays.is_workday(day) else 0,
    }


def candidate_pages(day: date, dry_run: bool, counts) -> Iterator[list[rules.Candidate]]:
    """The sample's candidates of a date, branch by branch (nothing on a non-working day)."""
    if not get_settings().sample_selection or not workdays.is_workday(day):
        return
    repo = SAMPLE()
    branches = repo.branch_ids()
    if branches and any(repo.get_year_end(b, day.year - 1) is None for b in branches) and not dry_run:
        take_snapshot(day.year - 1, by="selection")
    for branch_id in branches:
        recorded = repo.get_day(branch_id, day)
        if recorded is not None:
            found = repo.accounts(recorded.get("account_ids", []))
            yield [rules.sample(found[a], day) for a in recorded.get("account_ids", []) if a in found]
            continue
        figures = plan(branch_id, day)
        if not figures["slice"]:
            continue
        before = figures["cursor"]
        picked, after = _pick(branch_id, day, figures["slice"], before, counts)
        if not dry_run and not repo.record_day(
            branch_id, day, [a["account_id"] for a in picked], before, after, clock.iso(clock.now())
        ):
            recorded = repo.get_day(branch_id, day) or {}  # a concurrent run of the date picked first
            found = repo.accounts(recorded.get("account_ids", []))
            picked = [found[a] for a in recorded.get("account_ids", []) if a in found]
        if picked:
            yield [rules.sample(a, day) for a in picked]


def quarter_counts(principal, account_id: str, year: int) -> dict:
    """What compliance checks against 001's cap: the account's callbacks per quarter."""
    if principal.role != "admin" and principal.role != "compliance":
        raise NotFound(f"account {account_id} not found")
    repo = SAMPLE()
    tasks = repo.account_tasks_since([account_id], quarters.read_from(f"{year}Q1")).get(account_id, [])
    if not tasks and not repo.accounts([account_id]):
        raise NotFound(f"account {account_id} not found")
    fields = ("callbacks", "risk_callbacks", "sampled", "task_ids")
    return {
        "account_id": account_id,
        "year": year,
        "cap_per_quarter": get_settings().callbacks_per_quarter,
        "quarters": [
            {"quarter": quarter, **{f: figures[f] for f in fields}}
            for quarter, figures in quarters.year_figures(tasks, year).items()
        ],
    }
