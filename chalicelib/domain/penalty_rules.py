"""The penalty rule catalogue (seed 000 第一篇, 第二篇) and what a breach costs.

The catalogue is data: chalicelib/data/penalty_rules.json is the initial GLOBAL
version (effective 2020-01-01) used until an admin stores versions. A penalty
uses the GLOBAL version in force on its breach date, with the amounts of the
manager's branch version in force on that date laid over it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from .. import clock
from ..config import Settings, get_settings
from ..errors import ValidationFailed
from ..models.penalties import Rule, RuleVersionIn
from .penalty_ports import PENALTIES, RuleScope

if TYPE_CHECKING:
    from ..auth import Principal

CATALOGUE_FILE = Path(__file__).resolve().parent.parent / "data" / "penalty_rules.json"
GLOBAL = "GLOBAL"
CENT = Decimal("0.01")

# How each kind is settled: in cash within the window (or doubled from salary), by payroll at face
# value, or not at all (a recommendation to HR).
CASH_OR_SALARY = {"points", "fixed_yuan", "percent_income"}
PAYROLL = {"base_salary", "subsidy_withheld"}
HR = {"dismissal", "transfer", "compensation"}
INCOME_BASED = {"percent_income", "base_salary", "subsidy_withheld"}
SINGLE_OCCURRENCE = {"percent_income", "base_salary", "dismissal", "transfer", "compensation"}


def branch_scope(branch_id: str) -> str:
    return f"BRANCH#{branch_id}"


@lru_cache(maxsize=1)
def _shipped() -> dict:
    return json.loads(CATALOGUE_FILE.read_text(encoding="utf-8"))


def shipped_changes(after: str, on: date | None) -> tuple[list[dict], str | None]:
    """Rules changed or added by shipped versions effective after `after` and up to `on` (all if None),
    and the last such version's date."""
    changes: dict[str, dict] = {}
    last = None
    for version in _shipped().get("versions", []):
        if version["effective_from"] <= after or (on is not None and version["effective_from"] > on.isoformat()):
            continue
        changes.update(
            {r["code"]: Rule.model_validate(r).model_dump(mode="json", exclude_none=True) for r in version["changes"]}
        )
        last = version["effective_from"]
    return list(changes.values()), last


def builtin_version(on: date | None = None) -> dict:
    """The shipped catalogue in force on a day (the newest without a day): the base rules with each
    later shipped version's changes from its effective date, so a past penalty keeps its version."""
    raw = _shipped()
    rules = {r["code"]: Rule.model_validate(r).model_dump(mode="json", exclude_none=True) for r in raw["rules"]}
    changes, last = shipped_changes(raw["effective_from"], on)
    rules.update({r["code"]: r for r in changes})
    effective_from = last or raw["effective_from"]
    return {
        "scope": GLOBAL,
        "effective_from": effective_from,
        "rules": list(rules.values()),
        "note": raw.get("source", ""),
        "created_by": "builtin",
        "created_at": f"{effective_from}T00:00:00+08:00",
    }


@dataclass(frozen=True)
class Catalogue:
    on: date
    branch_id: str | None
    global_effective_from: str
    branch_effective_from: str | None
    rules: dict  # code -> rule dict (amounts already overridden for the branch)
    revisions: dict = field(default_factory=dict)  # scope -> head revision read (None: no head yet)

    def rule(self, code: str) -> dict:
        try:
            return self.rules[code]
        except KeyError:
            raise ValidationFailed.field(
                "rule_code", f"no rule {code} in the catalogue in force on {self.on}"
            ) from None

    def version_ref(self) -> dict:
        return {
            "global_effective_from": self.global_effective_from,
            "branch_effective_from": self.branch_effective_from,
        }

    def as_dict(self) -> dict:
        return {
            "on": self.on,
            "branch_id": self.branch_id,
            "global_effective_from": self.global_effective_from,
            "branch_effective_from": self.branch_effective_from,
            "rules": list(self.rules.values()),
        }


def catalogue_on(on: date, branch_id: str | None = None) -> Catalogue:
    """The catalogue in force on a day, with the branch's overrides in force that day."""
    global_scope = PENALTIES().rule_scope(GLOBAL)  # cached; a penalty's write checks the revision (see revisions)
    revisions = {GLOBAL: global_scope.rev}
    stored = _in_force(global_scope, on)
    version = dict(stored) if stored else builtin_version(on)
    rules = {r["code"]: dict(r) for r in version["rules"]}
    if stored:
        # A shipped version newer than the admin's (a rule the rulebook added) applies on top of it.
        changes, last = shipped_changes(str(stored["effective_from"]), on)
        rules.update({r["code"]: dict(r) for r in changes})
        version["effective_from"] = last or version["effective_from"]
    branch_from = None
    if branch_id:
        scope = PENALTIES().rule_scope(branch_scope(branch_id))
        revisions[branch_scope(branch_id)] = scope.rev
        override = _in_force(scope, on)
        if override:
            branch_from = str(override["effective_from"])
            for o in override["overrides"]:
                if o["code"] in rules and rules[o["code"]].get("amount") is not None:
                    rules[o["code"]] = {**rules[o["code"]], "amount": str(o["amount"]), "overridden_by_branch": True}
    return Catalogue(
        on=on,
        branch_id=branch_id,
        global_effective_from=str(version["effective_from"]),
        branch_effective_from=branch_from,
        rules=rules,
        revisions=revisions,
    )


