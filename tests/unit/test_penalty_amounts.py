"""What a breach costs, for every rule kind, and which catalogue version applies."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from chalicelib.config import Settings
from chalicelib.domain import penalty_rules
from chalicelib.domain.penalty_rules import compute_amounts
from chalicelib.errors import ValidationFailed

S = Settings()


def rule(code: str) -> dict:
    return next(r for r in penalty_rules.builtin_version(date(2026, 11, 1))["rules"] if r["code"] == code)


def test_catalogue_holds_every_rule_in_domain_md():
    domain = Path("/work/shared/DOMAIN.md")
    if domain.exists():
        section = domain.read_text(encoding="utf-8").split("## 3.")[1].split("## 4.")[0]
        expected = set(re.findall(r"^\| ([A-Z][A-Z0-9_]+) \|", section, flags=re.M))
    else:
        expected = {"DRESS", "FALSE_CLAIM", "TRAVEL_RULE", "NO_DAILY_REPORT"}
    codes = {r["code"] for r in penalty_rules.builtin_version()["rules"]}
    assert expected <= codes and len(codes) == 29
    assert penalty_rules.builtin_version(date(2026, 11, 30))["effective_from"] == "2020-01-01"
    assert penalty_rules.builtin_version()["effective_from"] == "2026-12-01"


def test_a_shipped_version_applies_from_its_date_and_past_breaches_keep_theirs():
    # 000 宣传品管理规定 第四条 (loss: compensation, the region manager jointly liable) and 第一篇 第十五条
    # (serious: the authorities) came with the 2026-12-01 version.
    before = penalty_rules.catalogue_on(date(2026, 11, 30))
    after = penalty_rules.catalogue_on(date(2026, 12, 1))
    assert "EQUIPMENT_LOSS" not in before.rules and after.rules["EQUIPMENT_LOSS"]["kind"] == "compensation"
    assert "region_manager_jointly_liable" in after.rules["EQUIPMENT_DAMAGE"]["recommendations"]
    assert "region_manager_jointly_liable" not in before.rules["EQUIPMENT_DAMAGE"].get("recommendations", [])
    assert after.rules["SIGN_FOR_CLIENT"]["serious_recommendation"] == "refer_to_authorities"
    assert after.version_ref()["global_effective_from"] == "2026-12-01"
    loss = compute_amounts(after.rules["EQUIPMENT_LOSS"], 1, None, False, S)
    assert loss["settlement"] == "hr" and loss["yuan"] is None
    assert loss["hr_recommendations"] == ["compensation", "compensation_at_cost", "region_manager_jointly_liable"]


def test_catalogue_file_is_inside_chalicelib_so_chalice_deploys_it():
    assert penalty_rules.CATALOGUE_FILE.exists()
    assert "chalicelib" in penalty_rules.CATALOGUE_FILE.parts


@pytest.mark.parametrize(
    "code,occurrences,points,yuan,salary",
    [
        ("DRESS", 1, 5, "50.00", "100.00"),
        ("DRESS", 3, 15, "150.00", "300.00"),
        ("BRANCH_NOISE", 1, 3, "30.00", "60.00"),
        ("ABSENT_HALF_DAY", 1, 15, "150.00", "300.00"),
        ("ABSENT_1_DAY", 2, 100, "1000.00", "2000.00"),
        ("POACHING_ON_SITE", 1, 30, "300.00", "600.00"),
        ("EQUIPMENT_DAMAGE", 1, 10, "100.00", "200.00"),
    ],
)
def test_points_cost_ten_yuan_each_and_double_from_salary(code, occurrences, points, yuan, salary):
    out = compute_amounts(rule(code), occurrences, None, False, S)
    assert out["points"] == points and out["yuan"] == Decimal(yuan) and out["salary_deduction_yuan"] == Decimal(salary)
    assert out["settlement"] == "cash_or_salary" and out["amount_status"] == "computed"


def test_yuan_per_point_and_multiplier_are_settings():
    s = Settings(yuan_per_point=Decimal("12.5"), salary_deduction_multiplier=Decimal("1.5"))
    out = compute_amounts(rule("LATE"), 1, None, False, s)
    assert out["yuan"] == Decimal("62.50") and out["salary_deduction_yuan"] == Decimal("93.75")


def test_fixed_yuan_per_occurrence_without_points():
    out = compute_amounts(rule("FALSE_CLAIM"), 3, None, False, S)
    # 000 第一篇 doubles the points fine taken from salary; a fixed fine is deducted at face value.
    assert out["points"] == 0 and out["yuan"] == Decimal("600.00") and out["salary_deduction_yuan"] == Decimal("600.00")
    travel = compute_amounts(rule("TRAVEL_RULE"), 2, None, False, S)
    assert travel["yuan"] == Decimal("400.00")


def test_percent_of_after_tax_income():
    out = compute_amounts(rule("BANK_COMPLAINT"), 1, Decimal("7333.33"), False, S)
    assert out["yuan"] == Decimal("1466.67") and out["salary_deduction_yuan"] == Decimal("1466.67")  # not doubled
    assert out["hr_recommendations"] == ["transfer_off_outlet"]
    trading = compute_amounts(rule("ACCOUNT_TRADING"), 1, Decimal("9000"), False, S)
    assert trading["yuan"] == Decimal("900.00")
    pending = compute_amounts(rule("FALSE_PROMISE"), 1, None, True, S)
    assert pending["yuan"] is None and pending["amount_status"] == "payroll_to_compute"
    assert pending["settlement"] == "cash_or_salary" and pending["hr_recommendations"] == [
        "bears_client_loss",
        "dismissal",
    ]


def test_base_salary_and_subsidy_are_deducted_by_payroll_at_face_value():
    out = compute_amounts(rule("ABSENT_2_DAYS"), 1, Decimal("4500"), False, S)
    assert out["yuan"] == Decimal("4500.00") and out["salary_deduction_yuan"] == Decimal("4500.00")
    assert out["settlement"] == "payroll" and out["points"] == 0
    subsidy = compute_amounts(rule("NO_DAILY_REPORT"), 3, Decimal("120"), False, S)
    assert subsidy["yuan"] == Decimal("360.00") and subsidy["settlement"] == "payroll"
    unknown = compute_amounts(rule("NO_DAILY_REPORT"), 2, None, False, S)
    assert unknown["amount_status"] == "payroll_to_compute" and unknown["yuan"] is None


@pytest.mark.parametrize(
    "code,expected",
    [
        ("ABSENT_3_DAYS", ["dismissal"]),
        ("SIGN_FOR_CLIENT", ["dismissal"]),
        ("DISCRETIONARY_TRADING", ["dismissal", "refer_to_authorities_if_serious"]),
    ],
)
def test_dismissal_is_a_recommendation_to_hr(code, expected):
    out = compute_amounts(rule(code), 1, None, False, S)
    assert out["settlement"] == "hr" and out["amount_status"] == "none" and out["yuan"] is None
    assert out["hr_recommendations"] == expected


def test_transfer_kind_is_a_recommendation_to_hr():
    custom = {"code": "X", "kind": "transfer", "description_zh": "x", "description_en": "x"}
    out = compute_amounts(custom, 1, None, False, S)
    assert out["settlement"] == "hr" and out["hr_recommendations"] == ["transfer"]


@pytest.mark.parametrize(
    "code,occ,income,serious,field",
    [
        ("BANK_COMPLAINT", 2, None, False, "occurrences"),
        ("ABSENT_3_DAYS", 2, None, False, "occurrences"),
        ("DRESS", 1, Decimal("100"), False, "income_yuan"),
        ("DRESS", 1, None, True, "serious"),
    ],
)
def test_invalid_combinations_name_the_field(code, occ, income, serious, field):
    with pytest.raises(ValidationFailed) as err:
        compute_amounts(rule(code), occ, income, serious, S)
    assert err.value.details[0]["field"] == field


def test_version_selection_by_breach_date():
    from chalicelib.storage import penalties as repo

    base_rules = penalty_rules.builtin_version(date(2026, 11, 1))["rules"]
    for day, dress in (("2025-01-01", "6"), ("2026-06-01", "7")):
        rules = [{**r, "amount": dress} if r["code"] == "DRESS" else r for r in base_rules]
        repo.put_rule_version(
            {
                "scope": "GLOBAL",
                "effective_from": day,
                "rules": rules,
                "note": "",
                "created_by": "adm-001",
                "created_at": f"{day}T00:00:00+08:00",
            }
        )
    repo.put_rule_version(
        {
            "scope": "BRANCH#br-x",
            "effective_from": "2026-07-01",
            "overrides": [{"code": "DRESS", "amount": "9"}],
            "note": "",
            "created_by": "adm-001",
            "created_at": "2026-07-01T00:00:00+08:00",
        }
    )

    def dress(on, branch=None):
        return penalty_rules.catalogue_on(date.fromisoformat(on), branch).rules["DRESS"]["amount"]

    assert dress("2024-12-31") == "5"  # before any stored version: the built-in catalogue
    assert dress("2025-01-01") == "6"
    assert dress("2026-05-31") == "6"
    assert dress("2026-06-01") == "7"
    assert dress("2026-06-30", "br-x") == "7"  # branch override not yet in force
    assert dress("2026-07-01", "br-x") == "9"
    assert dress("2026-07-01", "br-y") == "7"
    cat = penalty_rules.catalogue_on(date(2026, 7, 2), "br-x")
    assert cat.version_ref() == {"global_effective_from": "2026-06-01", "branch_effective_from": "2026-07-01"}
