"""Penalties (扣罚) from the user's side: catalogue, entering, lifecycle, flags, scorecards."""

from __future__ import annotations

import pytest

from chalicelib import clock

NOW = "2026-11-20T10:00:00+08:00"


@pytest.fixture(autouse=True)
def frozen():
    with clock.freeze(NOW):
        yield


def fine(api, manager="cm-001", rule="DRESS", breach="2026-11-18", as_="sup-001", **extra):
    body = {"manager_id": manager, "rule_code": rule, "breach_date": breach, "evidence_note": "巡查发现", **extra}
    return api.post("/v1/penalties", body, as_=as_)


def opened(api, **kw):
    status, body = fine(api, **kw)
    assert status == 201, body
    return body


def field_of(body):
    return body["error"]["details"][0]["field"]


# --- catalogue ----------------------------------------------------------------------------------
def test_catalogue_lists_every_domain_rule_with_kind_and_amount(api):
    status, body = api.get("/v1/penalty-rules", as_="cm-001")
    assert status == 200
    rules = {r["code"]: r for r in body["rules"]}
    assert len(rules) == 28 and body["global_effective_from"] == "2020-01-01"
    assert rules["DRESS"]["kind"] == "points" and rules["DRESS"]["amount"] == "5"
    assert rules["ABSENT_2_DAYS"]["kind"] == "base_salary"
    assert rules["ABSENT_3_DAYS"]["kind"] == "dismissal" and rules["ABSENT_3_DAYS"]["amount"] is None
    assert rules["BANK_COMPLAINT"]["kind"] == "percent_income" and rules["BANK_COMPLAINT"]["amount"] == "20"
    assert rules["FALSE_CLAIM"] == {**rules["FALSE_CLAIM"], "kind": "fixed_yuan", "amount": "200"}
    assert rules["NO_DAILY_REPORT"]["kind"] == "subsidy_withheld"
    assert rules["TRAVEL_RULE"]["description_zh"].startswith("违反出差")
    status, _ = api.get("/v1/penalty-rules", api_key="fdk_x.y")
    assert status == 401


def builtin_rules(api):
    _, body = api.get("/v1/penalty-rules", as_="adm-001")
    return [{k: v for k, v in r.items() if v is not None and k != "overridden_by_branch"} for r in body["rules"]]


def test_penalty_uses_the_version_in_force_on_the_breach_date_with_branch_overrides(api):
    rules = [{**r, "amount": "8"} if r["code"] == "DRESS" else r for r in builtin_rules(api)]
    status, body = api.post(
        "/v1/penalty-rules/versions",
        {"effective_from": "2026-11-10", "rules": rules, "note": "着装从严"},
        as_="adm-001",
    )
    assert status == 201 and body["scope"] == "GLOBAL"
    status, body = api.post(
        "/v1/penalty-rules/versions",
        {"effective_from": "2026-11-15", "branch_id": "br-pudong", "overrides": [{"code": "DRESS", "amount": "6"}]},
        as_="adm-001",
    )
    assert status == 201 and body["scope"] == "BRANCH#br-pudong"

    before = opened(api, breach="2026-11-09")
    assert before["points"] == 5 and before["rule_version"]["global_effective_from"] == "2020-01-01"
    new_global = opened(api, breach="2026-11-12")
    assert new_global["points"] == 8 and new_global["yuan"] == "80.00"
    assert new_global["rule_version"] == {"global_effective_from": "2026-11-10", "branch_effective_from": None}
    overridden = opened(api, breach="2026-11-16")
    assert overridden["points"] == 6
    assert overridden["rule_version"]["branch_effective_from"] == "2026-11-15"
    elsewhere = opened(api, manager="cm-101", as_="sup-101", breach="2026-11-16")
    assert elsewhere["points"] == 8

    status, body = api.get("/v1/penalty-rules?on=2026-11-16", as_="cm-001")
    dress = next(r for r in body["rules"] if r["code"] == "DRESS")
    assert dress["amount"] == "6" and dress["overridden_by_branch"] is True
    status, body = api.get("/v1/penalty-rules?on=2026-11-01", as_="cm-001")
    assert next(r for r in body["rules"] if r["code"] == "DRESS")["amount"] == "5"


