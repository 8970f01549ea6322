"""Month-end declarations 月末开户申报: each manager declares the accounts they opened in a month.

000 第一篇 第十三条: "月末开户报表出现几人同时申报一个客户者,查清原因,对冒充者处以每户200元的罚款." A manager
declares the whole list for a month (replacing their earlier list) until `declaration_deadline_day` of the
next month; the supervisor compares the branch's declarations with each other and with attribution (the
prospect owner an opening converted, else the accounts feed's serving manager) and sees each account
declared by several managers, or by someone the attribution does not name, with the FALSE_CLAIM rule in
force (its code and amount) at hand. The fine itself is entered as a penalty once the cause is found.

Only the branch's own accounts are matched: an account id that is unknown and one of another branch read
alike (`found: false`, listed as `not_found`), so a declaration cannot probe another branch's book.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from .. import clock
from ..config import get_settings
from ..errors import Conflict, Forbidden, Unprocessable, ValidationFailed
from ..models.declarations import DeclarationIn
from ..observability import logger
from . import penalty_rules
from .declaration_ports import DECLARATIONS, DeclarationChanged, MonthClosed

if TYPE_CHECKING:
    from ..auth import Principal

RULE = "FALSE_CLAIM"


# --- pure rules ----------------------------------------------------------------------------------------
def month_end(month: str) -> date:
    first = date.fromisoformat(f"{month}-01")
    return (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def editable_until(month: str, deadline_day: int) -> datetime:
    """The end (Asia/Shanghai) of `deadline_day` of the month after `month`."""
    next_first = month_end(month) + timedelta(days=1)
    return datetime.combine(next_first.replace(day=deadline_day), time(23, 59, 59), tzinfo=clock.SHANGHAI)


def compare(
    declarations: list[dict],
    accounts: dict[str, dict],
    conversions: dict[str, dict],
    month: str,
    branch_id: str,
    branch_staff: set[str],
) -> list[dict]:
    """Each declared account that needs a look: declared by several, by someone attribution does not name,
    not an account of the branch, or opened in another month. Declarants are the branch's managers."""
    declarants: dict[str, list[str]] = {}
    for d in declarations:
        for account_id in d["account_ids"]:
            declarants.setdefault(account_id, []).append(d["manager_id"])
    out = []
    for account_id in sorted(declarants):
        who = sorted(declarants[account_id])
        account = accounts.get(account_id)
        if account and account.get("branch_id") != branch_id:
            account = None  # another branch's account: as unknown
        kinds: list[str] = []
        attributed, how = None, None
        if len(who) > 1:
            kinds.append("declared_by_several")
        if account is None:
            kinds.append("not_found")
        else:
            conversion = conversions.get(account_id) or {}
            attributed = conversion.get("manager_id") or account.get("serving_manager_id")
            how = "conversion" if conversion.get("manager_id") else "serving_manager" if attributed else "none"
            if attributed and attributed not in branch_staff:
                attributed, how = None, "other_branch"  # named elsewhere: not shown
            if how != "none" and any(m != attributed for m in who):
                kinds.append("attributed_to_other")
            if account.get("opened_on") and str(account["opened_on"])[:7] != month:
                kinds.append("opened_other_month")
        if not kinds:
            continue
        out.append(
            {
                "account_id": account_id,
                "kinds": kinds,
                "declared_by": who,
                "attributed_to": attributed,
                "attribution": how,
                "serving_manager_id": (account or {}).get("serving_manager_id")
                if (account or {}).get("serving_manager_id") in branch_staff
                else None,
                "opened_on": (account or {}).get("opened_on"),
                "not_attributed": [m for m in who if how not in (None, "none") and m != attributed],
            }
        )
    return out


def candidates(conflicts: list[dict], amount: Decimal | None) -> list[dict]:
    """Per declarant, the accounts attribution does not give them (or shared with another declarant and
    unattributed): what FALSE_CLAIM would cost if the investigation confirms it (200 yuan per account)."""
    by_manager: dict[str, list[str]] = {}
    for c in conflicts:
        named = c["not_attributed"] or (
            c["declared_by"] if "declared_by_several" in c["kinds"] and not c["attributed_to"] else []
        )
        for m in named:
            by_manager.setdefault(m, []).append(c["account_id"])
    return [
        {
            "manager_id": m,
            "account_ids": ids,
            "occurrences": len(ids),
            "yuan_if_confirmed": str((amount or Decimal(0)) * len(ids)),
        }
        for m, ids in sorted(by_manager.items())
    ]


# --- declaring ---------------------------------------------------------------------------------------
def _window(month: str, branch_id: str) -> tuple[datetime, bool]:
    """Until when the month is editable, and whether it is closed (the deadline passed, or the supervisor
    closed it earlier: then `until` is the closure's time)."""
    until = editable_until(month, get_settings().declaration_deadline_day)
    closure = DECLARATIONS().closure(branch_id, month)
    if closure and datetime.fromisoformat(closure["closed_at"]) < until:
        return datetime.fromisoformat(closure["closed_at"]), True
    return until, clock.now() > until


