"""The reveal policy through the API (issue 16 §1): full numbers only for the work that needs them.

An agent gets an account's contact only while holding an open task on it; compliance only with a
case reference; a manager only for their own prospect or visit. Every attempt, granted or refused,
is in the disclosure audit with the fields actually shown, and a daily budget caps each person.
"""

from __future__ import annotations

import json

import pytest

from chalicelib import clock
from chalicelib.config import reset_settings
from chalicelib.domain import outbox
from chalicelib.storage import base, keys
from chalicelib.storage import outbox as outbox_repo
from tests.factories.tasks import PHONE, make_account, make_task

NOW = "2026-11-20T10:00:00+08:00"
CALLBACK = {"purpose": "callback", "reason": "回访前核对客户号码"}
CASE = {"purpose": "compliance_case", "reason": "投诉调查需核对身份信息", "case_ref": "CASE-2026-0042"}


@pytest.fixture
def frozen():
    with clock.freeze(NOW):
        yield


def audit_of(subject_kind: str, subject_id: str) -> list[dict]:
    return base.query_all(f"SUBJECT#{subject_kind}#{subject_id}#AUDIT", index="gsi1")


def test_an_agent_without_a_task_on_the_account_is_refused_and_the_attempt_audited(api, frozen):
    make_account("A001")
    status, body = api.post("/v1/accounts/A001/reveal", CALLBACK, as_="cba-001")
    assert status == 403 and PHONE not in json.dumps(body)
    [record] = audit_of("account", "A001")
    assert record["outcome"] == "refused" and record["actor_id"] == "cba-001" and record["fields"] == []
    assert record["requested"] == ["client_name", "phone"] and "task" in record["refusal"]


def test_the_agent_holding_an_open_task_sees_name_and_phone_but_not_the_id_number(api, frozen):
    make_account("A001")
    make_task("dormant", "A001", business_date="2026-11-20", assignee_id="cba-001")
    status, body = api.post("/v1/accounts/A001/reveal", CALLBACK, as_="cba-001")
    assert status == 200 and body["phone"] == PHONE and body["client_name"] == "张三"
    assert body.get("id_number") is None
    # Another agent of the branch, holding nothing on this account, is still refused.
    assert api.post("/v1/accounts/A001/reveal", CALLBACK, as_="cba-002")[0] == 403
    granted = [r for r in audit_of("account", "A001") if r["outcome"] == "granted"]
    assert [(r["actor_id"], r["fields"], r["audit_id"]) for r in granted] == [
        ("cba-001", ["client_name", "phone"], body["audit_id"])
    ]


def test_a_finished_task_no_longer_entitles_its_agent(api, frozen):
    make_account("A001")
    make_task("dormant", "A001", business_date="2026-11-20", assignee_id="cba-001", status="done")
    assert api.post("/v1/accounts/A001/reveal", CALLBACK, as_="cba-001")[0] == 403


def test_compliance_needs_a_case_and_then_sees_only_the_fields_that_exist(api, frozen):
    make_account("A001")  # no ID number on file
    status, body = api.post(
        "/v1/accounts/A001/reveal", {**CASE, "purpose": "complaint", "case_ref": None}, as_="cmp-001"
    )
    assert status == 403
    status, body = api.post("/v1/accounts/A001/reveal", CASE, as_="cmp-001")
    assert status == 200 and body["phone"] == PHONE
    granted = [r for r in audit_of("account", "A001") if r["outcome"] == "granted"]
    # The audit lists what was shown, not what was asked for: there was no ID number to show.
    assert granted[0]["fields"] == ["client_name", "phone"] and granted[0]["requested"][-1] == "id_number"
    assert granted[0]["case_ref"] == "CASE-2026-0042"