def test_rule_versions_are_admin_only_unique_and_validated(api):
    version = {"effective_from": "2026-12-01", "branch_id": "br-pudong", "overrides": [{"code": "LATE", "amount": "4"}]}
    for who in ("sup-001", "cmp-001", "cm-001"):
        status, _ = api.post("/v1/penalty-rules/versions", version, as_=who)
        assert status == 403
    assert api.post("/v1/penalty-rules/versions", version, as_="adm-001")[0] == 201
    status, body = api.post("/v1/penalty-rules/versions", version, as_="adm-001")
    assert status == 409
    status, body = api.post(
        "/v1/penalty-rules/versions",
        {**version, "effective_from": "2026-12-02", "overrides": [{"code": "NOPE", "amount": "4"}]},
        as_="adm-001",
    )
    assert status == 400 and field_of(body) == "overrides.0.code"
    status, body = api.post(
        "/v1/penalty-rules/versions",
        {**version, "effective_from": "2026-12-02", "overrides": [{"code": "LATE", "amount": "2.5"}]},
        as_="adm-001",
    )
    assert status == 400 and field_of(body) == "overrides.0.amount"
    status, body = api.post("/v1/penalty-rules/versions", {**version, "branch_id": "br-nowhere"}, as_="adm-001")
    assert status == 400 and field_of(body) == "branch_id"
    status, body = api.post(
        "/v1/penalty-rules/versions",
        {
            "effective_from": "2026-12-01",
            "rules": [{"code": "DRESS", "kind": "points", "description_zh": "着装", "description_en": "dress"}],
        },
        as_="adm-001",
    )
    assert status == 400 and field_of(body) == "rules.0"


# --- entering -------------------------------------------------------------------------------------
def test_supervisor_enters_a_points_penalty_and_the_server_computes_the_money(api):
    body = opened(api, rule="DRESS", occurrences=2, evidence_refs=["photo-1"])
    assert body["status"] == "open" and body["branch_id"] == "br-pudong" and body["entered_by"] == "sup-001"
    assert body["points"] == 10 and body["yuan"] == "100.00" and body["salary_deduction_yuan"] == "200.00"
    assert body["settlement"] == "cash_or_salary" and body["due_on"] == "2026-12-04"
    assert body["evidence_refs"] == ["photo-1"]


def test_income_based_penalty_without_a_figure_is_left_for_payroll(api):
    body = opened(api, rule="BANK_COMPLAINT")
    assert body["amount_status"] == "payroll_to_compute" and body["yuan"] is None and body["due_on"] is None
    assert body["hr_recommendations"] == ["transfer_off_outlet"]
    with_income = opened(api, rule="BANK_COMPLAINT", income_yuan="8000", serious=True)
    # 20% of 8,000, from salary too: doubling is for points fines only (000 第一篇).
    assert with_income["yuan"] == "1600.00" and with_income["salary_deduction_yuan"] == "1600.00"
    assert with_income["hr_recommendations"] == ["transfer_off_outlet", "dismissal"]
    hr = opened(api, rule="SIGN_FOR_CLIENT")
    assert hr["settlement"] == "hr" and hr["hr_recommendations"] == ["dismissal"] and hr["yuan"] is None


@pytest.mark.parametrize("who", ["cm-001", "cm-002", "cmp-001", "adm-001", "cba-001", "sys-001"])
def test_only_supervisors_enter_penalties(api, who):
    status, body = fine(api, as_=who)
    assert status == 403 and body["error"]["code"] == "forbidden"


def test_entering_refuses_other_branches_non_managers_and_oneself(api):
    # Another branch's manager is answered exactly as an unknown one (issue 16 §5).
    foreign, unknown = fine(api, manager="cm-101", as_="sup-001"), fine(api, manager="cm-999")
    assert foreign[0] == unknown[0] == 404 and field_of(foreign[1]) == field_of(unknown[1]) == "manager_id"
    assert fine(api, manager="cm-001", as_="sup-101")[0] == 404
    status, body = fine(api, manager="sup-002")
    assert status == 400 and field_of(body) == "manager_id"
    assert fine(api, manager="sup-001")[0] == 403


@pytest.mark.parametrize(
    "change,field",
    [
        ({"breach_date": "2026-11-21"}, "breach_date"),
        ({"breach_date": "yesterday"}, "breach_date"),
        ({"rule_code": "NO_SUCH_RULE"}, "rule_code"),
        ({"occurrences": 0}, "occurrences"),
        ({"rule_code": "BANK_COMPLAINT", "occurrences": 2}, "occurrences"),
        ({"evidence_note": ""}, "evidence_note"),
        ({"income_yuan": "5000"}, "income_yuan"),
        ({"income_yuan": 0.1 + 0.2}, "income_yuan"),
        ({"serious": True}, "serious"),
        ({"collision_id": "col-1"}, "collision_id"),
        ({"extra": 1}, "extra"),
    ],
)
def test_bad_penalty_input_names_the_field(api, change, field):
    body = {"manager_id": "cm-001", "rule_code": "DRESS", "breach_date": "2026-11-18", "evidence_note": "x", **change}
    status, resp = api.post("/v1/penalties", body, as_="sup-001")
    assert status == 400 and field_of(resp) == field


