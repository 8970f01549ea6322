"""Complaints 投诉 from the user's side: recorded by each role and a partner outlet, owned, handled within
8 hours or escalated once (002 第二十条 §4), resolved with a resolution, linked to the penalty that followed."""

from __future__ import annotations

import json

import pytest

from chalicelib import clock
from chalicelib.jobs import sweeps
from chalicelib.storage import base, keys
from chalicelib.storage import problems as problem_repo
from tests.factories.tasks import make_account, make_task

NOW = "2026-11-20T10:00:00+08:00"  # Friday
BODY = {
    "account_id": "A001",
    "channel": "phone",
    "content": "经理承诺的佣金没有兑现",
    "received_at": "2026-11-20T09:30:00+08:00",
}


@pytest.fixture
def frozen(api):
    with clock.freeze(NOW):
        make_account("A001")  # served by cm-001
        make_account("A002", serving_manager_id="cm-002", client_name="李四")
        make_account("H001", branch_id="br-haidian", serving_manager_id="cm-101")
        yield


@pytest.fixture
def alerts(monkeypatch):
    sent = []
    original = problem_repo.notify_escalation
    monkeypatch.setattr(
        problem_repo, "notify_escalation", lambda kind, rec: (sent.append((kind, rec)), original(kind, rec))
    )
    return sent


@pytest.fixture
def outlet_key(api):
    status, issued = api.post("/v1/outlets/ot-icbc-lujiazui/api-keys", {"label": "complaints"}, as_="adm-001")
    assert status == 201
    return issued["api_key"]


def record(api, as_="cm-001", **changes):
    status, body = api.post("/v1/complaints", {**BODY, **changes}, as_=as_)
    assert status == 201, body
    return body


def field_of(body):
    return body["error"]["details"][0]["field"]


def _move(api, cid, to, as_="cm-001", **extra):
    return api.post(f"/v1/complaints/{cid}/transition", {"to": to, **extra}, as_=as_)


def _sweep(when):
    with clock.freeze(when):
        return sweeps.run()["complaints"]


# --- recording -------------------------------------------------------------------------------------
def test_a_manager_records_a_complaint_with_an_owner_and_an_8_hour_clock(api, frozen):
    c = record(api)
    assert c["status"] == "open" and c["source"] == "manager" and c["recorded_by"] == "cm-001"
    assert c["owner_id"] == "cm-001" and c["branch_id"] == "br-pudong" and c["client_name"] == "张*"
    assert c["due_at"] == "2026-11-20T17:30:00+08:00" and c["overdue"] is False and c["escalated"] is False
    assert c["history"][0]["to"] == "open"


def test_the_owner_is_the_clients_serving_manager(api, frozen):
    c = record(api, account_id="A002")  # cm-001 records; cm-002 serves the client
    assert c["owner_id"] == "cm-002" and c["client_name"] == "李*"
    assert api.get(f"/v1/complaints/{c['complaint_id']}", as_="cm-001")[0] == 200  # the recorder reads it
    assert _move(api, c["complaint_id"], "in_progress", as_="cm-001")[0] == 403  # but the owner handles it
    assert _move(api, c["complaint_id"], "in_progress", as_="cm-002")[0] == 200


def test_a_supervisor_records_and_reassigns(api, frozen):
    c = record(api, as_="sup-001", account_id=None, client_name="王五", channel="in_person")
    assert c["source"] == "supervisor" and c["owner_id"] is None and c["client_name"] == "王*"
    status, moved = api.post(f"/v1/complaints/{c['complaint_id']}/owner", {"owner_id": "cm-002"}, as_="sup-001")
    assert status == 200 and moved["owner_id"] == "cm-002"
    _, mine = api.get("/v1/complaints", as_="cm-002")
    assert [i["complaint_id"] for i in mine["items"]] == [c["complaint_id"]]
    # Another branch's manager, a non-manager or an unknown id: the same 404 naming the field.
    for who in ("cm-101", "cba-001", "nobody"):
        status, body = api.post(f"/v1/complaints/{c['complaint_id']}/owner", {"owner_id": who}, as_="sup-001")
        assert status == 404 and field_of(body) == "owner_id", who
    assert api.post(f"/v1/complaints/{c['complaint_id']}/owner", {"owner_id": "cm-001"}, as_="cm-001")[0] == 403


