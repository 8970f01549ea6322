"""POST /v1/penalties/preview (issue 20 §1): the console shows the computed amount before a penalty is saved."""

from __future__ import annotations

import pytest

from chalicelib import clock

NOW = "2026-11-20T10:00:00+08:00"


@pytest.fixture(autouse=True)
def frozen():
    with clock.freeze(NOW):
        yield


def preview(api, as_="sup-001", **body):
    return api.post(
        "/v1/penalties/preview",
        {"manager_id": "cm-001", "rule_code": "DRESS", "breach_date": "2026-11-18", **body},
        as_=as_,
    )


def test_the_preview_is_what_entering_computes_and_nothing_is_stored(api):
    status, shown = preview(api, occurrences=2)
    assert status == 200, shown
    assert shown["rule_kind"] == "points" and shown["points"] == 10 and shown["yuan"] == "100.00"
    assert shown["salary_deduction_yuan"] == "200.00" and shown["settlement"] == "cash_or_salary"
    _, page = api.get("/v1/penalties", as_="sup-001")
    assert page["items"] == []  # a preview is not an entry
    status, entered = api.post(
        "/v1/penalties",
        {
            "manager_id": "cm-001",
            "rule_code": "DRESS",
            "breach_date": "2026-11-18",
            "occurrences": 2,
            "evidence_note": "巡查发现",
        },
        as_="sup-001",
    )
    assert status == 201
    for key in ("points", "yuan", "salary_deduction_yuan", "amount_status", "settlement", "hr_recommendations"):
        assert shown[key] == entered[key], key


def test_income_based_and_hr_rules(api):
    status, body = preview(api, rule_code="BANK_COMPLAINT", income_yuan="5000")
    assert status == 200 and body["yuan"] == "1000.00"
    status, body = preview(api, rule_code="BANK_COMPLAINT")
    assert status == 200 and body["yuan"] is None and body["amount_status"] == "payroll_to_compute"
    status, body = preview(api, rule_code="ABSENT_3_DAYS")
    assert status == 200 and body["settlement"] == "hr" and "dismissal" in body["hr_recommendations"]


def test_the_preview_refuses_what_entering_refuses(api):
    status, body = preview(api, breach_date="2026-11-25")
    assert status == 400 and body["error"]["details"][0]["field"] == "breach_date"
    status, body = preview(api, rule_code="DRESS", income_yuan="100")
    assert status == 400 and body["error"]["details"][0]["field"] == "income_yuan"
    status, body = preview(api, manager_id="cm-101")  # another branch's manager is unknown
    assert status == 404
    status, body = preview(api, manager_id="cm-001", as_="cm-002")
    assert status == 403
    status, body = preview(api, as_="cmp-001")
    assert status == 403