def test_entering_is_idempotent_on_retry(api):
    body = {"manager_id": "cm-001", "rule_code": "LATE", "breach_date": "2026-11-18", "evidence_note": "迟到"}
    headers = {"Idempotency-Key": "pen-retry-0001"}
    s1, first = api.post("/v1/penalties", body, as_="sup-001", headers=headers)
    s2, second = api.post("/v1/penalties", body, as_="sup-001", headers=headers)
    assert s1 == s2 == 201 and first["penalty_id"] == second["penalty_id"]
    _, page = api.get("/v1/penalties", as_="cm-001")
    assert [p["penalty_id"] for p in page["items"]] == [first["penalty_id"]]


# --- reading ---------------------------------------------------------------------------------------
def test_managers_read_only_their_own_and_supervisors_their_branch(api):
    mine = opened(api, manager="cm-001")
    theirs = opened(api, manager="cm-002", rule="LATE")
    other_branch = opened(api, manager="cm-101", as_="sup-101")
    _, page = api.get("/v1/penalties", as_="cm-001")
    assert [p["penalty_id"] for p in page["items"]] == [mine["penalty_id"]]
    assert api.get("/v1/penalties?manager_id=cm-002", as_="cm-001")[0] == 403
    assert api.get(f"/v1/penalties/{theirs['penalty_id']}", as_="cm-001")[0] == 404
    assert api.get(f"/v1/penalties/{mine['penalty_id']}", as_="cm-001")[0] == 200
    _, page = api.get("/v1/penalties", as_="sup-001")
    assert {p["penalty_id"] for p in page["items"]} == {mine["penalty_id"], theirs["penalty_id"]}
    _, page = api.get("/v1/penalties?manager_id=cm-002&month=2026-11", as_="sup-002")
    assert [p["penalty_id"] for p in page["items"]] == [theirs["penalty_id"]]
    assert api.get("/v1/penalties?month=2026-10", as_="sup-001")[1]["items"] == []
    assert api.get("/v1/penalties?manager_id=cm-101", as_="sup-001")[0] == 403
    assert api.get("/v1/penalties?branch_id=br-haidian", as_="sup-001")[0] == 403
    assert api.get(f"/v1/penalties/{other_branch['penalty_id']}", as_="sup-001")[0] == 404
    _, page = api.get("/v1/penalties?branch_id=br-haidian", as_="cmp-001")
    assert [p["penalty_id"] for p in page["items"]] == [other_branch["penalty_id"]]
    assert api.get("/v1/penalties", as_="cba-001")[0] == 403
    status, body = api.get("/v1/penalties?month=2026-13", as_="sup-001")
    assert status == 400 and field_of(body) == "query.month"


def test_penalty_list_paginates(api):
    for day in ("2026-11-16", "2026-11-17", "2026-11-18"):
        opened(api, breach=day, rule="LATE")
    _, page1 = api.get("/v1/penalties?limit=2", as_="sup-001")
    assert len(page1["items"]) == 2 and page1["next_token"]
    _, page2 = api.get(f"/v1/penalties?limit=2&next_token={page1['next_token']}", as_="sup-001")
    assert [p["breach_date"] for p in page1["items"] + page2["items"]] == ["2026-11-18", "2026-11-17", "2026-11-16"]


# --- lifecycle -------------------------------------------------------------------------------------
def test_settling_in_cash_or_from_salary_doubled(api):
    cash = opened(api, rule="LATE")
    salary = opened(api, rule="LATE")
    status, body = api.post(f"/v1/penalties/{cash['penalty_id']}/settle", {"method": "cash"}, as_="sup-002")
    assert status == 200 and body["status"] == "paid_cash" and body["settled"]["yuan"] == "50.00"
    status, body = api.post(f"/v1/penalties/{salary['penalty_id']}/settle", {"method": "salary"}, as_="adm-001")
    assert status == 200 and body["status"] == "deducted_salary" and body["settled"]["yuan"] == "100.00"
    assert api.post(f"/v1/penalties/{cash['penalty_id']}/settle", {"method": "cash"}, as_="sup-001")[0] == 409
    status, body = api.post(f"/v1/penalties/{cash['penalty_id']}/settle", {"method": "cheque"}, as_="sup-001")
    assert status == 400 and field_of(body) == "method"