def test_a_callback_agent_records_from_a_callback_task(api, frozen):
    task = make_task("new_account", "A001")
    c = record(api, as_="cba-001", account_id=None, task_id=task["task_id"], channel="callback")
    assert c["source"] == "callback" and c["account_id"] == "A001" and c["task_id"] == task["task_id"]
    assert c["owner_id"] == "cm-001"
    foreign = make_task("new_account", "H001", branch_id="br-haidian")
    for task_id in (foreign["task_id"], "new_account.NOPE.2026-11-19"):
        status, body = api.post("/v1/complaints", {**BODY, "task_id": task_id, "account_id": None}, as_="cba-001")
        assert status == 404 and field_of(body) == "task_id"
    status, body = api.post("/v1/complaints", {**BODY, "task_id": task["task_id"]}, as_="cm-001")
    assert status == 400 and field_of(body) == "task_id"
    status, body = api.post("/v1/complaints", {**BODY, "task_id": task["task_id"], "account_id": "A002"}, as_="cba-001")
    assert status == 400 and field_of(body) == "account_id"


def test_a_partner_outlet_records_with_its_own_key(api, frozen, outlet_key):
    status, c = api.post(
        "/v1/complaints",
        {"client_name": "赵六", "channel": "outlet", "content": "经理离岗", "received_at": BODY["received_at"]},
        api_key=outlet_key,
    )
    assert status == 201 and c["source"] == "outlet" and c["outlet_id"] == "ot-icbc-lujiazui"
    assert c["recorded_by"] == "ot-icbc-lujiazui" and c["owner_id"] == "cm-001"  # stationed at that outlet
    assert c["client_name"] == "赵*"
    status, body = api.post("/v1/complaints", BODY, api_key=outlet_key)  # outlets do not name accounts
    assert status == 400 and field_of(body) == "account_id"
    assert api.get("/v1/complaints", api_key=outlet_key)[0] == 403
    assert api.get(f"/v1/complaints/{c['complaint_id']}", api_key=outlet_key)[0] == 403


@pytest.mark.parametrize("who", ["cmp-001", "adm-001", "sys-001"])
def test_oversight_and_system_do_not_record(api, frozen, who):
    assert api.post("/v1/complaints", BODY, as_=who)[0] == 403


def test_bad_input_names_the_field(api, frozen):
    cases = [
        ({"channel": "carrier_pigeon"}, "channel"),
        ({"content": ""}, "content"),
        ({"received_at": "2026-11-20T09:30:00"}, "received_at"),  # no offset
        ({"received_at": "2026-11-20T12:00:00+08:00"}, "received_at"),  # in the future
        ({"received_at": "2026-11-16T09:00:00+08:00"}, "received_at"),  # older than 72 hours
        ({"account_id": None}, "client_name"),
        ({"source": "outlet"}, "source"),
        ({"owner_id": "cm-002"}, "owner_id"),
    ]  # set by the server
    for change, field in cases:
        status, body = api.post("/v1/complaints", {**BODY, **change}, as_="cm-001")
        assert status == 400 and field_of(body) == field, (change, body)
    status, body = api.get("/v1/complaints?status=closed", as_="sup-001")
    assert status == 400 and field_of(body) == "query.status"
    status, body = api.get("/v1/complaints", as_="cmp-001")
    assert status == 400 and field_of(body) == "query.branch_id"


def test_a_foreign_account_answers_like_an_unknown_one(api, frozen):
    foreign = api.post("/v1/complaints", {**BODY, "account_id": "H001"}, as_="cm-001")
    unknown = api.post("/v1/complaints", {**BODY, "account_id": "NOPE"}, as_="cm-001")
    assert foreign[0] == unknown[0] == 404
    assert foreign[1]["error"]["details"] == [{"field": "account_id", "message": "unknown account H001"}]


def test_a_retried_post_stores_one_complaint(api, frozen):
    headers = {"Idempotency-Key": "complaint-retry-0001"}
    s1, first = api.post("/v1/complaints", BODY, as_="cm-001", headers=headers)
    s2, second = api.post("/v1/complaints", BODY, as_="cm-001", headers=headers)
    assert s1 == s2 == 201 and first["complaint_id"] == second["complaint_id"]
    from chalicelib.api import idempotency

    idempotency.reset()  # the table forgot it: the data itself recognises the retry
    s3, third = api.post("/v1/complaints", BODY, as_="cm-001", headers=headers)
    assert s3 == 201 and third["complaint_id"] == first["complaint_id"]
    assert len(api.get("/v1/complaints", as_="cm-001")[1]["items"]) == 1


def test_client_names_are_stored_sealed_and_never_logged(api, frozen, capsys):
    c = record(api, as_="sup-001", account_id=None, client_name="欧阳修远")
    item = base.get_item(**keys.complaint(c["complaint_id"]))
    assert "欧阳修远" not in json.dumps(item, ensure_ascii=False, default=str)
    assert c["client_name"] == "欧***"
    out = capsys.readouterr()
    assert "欧阳修远" not in out.out + out.err and BODY["content"] not in out.out + out.err