def _in_force(scope: RuleScope, on: date) -> dict | None:
    """The scope's last version effective on or before `on`."""
    found = [v for v in scope.versions if str(v["effective_from"]) <= on.isoformat()]
    return found[-1] if found else None


def read_catalogue(principal: Principal, on: date | None, branch_id: str | None) -> dict:
    if branch_id is None and principal.role != "admin":
        branch_id = principal.branch_id
    return catalogue_on(on or clock.today(), branch_id).as_dict()


def add_version(principal: Principal, body: RuleVersionIn) -> dict:
    """Admins add a version; an existing version on the same day is never overwritten."""
    if body.branch_id is None:
        scope = GLOBAL
        # RuleVersionIn requires rules without a branch and overrides with one: `or []` only tells mypy
        rules = [r.model_dump(mode="json", exclude_none=True) for r in body.rules or []]
        payload = {"rules": rules}
    else:
        if not PENALTIES().branch_exists(body.branch_id):
            raise ValidationFailed.field("branch_id", f"unknown branch {body.branch_id}")
        scope = branch_scope(body.branch_id)
        base = catalogue_on(body.effective_from).rules
        overrides = body.overrides or []
        for i, o in enumerate(overrides):
            if o.code not in base:
                raise ValidationFailed.field(f"overrides.{i}.code", f"no rule {o.code} in the GLOBAL catalogue")
            if base[o.code].get("amount") is None:
                raise ValidationFailed.field(f"overrides.{i}.code", f"rule {o.code} has no amount to override")
            if base[o.code]["kind"] == "points" and o.amount != o.amount.to_integral_value():
                raise ValidationFailed.field(f"overrides.{i}.amount", "points are whole numbers")
        payload = {"overrides": [o.model_dump(mode="json") for o in overrides]}
    record = {
        "scope": scope,
        "effective_from": body.effective_from.isoformat(),
        **payload,
        "note": body.note,
        "created_by": principal.id,
        "created_at": clock.iso(clock.now()),
    }
    PENALTIES().put_rule_version(record)  # RuleVersionExists (409): a version is never overwritten
    return record


# --- amounts ---------------------------------------------------------------------------------
def _money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def compute_amounts(
    rule: dict, occurrences: int, income_yuan: Decimal | None, serious: bool, settings: Settings | None = None
) -> dict:
    """Points, cash amount and salary-deduction amount for a breach of `rule`.

    points: amount x occurrences points, 1 point = yuan_per_point yuan.
    fixed_yuan: amount x occurrences yuan. percent_income: amount % of the after-tax income the
    supervisor gives (else payroll computes it). base_salary: amount months of the base salary given.
    subsidy_withheld: amount x occurrences days of the daily subsidy given. Cash is due within the
    settlement window; deducting a points fine from salary multiplies it by salary_deduction_multiplier (000
    第一篇: the doubling is the points fine's only). Payroll kinds are at face value; dismissal and transfer are HR.
    """
    s = settings or get_settings()
    kind = rule["kind"]
    amount = Decimal(str(rule["amount"])) if rule.get("amount") is not None else None
    if kind in SINGLE_OCCURRENCE and occurrences != 1:
        raise ValidationFailed.field("occurrences", f"a {kind} penalty is entered once per breach")
    if income_yuan is not None and kind not in INCOME_BASED:
        raise ValidationFailed.field("income_yuan", f"rule {rule['code']} is not based on income")
    if serious and not rule.get("serious_recommendation"):
        raise ValidationFailed.field("serious", f"rule {rule['code']} has no serious case")

    points = 0
    yuan: Decimal | None = None
    if amount is None:
        if kind not in HR:  # the catalogue's model gives every other kind an amount (models/penalties.py)
            raise ValueError(f"rule {rule['code']} of kind {kind} has no amount")
    elif kind == "points":
        points = int(amount * occurrences)
        yuan = _money(Decimal(points) * s.yuan_per_point)
    elif kind == "fixed_yuan":
        yuan = _money(amount * occurrences)
    elif kind == "percent_income" and income_yuan is not None:
        yuan = _money(income_yuan * amount / Decimal(100))
    elif kind == "base_salary" and income_yuan is not None:
        yuan = _money(income_yuan * amount)
    elif kind == "subsidy_withheld" and income_yuan is not None:
        yuan = _money(income_yuan * amount * occurrences)

    if kind in HR:
        settlement, amount_status, salary = "hr", "none", None
    elif yuan is None:
        settlement = "cash_or_salary" if kind in CASH_OR_SALARY else "payroll"
        amount_status, salary = "payroll_to_compute", None
    elif kind in CASH_OR_SALARY:
        settlement, amount_status, salary = "cash_or_salary", "computed", salary_amount(yuan, kind, s)
    else:
        settlement, amount_status, salary = "payroll", "computed", yuan

    recommendations = ([kind] if kind in HR else []) + list(rule.get("recommendations") or [])
    if serious:
        recommendations.append(rule["serious_recommendation"])
    return {
        "points": points,
        "yuan": yuan,
        "salary_deduction_yuan": salary,
        "amount_status": amount_status,
        "settlement": settlement,
        "hr_recommendations": recommendations,
    }


def salary_amount(yuan: Decimal, kind: str, settings: Settings | None = None) -> Decimal:
    """What a deduction from salary takes. 000 第一篇: "每扣一分,罚款10元…如扣当月…工资,加倍罚款" - the
    doubling is the points fine's; a fixed or income-based fine is deducted at face value."""
    s = settings or get_settings()
    return _money(yuan * s.salary_deduction_multiplier) if kind == "points" else _money(yuan)