def test_settle_role_branch_and_amount_rules(api):
    p = opened(api, rule="LATE")
    for who in ("cm-001", "cmp-001", "cba-001"):
        assert api.post(f"/v1/penalties/{p['penalty_id']}/settle", {"method": "cash"}, as_=who)[0] == 403
    assert api.post(f"/v1/penalties/{p['penalty_id']}/settle", {"method": "cash"}, as_="sup-101")[0] == 404
    status, body = api.post(
        f"/v1/penalties/{p['penalty_id']}/settle", {"method": "cash", "amount_yuan": "10"}, as_="sup-001"
    )
    assert status == 400 and field_of(body) == "amount_yuan"
    payroll = opened(api, rule="FALSE_PROMISE")
    url = f"/v1/penalties/{payroll['penalty_id']}/settle"
    # The supervisor who entered it never sets its amount (issue 16 §6): not 0.01, not any figure.
    assert api.post(url, {"method": "salary", "income_yuan": "0.01"}, as_="sup-001")[0] == 403
    assert api.post(url, {"method": "salary", "amount_yuan": "0.01"}, as_="sup-001")[0] == 403
    status, body = api.post(url, {"method": "salary"}, as_="sup-002")
    assert status == 400 and field_of(body) == "income_yuan"
    status, body = api.post(url, {"method": "salary", "amount_yuan": "0.01"}, as_="sup-002")
    assert status == 400 and field_of(body) == "amount_yuan"
    # A second person gives payroll's income; the amount follows from the rule (FALSE_PROMISE: 20%).
    status, body = api.post(url, {"method": "salary", "income_yuan": "7500"}, as_="sup-002")
    assert status == 200 and body["yuan"] == "1500.00" and body["amount_status"] == "computed_by_payroll"
    base_salary = opened(api, rule="ABSENT_2_DAYS", income_yuan="4000")
    status, body = api.post(f"/v1/penalties/{base_salary['penalty_id']}/settle", {"method": "cash"}, as_="sup-001")
    assert status == 400 and field_of(body) == "method"
    status, body = api.post(f"/v1/penalties/{base_salary['penalty_id']}/settle", {"method": "salary"}, as_="sup-001")
    assert status == 200 and body["settled"]["yuan"] == "4000.00"
    hr = opened(api, rule="DISCRETIONARY_TRADING")
    assert api.post(f"/v1/penalties/{hr['penalty_id']}/settle", {"method": "salary"}, as_="sup-001")[0] == 422
    assert api.post("/v1/penalties/nope/settle", {"method": "cash"}, as_="sup-001")[0] == 404


def test_void_keeps_the_original_and_adds_a_reversal(api):
    p = opened(api, rule="POACHING_ON_SITE")
    for who in ("cm-001", "cmp-001", "adm-001"):
        assert api.post(f"/v1/penalties/{p['penalty_id']}/void", {"reason": "x"}, as_=who)[0] == 403
    assert api.post(f"/v1/penalties/{p['penalty_id']}/void", {"reason": "x"}, as_="sup-101")[0] == 404
    status, body = api.post(f"/v1/penalties/{p['penalty_id']}/void", {"reason": ""}, as_="sup-002")
    assert status == 400 and field_of(body) == "reason"
    status, body = api.post(f"/v1/penalties/{p['penalty_id']}/void", {"reason": "认错人了"}, as_="sup-002")
    assert status == 200 and body["status"] == "voided" and body["voided"]["by"] == "sup-002"
    assert body["points"] == 30 and body["yuan"] == "300.00"  # the original figures stay
    _, detail = api.get(f"/v1/penalties/{p['penalty_id']}", as_="cm-001")
    assert [(h["action"], h["actor_id"]) for h in detail["history"]] == [("entered", "sup-001"), ("voided", "sup-002")]
    assert detail["history"][1]["reason"] == "认错人了" and detail["history"][1]["at"] == NOW
    assert detail["reversal"]["points"] == -30 and detail["reversal"]["yuan"] == "-300.00"
    assert api.post(f"/v1/penalties/{p['penalty_id']}/void", {"reason": "again"}, as_="sup-001")[0] == 409
    assert api.post(f"/v1/penalties/{p['penalty_id']}/settle", {"method": "cash"}, as_="sup-001")[0] == 409


def test_appeal_once_and_decided_by_someone_other_than_the_entering_supervisor(api):
    p = opened(api, rule="CLIENT_COMPLAINT")
    assert api.post(f"/v1/penalties/{p['penalty_id']}/appeal", {"reason": "x"}, as_="cm-002")[0] == 404
    assert api.post(f"/v1/penalties/{p['penalty_id']}/appeal", {"reason": "x"}, as_="sup-001")[0] == 403
    status, body = api.post(f"/v1/penalties/{p['penalty_id']}/appeal", {"reason": "客户误会"}, as_="cm-001")
    assert status == 200 and body["status"] == "under_appeal" and body["appeal"]["reason"] == "客户误会"
    assert api.post(f"/v1/penalties/{p['penalty_id']}/appeal", {"reason": "again"}, as_="cm-001")[0] == 409
    assert api.post(f"/v1/penalties/{p['penalty_id']}/settle", {"method": "cash"}, as_="sup-001")[0] == 409
    assert api.post(f"/v1/penalties/{p['penalty_id']}/void", {"reason": "x"}, as_="sup-001")[0] == 409
    decision = {"outcome": "overturned", "reason": "录音证明无过错"}
    assert api.post(f"/v1/penalties/{p['penalty_id']}/appeal/decision", decision, as_="sup-001")[0] == 403
    assert api.post(f"/v1/penalties/{p['penalty_id']}/appeal/decision", decision, as_="cm-001")[0] == 403
    assert api.post(f"/v1/penalties/{p['penalty_id']}/appeal/decision", decision, as_="sup-101")[0] == 404
    status, body = api.post(
        f"/v1/penalties/{p['penalty_id']}/appeal/decision", {"outcome": "maybe", "reason": "x"}, as_="sup-002"
    )
    assert status == 400 and field_of(body) == "outcome"
    status, body = api.post(f"/v1/penalties/{p['penalty_id']}/appeal/decision", decision, as_="sup-002")
    assert status == 200 and body["status"] == "overturned" and body["appeal"]["decided_by"] == "sup-002"
    assert api.post(f"/v1/penalties/{p['penalty_id']}/appeal/decision", decision, as_="cmp-001")[0] == 409
    _, detail = api.get(f"/v1/penalties/{p['penalty_id']}", as_="sup-001")
    assert [h["action"] for h in detail["history"]] == ["entered", "appealed", "appeal_overturned"]
    assert detail["reversal"]["cause"] == "appeal_overturned" and detail["reversal"]["points"] == -5
    # A second appeal stays refused even after the decision.
    assert api.post(f"/v1/penalties/{p['penalty_id']}/appeal", {"reason": "x"}, as_="cm-001")[0] == 409