# --- handling --------------------------------------------------------------------------------------
def test_open_in_progress_resolved_needs_a_resolution(api, frozen):
    c = record(api)
    cid = c["complaint_id"]
    assert _move(api, cid, "in_progress")[1]["status"] == "in_progress"
    status, body = _move(api, cid, "resolved")
    assert status == 400 and field_of(body) == "note"
    status, done = _move(api, cid, "resolved", note="已向客户解释佣金标准并致歉")
    assert status == 200 and done["status"] == "resolved" and done["resolution"].startswith("已向客户")
    assert done["resolved_in_time"] is True and done["overdue"] is False
    assert [h["to"] for h in done["history"]] == ["open", "in_progress", "resolved"]
    assert _move(api, cid, "in_progress")[0] == 422
    status, body = api.post(f"/v1/complaints/{cid}/transition", {"to": "closed"}, as_="cm-001")
    assert status == 400 and field_of(body) == "to"


def test_the_supervisor_handles_their_branchs_complaints(api, frozen):
    c = record(api)
    assert _move(api, c["complaint_id"], "resolved", as_="sup-001", note="主管电话回复客户")[0] == 200
    other = record(api)
    assert _move(api, other["complaint_id"], "in_progress", as_="sup-101")[0] == 404
    assert _move(api, other["complaint_id"], "in_progress", as_="cm-101")[0] == 404


# --- the 8-hour clock ------------------------------------------------------------------------------
def test_an_unresolved_complaint_escalates_once_when_its_8_hours_run_out(api, frozen, alerts):
    late = record(api)  # due 17:30
    handled = record(api, account_id="A002")
    _move(api, handled["complaint_id"], "resolved", as_="cm-002", note="已解决")
    alerts.clear()

    assert _sweep("2026-11-20T17:45:00+08:00")["escalated"] == []  # hour 17 is not over yet
    r = _sweep("2026-11-20T18:05:00+08:00")
    assert r["escalated"] == [late["complaint_id"]]
    assert [(k, rec["complaint_id"], rec["audience"]) for k, rec in alerts] == [
        ("complaint_overdue", late["complaint_id"], ["supervisor", "branch_manager"])
    ]
    assert "content" not in alerts[0][1] and "client_name" not in json.dumps(alerts[0][1])
    assert _sweep("2026-11-20T19:05:00+08:00")["escalated"] == []  # later runs: nothing twice
    assert len(alerts) == 1

    with clock.freeze("2026-11-20T19:10:00+08:00"):
        status, one = api.get(f"/v1/complaints/{late['complaint_id']}", as_="sup-001")
        assert one["escalated"] is True and one["overdue"] is True
        assert one["escalated_at"].startswith("2026-11-20T18")
        _, overdue = api.get("/v1/complaints?overdue=true", as_="sup-001")
        assert [i["complaint_id"] for i in overdue["items"]] == [late["complaint_id"]]
        _, done = _move(api, late["complaint_id"], "resolved", note="超时后解决")
        assert done["resolved_in_time"] is False and done["escalated"] is True


def test_a_rerun_over_the_same_hours_escalates_nothing_twice(api, frozen, alerts):
    from chalicelib.domain import complaint_escalation
    from chalicelib.storage import callback_work

    c = record(api)
    assert _sweep("2026-11-20T18:05:00+08:00")["escalated"] == [c["complaint_id"]]
    base.put({**keys.job_watermark(complaint_escalation.SWEEP_JOB), "value": "2026-11-19T23"})  # an operator rewinds
    assert _sweep("2026-11-20T18:10:00+08:00")["escalated"] == []
    assert [k for k, _ in alerts] == ["complaint_overdue"]
    assert callback_work.get_watermark(complaint_escalation.SWEEP_JOB) == "2026-11-20T17"


def test_the_clock_is_the_complaint_handle_hours_setting(api, frozen, monkeypatch):
    from chalicelib.config import reset_settings

    monkeypatch.setenv("FIELDDESK_COMPLAINT_HANDLE_HOURS", "2")
    reset_settings()
    assert record(api)["due_at"] == "2026-11-20T11:30:00+08:00"


def test_a_complaint_received_past_its_clock_escalates_as_it_is_recorded(api, frozen, alerts):
    c = record(api, received_at="2026-11-19T20:00:00+08:00")  # 14 hours ago, still within 72
    assert c["escalated"] is True and c["overdue"] is True
    assert [(k, rec["complaint_id"]) for k, rec in alerts] == [("complaint_overdue", c["complaint_id"])]
    assert _sweep("2026-11-20T11:05:00+08:00")["escalated"] == []
    assert len(alerts) == 1


# --- the penalty that followed ---------------------------------------------------------------------
def _penalty(api, rule, manager="cm-001", as_="sup-001"):
    income = {"income_yuan": "8000"} if rule == "BANK_COMPLAINT" else {}
    status, p = api.post(
        "/v1/penalties",
        {"manager_id": manager, "rule_code": rule, "breach_date": "2026-11-20", "evidence_note": "客户投诉", **income},
        as_=as_,
    )
    assert status == 201, p
    return p["penalty_id"]