def declare(principal: Principal, body: DeclarationIn) -> dict:
    s = get_settings()
    if body.month > clock.today().isoformat()[:7]:
        raise ValidationFailed.field("month", "a month's declaration is made in or after that month")
    until, closed = _window(body.month, principal.branch_id)
    if closed:
        raise Unprocessable(
            f"declarations for {body.month} closed at {clock.iso(until)}",
            details=[{"field": "month", "message": "closed"}],
        )
    if len(body.account_ids) > s.declaration_max_accounts:
        raise ValidationFailed.field("account_ids", f"at most {s.declaration_max_accounts} accounts a month")
    seen: set[str] = set()
    for i, account_id in enumerate(body.account_ids):
        if account_id in seen:
            raise ValidationFailed.field(f"account_ids.{i}", f"{account_id} is listed twice")
        seen.add(account_id)
    current = DECLARATIONS().get(principal.id, body.month)
    ids = list(body.account_ids)
    if current and current["account_ids"] == ids and current.get("note", "") == body.note:
        return _view(current)  # the same list again (a retry): nothing changes
    at = clock.iso(clock.now())
    before = set(current["account_ids"]) if current else set()
    entry = {
        "at": at,
        "by": principal.id,
        "added": [a for a in ids if a not in before],
        "removed": sorted(before - set(ids)),
    }
    record = {
        "manager_id": principal.id,
        "branch_id": principal.branch_id,
        "month": body.month,
        "account_ids": ids,
        "note": body.note,
        "submitted_at": (current or {}).get("submitted_at", at),
        "updated_at": at,
        "revision": int((current or {}).get("revision", 0)) + 1,
        "history": [*(current or {}).get("history", []), entry],
    }
    try:
        DECLARATIONS().save(record, int(current["revision"]) if current else None)
    except MonthClosed:
        raise Unprocessable(
            f"declarations for {body.month} are closed", details=[{"field": "month", "message": "closed"}]
        ) from None
    except DeclarationChanged:
        raise Conflict("your declaration changed meanwhile; reload and retry") from None
    logger.info("declaration saved", extra={"month": body.month, "accounts": len(ids)})
    return _view(record)


def _view(record: dict) -> dict:
    until, closed = _window(record["month"], record["branch_id"])
    accounts = DECLARATIONS().accounts(record["account_ids"]) if record["account_ids"] else {}
    shown = []
    for account_id in record["account_ids"]:
        account = accounts.get(account_id)
        if account and account.get("branch_id") != record["branch_id"]:
            account = None
        opened = str(account["opened_on"]) if account and account.get("opened_on") else None
        shown.append(
            {
                "account_id": account_id,
                "found": account is not None,
                "opened_on": opened,
                "opened_in_month": opened[:7] == record["month"] if opened else None,
            }
        )
    return {**record, "accounts": shown, "editable_until": clock.iso(until), "closed": closed}


# --- reading ------------------------------------------------------------------------------------------
def list_declarations(principal: Principal, month: str, manager_id: str | None) -> dict:
    if principal.role == "client_manager":
        if manager_id and manager_id != principal.id:
            raise Forbidden("a manager sees their own declaration only")
        found = DECLARATIONS().get(principal.id, month)
        items = [found] if found else []
    else:
        items = DECLARATIONS().branch_month(principal.branch_id, month)
        if manager_id:
            items = [d for d in items if d["manager_id"] == manager_id]
    return {"month": month, "branch_id": principal.branch_id, "items": [_view(d) for d in items]}


def close_month(principal: Principal, month: str) -> dict:
    """The supervisor closes the branch's month before the deadline (the report is due); once, for good."""
    if month > clock.today().isoformat()[:7]:
        raise ValidationFailed.field("month", "a month is closed once it has begun")
    until, closed = _window(month, principal.branch_id)
    existing = DECLARATIONS().closure(principal.branch_id, month)
    if existing:
        return existing
    if closed:
        raise Unprocessable(
            f"declarations for {month} closed at {clock.iso(until)} (the deadline)",
            details=[{"field": "month", "message": "closed"}],
        )
    record = {
        "branch_id": principal.branch_id,
        "month": month,
        "closed_by": principal.id,
        "closed_at": clock.iso(clock.now()),
    }
    if not DECLARATIONS().close(record):
        return DECLARATIONS().closure(principal.branch_id, month) or record
    logger.info("declarations closed", extra={"month": month})
    return record


def conflicts(principal: Principal, month: str, branch_id: str | None) -> dict:
    if principal.role == "supervisor":
        if branch_id and branch_id != principal.branch_id:
            raise Forbidden("supervisors compare their own branch's declarations only")
        branch_id = principal.branch_id
    elif not branch_id:
        raise ValidationFailed.field("query.branch_id", "name the branch whose declarations to compare")
    declarations = DECLARATIONS().branch_month(branch_id, month)
    declared = sorted({a for d in declarations for a in d["account_ids"]})
    staff = {m["staff_id"] for m in DECLARATIONS().branch_managers(branch_id)}
    found = compare(
        declarations,
        DECLARATIONS().accounts(declared) if declared else {},
        DECLARATIONS().conversions(declared) if declared else {},
        month,
        branch_id,
        staff,
    )
    rule = penalty_rules.catalogue_on(month_end(month), branch_id).rule(RULE)
    amount = Decimal(str(rule["amount"])) if rule.get("amount") is not None else None
    _, closed = _window(month, branch_id)
    return {
        "branch_id": branch_id,
        "month": month,
        "closed": closed,
        "declarations": len(declarations),
        "accounts_declared": len(declared),
        "conflicts": found,
        "candidates": candidates(found, amount),
        "rule": {k: rule.get(k) for k in ("code", "kind", "amount", "description_zh", "description_en", "notes")},
    }