def test_upheld_appeal_reopens_with_a_fresh_cash_window(api):
    with clock.freeze("2026-11-02T09:00:00+08:00"):
        p = opened(api, rule="LATE", breach="2026-11-01")
        assert p["due_on"] == "2026-11-16"
        api.post(f"/v1/penalties/{p['penalty_id']}/appeal", {"reason": "堵车"}, as_="cm-001")
    status, body = api.post(
        f"/v1/penalties/{p['penalty_id']}/appeal/decision", {"outcome": "upheld", "reason": "无证明"}, as_="cmp-001"
    )
    assert status == 200 and body["status"] == "open" and body["due_on"] == "2026-12-04"
    assert body["appeal"]["outcome"] == "upheld" and body["revision"] == 3
    status, body = api.post(f"/v1/penalties/{p['penalty_id']}/settle", {"method": "cash"}, as_="sup-001")
    assert status == 200


def test_two_concurrent_changes_cannot_both_win(api):
    from chalicelib.errors import Conflict
    from chalicelib.storage import penalties as repo

    p = opened(api, rule="LATE")
    stale = repo.get(p["penalty_id"])
    assert api.post(f"/v1/penalties/{p['penalty_id']}/settle", {"method": "cash"}, as_="sup-001")[0] == 200
    audit = {
        "at": NOW,
        "revision": 2,
        "action": "voided",
        "actor_id": "sup-002",
        "actor_role": "supervisor",
        "reason": "late",
        "changes": {},
    }
    with pytest.raises(Conflict):
        repo.replace(
            {**stale, "status": "voided", "revision": 2},
            expected_status="open",
            expected_revision=1,
            audit=audit,
            reversal={"points": -5},
        )
    _, detail = api.get(f"/v1/penalties/{p['penalty_id']}", as_="sup-001")
    assert detail["status"] == "paid_cash" and detail["reversal"] is None and len(detail["history"]) == 2


# --- escalations -----------------------------------------------------------------------------------
def flags_of(api, who="sup-001"):
    status, body = api.get("/v1/flags", as_=who)
    assert status == 200
    return {f["flag_id"]: f for f in body["items"]}


def test_three_days_absence_in_a_calendar_month_flags_dismissal(api):
    opened(api, rule="ABSENT_2_DAYS", breach="2026-10-30")
    opened(api, rule="ABSENT_1_DAY", breach="2026-11-02")
    assert not [f for f in flags_of(api) if f.startswith("ABSENCE")]  # 2 days in Oct, 1 in Nov
    opened(api, rule="ABSENT_HALF_DAY", breach="2026-11-05", occurrences=2)
    # 2 days in Nov, from single-day rules: the two-day rule (the month's base salary) is prompted.
    two = {k: v for k, v in flags_of(api).items() if k.startswith("ABSENCE")}
    assert (
        list(two) == ["ABSENCE2.cm-001.2026-11"] and two["ABSENCE2.cm-001.2026-11"]["recommendation"] == "ABSENT_2_DAYS"
    )
    opened(api, rule="ABSENT_1_DAY", breach="2026-11-06")
    flags = flags_of(api)
    flag = flags["ABSENCE.cm-001.2026-11"]
    assert flag["recommendation"] == "dismissal" and flag["kind"] == "absence_dismissal"
    assert len(flag["penalty_ids"]) == 3 and set(flag["notify"]) == {"supervisor", "compliance"}
    single = opened(api, manager="cm-002", rule="ABSENT_3_DAYS", breach="2026-11-03")
    assert flags_of(api)["ABSENCE.cm-002.2026-11"]["penalty_ids"] == [single["penalty_id"]]