def test_the_supervisor_links_the_complaint_penalty(api, frozen):
    c = record(api)
    link = f"/v1/complaints/{c['complaint_id']}/penalty"
    dress = _penalty(api, "DRESS")
    status, body = api.post(link, {"penalty_id": dress}, as_="sup-001")
    assert status == 400 and field_of(body) == "penalty_id"
    foreign = _penalty(api, "CLIENT_COMPLAINT", manager="cm-101", as_="sup-101")
    for pid in (foreign, "nope"):
        status, body = api.post(link, {"penalty_id": pid}, as_="sup-001")
        assert status == 404 and body["error"]["details"] == [
            {"field": "penalty_id", "message": f"unknown penalty {pid}"}
        ]
    assert api.post(link, {"penalty_id": _penalty(api, "CLIENT_COMPLAINT")}, as_="cm-001")[0] == 403
    voided = _penalty(api, "CLIENT_COMPLAINT")
    assert api.post(f"/v1/penalties/{voided}/void", {"reason": "投诉不实"}, as_="sup-002")[0] == 200
    assert api.post(link, {"penalty_id": voided}, as_="sup-001")[0] == 422
    bank = _penalty(api, "BANK_COMPLAINT")
    status, linked = api.post(link, {"penalty_id": bank}, as_="sup-001")
    assert status == 200 and linked["penalty_id"] == bank
    assert api.post(link, {"penalty_id": bank}, as_="sup-001")[0] == 200  # the same link again
    assert api.post(link, {"penalty_id": _penalty(api, "CLIENT_COMPLAINT")}, as_="sup-001")[0] == 409


# --- reading ---------------------------------------------------------------------------------------
def test_who_lists_and_reads_what(api, frozen):
    mine = record(api)
    theirs = record(api, as_="cm-002", account_id="A002")
    with clock.freeze(NOW):
        haidian = record(api, as_="cm-101", account_id="H001")
    _move(api, theirs["complaint_id"], "resolved", as_="cm-002", note="已解决")
    ids = lambda page: [i["complaint_id"] for i in page["items"]]  # noqa: E731
    assert ids(api.get("/v1/complaints", as_="cm-001")[1]) == [mine["complaint_id"]]
    assert set(ids(api.get("/v1/complaints", as_="sup-001")[1])) == {mine["complaint_id"], theirs["complaint_id"]}
    assert ids(api.get("/v1/complaints?status=resolved", as_="sup-001")[1]) == [theirs["complaint_id"]]
    assert ids(api.get("/v1/complaints?overdue=false&status=open", as_="sup-001")[1]) == [mine["complaint_id"]]
    assert api.get("/v1/complaints?branch_id=br-haidian", as_="sup-001")[0] == 403
    assert ids(api.get("/v1/complaints?branch_id=br-haidian", as_="cmp-001")[1]) == [haidian["complaint_id"]]
    assert ids(api.get("/v1/complaints?branch_id=br-pudong&month=2026-10", as_="cmp-001")[1]) == []
    # Outside the caller's scope, a complaint answers exactly like an unknown one.
    for who, cid in (
        ("cm-001", theirs["complaint_id"]),
        ("sup-101", mine["complaint_id"]),
        ("cm-101", mine["complaint_id"]),
        ("cm-001", "nope"),
    ):
        status, body = api.get(f"/v1/complaints/{cid}", as_=who)
        assert status == 404 and body["error"]["code"] == "not_found", (who, cid)
    assert api.get(f"/v1/complaints/{haidian['complaint_id']}", as_="cmp-001")[0] == 200
    assert api.get("/v1/complaints", as_="cba-001")[0] == 403


def test_the_scorecard_counts_a_managers_complaints_of_the_month(api, frozen):
    a = record(api)
    record(api, received_at="2026-11-19T20:00:00+08:00")  # escalated as recorded
    _move(api, a["complaint_id"], "resolved", note="已解决")
    record(api, account_id="A002")  # cm-002's
    status, card = api.get("/v1/scorecards/cm-001?month=2026-11", as_="sup-001")
    assert status == 200
    assert card["complaints"] == {"received": 2, "resolved": 1, "resolved_in_time": 1, "escalated": 1, "open": 1}
    assert api.get("/v1/scorecards/cm-001?month=2026-10", as_="sup-001")[1]["complaints"]["received"] == 0
    _, rollup = api.get("/v1/scorecards?month=2026-11", as_="sup-001")
    by_manager = {c["manager_id"]: c["complaints"]["received"] for c in rollup["scorecards"]}
    assert by_manager == {"cm-001": 2, "cm-002": 1}