@pytest.mark.parametrize(
    "body, field",
    [
        ({"reason": "回访前核对客户号码"}, "purpose"),
        ({"purpose": "ab", "reason": "回访前核对客户号码"}, "purpose"),
        ({"purpose": "callback", "reason": "ab"}, "reason"),
        ({"purpose": "callback", "reason": "aaaaaaaaaaaa"}, "reason"),
        ({"purpose": "compliance_case", "reason": "投诉调查需核对身份信息"}, "case_ref"),
    ],
)
def test_a_purpose_is_one_of_the_list_with_a_sentence(api, frozen, body, field):
    make_account("A001")
    status, out = api.post("/v1/accounts/A001/reveal", body, as_="cmp-001")
    assert status == 400 and field in {d["field"] for d in out["error"]["details"]}
    assert audit_of("account", "A001") == []


def test_another_agents_task_reveal_is_refused_as_unknown_and_audited(api, frozen):
    make_account("A001")
    task = make_task("dormant", "A001", business_date="2026-11-20", assignee_id="cba-001")
    assert api.post(f"/v1/callback-tasks/{task['task_id']}/reveal", as_="cba-002")[0] == 404
    [record] = audit_of("account", "A001")
    assert (record["actor_id"], record["outcome"]) == ("cba-002", "refused")


def test_the_disclosure_audit_lists_refusals_for_compliance(api, frozen):
    make_account("A001")
    api.post("/v1/accounts/A001/reveal", CALLBACK, as_="cba-001")
    status, page = api.get("/v1/audit/reveals?month=2026-11", as_="cmp-001")
    assert status == 200
    [item] = page["items"]
    assert item["outcome"] == "refused" and item["reason"] == CALLBACK["reason"] and item["refusal"]


def test_the_daily_budget_refuses_past_it_and_alerts_once(api, frozen, monkeypatch):
    monkeypatch.setenv("FIELDDESK_REVEAL_DAILY_BUDGET", "2")
    reset_settings()
    make_account("A001")
    task = make_task("dormant", "A001", business_date="2026-11-20", assignee_id="cba-001")
    url = f"/v1/callback-tasks/{task['task_id']}/reveal"
    assert [api.post(url, as_="cba-001")[0] for _ in range(2)] == [200, 200]
    status, body = api.post(url, as_="cba-001")
    assert status == 429 and body["error"]["code"] == "reveal_budget_exhausted" and PHONE not in json.dumps(body)
    api.post(url, as_="cba-001")
    outcomes = [r["outcome"] for r in audit_of("account", "A001")]
    assert sorted(outcomes) == ["granted", "granted", "refused", "refused"]
    counter = base.get_item(**keys.reveal_budget("cba-001", "2026-11-20"))
    assert counter["granted"] == 2
    # One alert for the day, however often the budget is hit.
    entry = outbox.entry("escalation", "reveal_budget|cba-001|2026-11-20", {})
    stored = outbox_repo.get(entry["entry_id"])
    assert stored and stored["payload"]["kind"] == "reveal_budget_exhausted"
    assert stored["payload"]["record"]["staff_id"] == "cba-001"
    # Another person's budget is their own.
    make_account("A002")
    other = make_task("dormant", "A002", business_date="2026-11-20", assignee_id="cba-002")
    assert api.post(f"/v1/callback-tasks/{other['task_id']}/reveal", as_="cba-002")[0] == 200


def test_a_visit_contact_is_for_the_manager_who_logged_it_not_the_supervisor(api):
    from tests.api.test_visits import NOW as AT_NOON
    from tests.api.test_visits import record

    with clock.freeze(AT_NOON):
        vid = record(api)["visit_id"]
        reason = {"purpose": "follow_up", "reason": "回电确认拜访对象"}
        assert api.post(f"/v1/visits/{vid}/reveal", reason, as_="sup-001")[0] == 403
        status, body = api.post(f"/v1/visits/{vid}/reveal", reason, as_="cm-001")
        assert status == 200 and body["person_contact"]
        assert api.post(f"/v1/visits/{vid}/reveal", reason, as_="cmp-001")[0] == 403
        assert api.post(f"/v1/visits/{vid}/reveal", CASE, as_="cmp-001")[0] == 200
        outcomes = sorted((r["actor_id"], r["outcome"]) for r in audit_of("visit", vid))
    assert outcomes == [("cm-001", "granted"), ("cmp-001", "granted"), ("cmp-001", "refused"), ("sup-001", "refused")]