def test_more_than_three_travel_breaches_in_a_month_flags_a_transfer(api):
    opened(api, rule="TRAVEL_RULE", breach="2026-10-31", occurrences=3)
    opened(api, rule="TRAVEL_RULE", breach="2026-11-01")
    assert not [f for f in flags_of(api) if f.startswith("TRAVEL")]
    opened(api, rule="TRAVEL_RULE", breach="2026-11-10", occurrences=2)
    assert not [f for f in flags_of(api) if f.startswith("TRAVEL")]  # 3 in November is not more than 3
    voided = opened(api, rule="TRAVEL_RULE", breach="2026-11-11")
    api.post(f"/v1/penalties/{voided['penalty_id']}/void", {"reason": "录错"}, as_="sup-001")
    opened(api, rule="TRAVEL_RULE", breach="2026-11-12")
    flag = flags_of(api)["TRAVEL.cm-001.2026-11"]
    assert flag["recommendation"] == "transfer" and len(flag["penalty_ids"]) == 3  # the voided one not counted


def test_repeated_breach_of_the_same_rule_within_a_calendar_month(api):
    opened(api, rule="LATE", breach="2026-10-31")
    opened(api, rule="LATE", breach="2026-11-01")
    opened(api, rule="DRESS", breach="2026-11-01")
    assert not [f for f in flags_of(api) if f.startswith("REPEAT")]
    opened(api, rule="LATE", breach="2026-11-15")
    flag = flags_of(api)["REPEAT.cm-001.LATE.2026-11"]
    assert flag["kind"] == "repeated_breach" and len(flag["penalty_ids"]) == 2
    opened(api, rule="LATE", breach="2026-11-16")  # raised once per manager, rule and month
    assert len([f for f in flags_of(api) if f.startswith("REPEAT")]) == 1
    opened(api, manager="cm-002", rule="WEB_MISUSE", occurrences=2)
    assert "REPEAT.cm-002.WEB_MISUSE.2026-11" in flags_of(api)


def test_false_claim_links_the_recorded_collision(api):
    from chalicelib.storage import base, keys

    base.put(
        {
            **keys.collision("col-7"),
            "collision_id": "col-7",
            "prospect_id": "pr-42",
            "branch_id": "br-pudong",
            "at": "2026-11-19T15:00:00+08:00",
        }
    )
    base.put(
        {
            **keys.collision("col-8"),
            "collision_id": "col-8",
            "prospect_id": "pr-43",
            "branch_id": "br-haidian",
            "attempted_by_branch": "br-haidian",
            "at": "2026-11-19T15:00:00+08:00",
        }
    )
    # Another branch's collision is answered as an unknown one.
    for other in ("col-8", "col-unknown"):
        status, body = fine(api, rule="FALSE_CLAIM", occurrences=2, collision_id=other)
        assert status == 404 and field_of(body) == "collision_id"
    p = opened(api, rule="FALSE_CLAIM", occurrences=2, collision_id="col-7")
    assert p["yuan"] == "400.00" and p["points"] == 0
    assert p["collision"] == {
        "collision_id": "col-7",
        "prospect_id": "pr-42",
        "recorded_at": "2026-11-19T15:00:00+08:00",
    }
    flag = flags_of(api, "cmp-001")[f"FALSE_CLAIM.{p['penalty_id']}"]
    assert flag["collision"]["prospect_id"] == "pr-42"
    without = opened(api, rule="FALSE_CLAIM")
    assert without["collision"] is None and f"FALSE_CLAIM.{without['penalty_id']}" in flags_of(api)


def test_flags_are_for_supervisors_of_the_branch_and_compliance(api):
    opened(api, rule="ABSENT_3_DAYS")
    for who in ("cm-001", "cba-001"):
        assert api.get("/v1/flags", as_=who)[0] == 403
    assert flags_of(api, "sup-101") == {}
    assert api.get("/v1/flags?branch_id=br-pudong", as_="sup-101")[0] == 403
    assert api.get("/v1/flags?staff_id=cm-001", as_="sup-101")[0] == 403
    assert "ABSENCE.cm-001.2026-11" in flags_of(api, "cmp-002")
    _, body = api.get("/v1/flags?staff_id=cm-001", as_="sup-002")
    assert [f["flag_id"] for f in body["items"]] == ["ABSENCE.cm-001.2026-11"]


# --- scorecards --------------------------------------------------------------------------------------
# The visits area's summary as the scorecard embeds it (its own tests are in test_visits.py).
ACTIVITY = {
    "manager_id": "cm-001",
    "date_from": "2026-11-01",
    "date_to": "2026-11-30",
    "quotas": {"phone_contacts_per_day": 5, "clients_per_outing": 2, "visit_days_per_week": 3},
    "days": [],
    "weeks": [
        {
            "week": "2026-W45",
            "visit_days": 3,
            "visit_dates": ["2026-11-03"],
            "working_days": 5,
            "leave_days": "0",
            "visit_days_required": 3,
            "visit_days_quota_met": True,
        }
    ],
    "totals": {
        "phone_contacts": 80,
        "visits": 90,
        "outings": 12,
        "clients_on_outings": 30,
        "working_days": 21,
        "working_days_phone_quota_met": 16,
        "outings_below_client_quota": 1,
        "leave_days": "0",
    },
}


@pytest.fixture
def activity(monkeypatch):
    from chalicelib.domain import scorecards

    calls = []

    def visits(manager_id, start, end):
        calls.append((manager_id, str(start), str(end)))
        return ACTIVITY

    monkeypatch.setattr(scorecards, "activity_summary", visits)
    monkeypatch.setattr(scorecards, "prospect_counts", lambda m, month: {"registered": 4, "converted": 1})
    return calls


def seed_month(api):
    """cm-001 in November: DRESS x2 (10 pts, paid cash 100), LATE (5 pts, open 50), TRADING_AT_WORK (10 pts,
    salary 200), CLIENT_COMPLAINT under appeal (5 pts, 50 owed), BRANCH_NOISE voided (3 pts, not counted),
    BANK_COMPLAINT with no income (payroll), LATE on 31 Oct (another month)."""
    a = opened(api, rule="DRESS", occurrences=2, breach="2026-11-03")
    api.post(f"/v1/penalties/{a['penalty_id']}/settle", {"method": "cash"}, as_="sup-001")
    opened(api, rule="LATE", breach="2026-11-04")
    c = opened(api, rule="TRADING_AT_WORK", breach="2026-11-05")
    api.post(f"/v1/penalties/{c['penalty_id']}/settle", {"method": "salary"}, as_="sup-001")
    d = opened(api, rule="CLIENT_COMPLAINT", breach="2026-11-06")
    api.post(f"/v1/penalties/{d['penalty_id']}/appeal", {"reason": "误会"}, as_="cm-001")
    e = opened(api, rule="BRANCH_NOISE", breach="2026-11-07")
    api.post(f"/v1/penalties/{e['penalty_id']}/void", {"reason": "录错"}, as_="sup-002")
    opened(api, rule="BANK_COMPLAINT", breach="2026-11-08")
    opened(api, rule="LATE", breach="2026-10-31")
    opened(api, manager="cm-002", rule="LATE", breach="2026-11-09")
    opened(api, manager="cm-002", rule="LATE", breach="2026-11-10")


def test_scorecard_figures_for_a_seeded_month(api, activity):
    seed_month(api)
    status, card = api.get("/v1/scorecards/cm-001?month=2026-11", as_="cm-001")
    assert status == 200
    assert card["starting_score"] == 100 and card["points_deducted"] == 30 and card["score"] == 70
    assert card["points_by_rule"] == {
        "BANK_COMPLAINT": {"penalties": 1, "occurrences": 1, "points": 0},
        "CLIENT_COMPLAINT": {"penalties": 1, "occurrences": 1, "points": 5},
        "DRESS": {"penalties": 1, "occurrences": 2, "points": 10},
        "LATE": {"penalties": 1, "occurrences": 1, "points": 5},
        "TRADING_AT_WORK": {"penalties": 1, "occurrences": 1, "points": 10},
    }
    assert card["yuan_owed"] == "100.00" and card["yuan_paid"] == "300.00"
    assert card["penalties_pending_payroll"] == 1 and card["open_appeals"] == 1 and card["voided_or_overturned"] == 1
    assert card["hr_recommendations"] == [
        {"penalty_id": card["hr_recommendations"][0]["penalty_id"], "recommendation": "transfer_off_outlet"}
    ]
    # DRESS x2 is a repeated breach; LATE on 31 Oct and 4 Nov are in different months, so no LATE flag.
    assert [(f["kind"], f["flag_id"]) for f in card["flags"]] == [("repeated_breach", "REPEAT.cm-001.DRESS.2026-11")]
    assert card["visits"]["activity"] == ACTIVITY
    assert card["visits"]["quotas"] == {"phone_contacts_per_day": 5, "clients_per_outing": 2, "visit_days_per_week": 3}
    assert card["prospects"] == {"registered": 4, "converted": 1}
    assert ("cm-001", "2026-11-01", "2026-11-30") in activity
    _, october = api.get("/v1/scorecards/cm-001?month=2026-10", as_="sup-001")
    assert october["points_deducted"] == 5 and october["score"] == 95 and october["yuan_owed"] == "50.00"


def test_scorecard_uses_real_visit_logs_and_prospects(api):
    from chalicelib import clock

    with clock.freeze("2026-11-20T18:00:00+08:00"):
        for hour in range(9, 14):
            assert (
                api.post(
                    "/v1/visits",
                    {
                        "kind": "phone",
                        "visited_at": f"2026-11-20T{hour:02d}:00:00+08:00",
                        "unit_name": "某单位",
                        "person_met": "王",
                        "discussed": "x",
                    },
                    as_="cm-001",
                )[0]
                == 201
            )
        assert (
            api.post(
                "/v1/prospects",
                {
                    "name": "赵六",
                    "phone": "13611112222",
                    "class": "B",
                    "source": "own_network",
                    "first_contact_on": "2026-11-20",
                },
                as_="cm-001",
            )[0]
            == 201
        )
        status, card = api.get("/v1/scorecards/cm-001?month=2026-11", as_="cm-001")
    assert status == 200
    assert card["visits"]["activity"]["totals"]["phone_contacts"] == 5
    assert card["prospects"] == {"registered": 1, "converted": 0}


def test_scorecard_access(api, activity):
    assert api.get("/v1/scorecards/cm-002?month=2026-11", as_="cm-001")[0] == 404
    assert api.get("/v1/scorecards/cm-001?month=2026-11", as_="sup-101")[0] == 404
    assert api.get("/v1/scorecards/sup-001?month=2026-11", as_="sup-002")[0] == 404
    assert api.get("/v1/scorecards/cm-001?month=2026-11", as_="cmp-001")[0] == 200
    assert api.get("/v1/scorecards/cm-001?month=2026-11", as_="cba-001")[0] == 403
    status, body = api.get("/v1/scorecards/cm-001", as_="cm-001")
    assert status == 400 and field_of(body) == "query.month"


def test_branch_rollup_and_csv(api, activity):
    seed_month(api)
    status, body = api.get("/v1/scorecards?month=2026-11", as_="sup-002")
    assert status == 200 and [c["manager_id"] for c in body["scorecards"]] == ["cm-001", "cm-002"]
    cm2 = body["scorecards"][1]
    assert cm2["points_deducted"] == 10 and cm2["score"] == 90 and cm2["yuan_owed"] == "100.00"
    assert [f["kind"] for f in cm2["flags"]] == ["repeated_breach"]
    assert body["totals"] == {
        "managers": 2,
        "points_deducted": 40,
        "yuan_owed": "200.00",
        "yuan_paid": "300.00",
        "open_appeals": 1,
        "flags": 2,
    }
    assert api.get("/v1/scorecards?month=2026-11", as_="cm-001")[0] == 403
    assert api.get("/v1/scorecards?month=2026-11&branch_id=br-haidian", as_="sup-001")[0] == 403
    _, other = api.get("/v1/scorecards?month=2026-11&branch_id=br-haidian", as_="cmp-001")
    assert [c["manager_id"] for c in other["scorecards"]] == ["cm-101"]

    status, csv_body = api.get("/v1/scorecards.csv?month=2026-11", as_="sup-001")
    assert status == 200 and api.last.headers["Content-Type"].startswith("text/csv")
    text = csv_body.decode("utf-8") if isinstance(csv_body, bytes) else csv_body
    assert text.startswith("\ufeff"), "Excel needs the BOM to read UTF-8"
    lines = text.removeprefix("\ufeff").strip().splitlines()
    assert lines[0].startswith("month,branch_id,manager_id,manager_name,starting_score,points_deducted,score")
    assert lines[1] == "2026-11,br-pudong,cm-001,王晓明,100,30,70,100.00,300.00,1,1,1"
    assert lines[2] == "2026-11,br-pudong,cm-002,李娜,100,10,90,100.00,0.00,0,0,1"
    assert api.get("/v1/scorecards.csv?month=2026-11", as_="cm-001")[0] == 403
    status, body = api.get("/v1/scorecards.csv?month=nov", as_="sup-001")
    assert status == 400 and field_of(body) == "query.month"


def test_a_retry_after_the_flags_failed_enters_the_penalty_once(api, monkeypatch):
    """The penalty is stored before the escalation flags; a failure there must not make a retry store it twice."""
    from chalicelib.domain import penalties

    def broken(record):
        raise RuntimeError("flags table throttled")

    monkeypatch.setattr(penalties, "raise_escalations", broken)
    body = {"manager_id": "cm-001", "rule_code": "LATE", "breach_date": "2026-11-19", "evidence_note": "考勤"}
    headers = {"Idempotency-Key": "penalty-form-0001"}
    with clock.freeze("2026-11-20T10:00:00+08:00"):
        first = api.post("/v1/penalties", body, as_="sup-001", headers=headers)
        again = api.post("/v1/penalties", body, as_="sup-001", headers=headers)
        listed = api.get("/v1/penalties?manager_id=cm-001", as_="sup-001")[1]["items"]
    assert first[0] == 201 and again == first
    assert [p["penalty_id"] for p in listed] == [first[1]["penalty_id"]]
