"""An agent's day through the API: lists, claims, reveal, attempts, fallback, escalation, review."""

from __future__ import annotations

import json

import pytest

from chalicelib import clock
from chalicelib.storage import audit, base, keys
from tests.factories.tasks import CHECKLIST, PHONE, REACHED, make_account, make_task

NOW = "2026-11-20T10:00:00+08:00"  # a Friday
NO_ANSWER = {"channel": "phone", "reached": False, "reason": "no_answer"}


@pytest.fixture
def frozen():
    with clock.freeze(NOW):
        yield


def _tid(trigger, account, episode):
    return keys.callback_task_id(trigger, account, episode)


def _staff_load(staff_id):
    return int((base.get_item(**keys.agent_load(staff_id)) or {}).get("open_tasks", 0))


def test_the_whole_day_of_an_agent(api, frozen):
    for a in ("A001", "A002", "A003", "A004"):
        make_account(a)
    overdue = make_task("new_account", "A001", business_date="2026-11-18", due_on="2026-11-19")
    low = make_task("dormant", "A002", business_date="2026-11-20", due_on="2026-11-20", priority=5)
    urgent = make_task("large_outflow", "A003", business_date="2026-11-20", due_on="2026-11-20", priority=0)
    queued = make_task("periodic", "A004", business_date="2026-11-20", due_on="2026-11-21", assignee_id=None)

    status, mine = api.get("/v1/callback-tasks/mine", as_="cba-001")
    assert status == 200
    # Risk first (issue 13 item 8), then the deadline: the overdue ordinary task before today's.
    assert [t["task_id"] for t in mine["items"]] == [urgent["task_id"], overdue["task_id"], low["task_id"]]
    assert mine["items"][1]["overdue"] is True and mine["items"][0]["overdue"] is False
    # Task cards show the masked phone (issue 20 §3), never the full one.
    assert [t["phone_masked"] for t in mine["items"]] == ["138****5678"] * 3 and PHONE not in json.dumps(mine)
    status, q = api.get("/v1/callback-tasks/queue", as_="cba-002")
    assert status == 200 and [t["task_id"] for t in q["items"]] == [queued["task_id"]]
    assert q["items"][0]["phone_masked"] == "138****5678" and PHONE not in json.dumps(q)

    status, claimed = api.post(f"/v1/callback-tasks/{queued['task_id']}/claim", as_="cba-001")
    assert status == 200 and claimed["assignee_id"] == "cba-001"
    assert _staff_load("cba-001") == 1
    _, q = api.get("/v1/callback-tasks/queue", as_="cba-002")
    assert q["items"] == []
    _, mine = api.get("/v1/callback-tasks/mine", as_="cba-001")
    assert queued["task_id"] in [t["task_id"] for t in mine["items"]]

    status, detail = api.get(f"/v1/callback-tasks/{low['task_id']}", as_="cba-001")
    assert status == 200 and detail["phone_masked"] == "138****5678" and PHONE not in json.dumps(detail)
    status, shown = api.post(f"/v1/callback-tasks/{low['task_id']}/reveal", as_="cba-001")
    assert status == 200 and shown["phone"] == PHONE
    reveals = audit.list_subject_reveals("account", "A002", limit=10).items
    assert [(r["actor_id"], r["fields"]) for r in reveals] == [("cba-001", ["phone", "client_name"])]
    assert shown["client_name"] == "张三"

    status, result = api.post(f"/v1/callback-tasks/{low['task_id']}/attempts", REACHED, as_="cba-001")
    assert status == 201, result
    assert result["task"]["status"] == "done" and result["task"]["outcome"]["satisfaction"] == 5
    assert result["task"]["outcome"]["checklist"] == CHECKLIST
    assert _staff_load("cba-001") == 0  # finished: the counter came down (never below zero)
    _, mine = api.get("/v1/callback-tasks/mine", as_="cba-001")
    assert low["task_id"] not in [t["task_id"] for t in mine["items"]]
    _, detail = api.get(f"/v1/callback-tasks/{low['task_id']}", as_="cba-001")
    assert [h["reached"] for h in detail["history"]] == [True] and detail["history"][0]["recording_ref"] == "rec-0001"
    # The number dialled is kept, masked in the view and never shown in clear.
    assert detail["history"][0]["dialled_number_masked"] == "138****5678" and PHONE not in json.dumps(detail)

    # A finished task is read-only.
    status, body = api.post(f"/v1/callback-tasks/{low['task_id']}/attempts", REACHED, as_="cba-001")
    assert status == 422 and "read-only" in body["error"]["message"]
    status, _ = api.post(f"/v1/callback-tasks/{low['task_id']}/reveal", as_="cba-001")
    assert status == 422
    assert base.get_item(**keys.callback_task(low["task_id"])).get("gsi3pk") is None


@pytest.mark.parametrize("who", ["cm-001", "sup-001", "cmp-001", "adm-001", "sys-001"])
def test_only_callback_agents_work_tasks(api, frozen, who):
    make_account("A001")
    t = make_task("new_account", "A001", assignee_id=None)
    for method, path, body in (
        ("GET", "/v1/callback-tasks/mine", None),
        ("POST", f"/v1/callback-tasks/{t['task_id']}/claim", None),
        ("POST", f"/v1/callback-tasks/{t['task_id']}/reveal", None),
        ("POST", f"/v1/callback-tasks/{t['task_id']}/attempts", REACHED),
    ):
        status, resp = api.call(method, path, body, as_=who)
        assert status == 403, (path, resp)
    status, _ = api.get(f"/v1/callback-tasks/{t['task_id']}", as_=who)
    assert status == (200 if who in ("cmp-001", "adm-001") else 403)


def test_the_clients_own_manager_never_works_the_task(api, frozen):
    # cba-002 once served this client (e.g. moved from marketing): independence forbids the callback.
    make_account("A001", serving_manager_id="cba-002")
    t = make_task("new_account", "A001", assignee_id=None, serving_manager_id="cba-002")
    status, body = api.post(f"/v1/callback-tasks/{t['task_id']}/claim", as_="cba-002")
    assert status == 403 and "serving manager" in body["error"]["message"]
    status, _ = api.post(f"/v1/callback-tasks/{t['task_id']}/claim", as_="cba-001")
    assert status == 200


def test_reveal_and_attempts_only_for_the_holder(api, frozen):
    make_account("A001")
    t = make_task("new_account", "A001", assignee_id="cba-001")
    status, _ = api.post(f"/v1/callback-tasks/{t['task_id']}/reveal", as_="cba-002")
    assert status == 404
    status, _ = api.get(f"/v1/callback-tasks/{t['task_id']}", as_="cba-002")
    assert status == 404
    status, _ = api.post(f"/v1/callback-tasks/{t['task_id']}/attempts", NO_ANSWER, as_="cba-002")
    assert status == 404
    # The refused reveal is audited (who tried), and nothing was shown.
    assert [
        (r["actor_id"], r["outcome"], r["fields"])
        for r in audit.list_subject_reveals("account", "A001", limit=10).items
    ] == [("cba-002", "refused", [])]


def test_a_queue_task_of_another_branch_cannot_be_claimed(api, frozen):
    make_account("H001", branch_id="br-haidian")
    t = make_task("new_account", "H001", branch_id="br-haidian", assignee_id=None)
    status, _ = api.post(f"/v1/callback-tasks/{t['task_id']}/claim", as_="cba-001")
    assert status == 404
    status, _ = api.get("/v1/callback-tasks/queue?branch_id=br-haidian", as_="cba-001")
    assert status == 403
    status, body = api.get("/v1/callback-tasks/queue?branch_id=br-haidian", as_="cmp-001")
    assert status == 200 and [i["task_id"] for i in body["items"]] == [t["task_id"]]


def test_two_agents_cannot_take_the_same_task(api, frozen, monkeypatch):
    from chalicelib.auth import Principal
    from chalicelib.domain import callback_work
    from chalicelib.errors import Conflict
    from chalicelib.storage import callback_work as repo

    make_account("A001")
    t = make_task("new_account", "A001", assignee_id=None)
    stale = repo.get_task(t["task_id"])  # both agents read the task while it is unassigned
    status, _ = api.post(f"/v1/callback-tasks/{t['task_id']}/claim", as_="cba-001")
    assert status == 200
    # The second agent's conditional write still carries the unassigned state it read: it must lose.
    monkeypatch.setattr(repo, "get_task", lambda task_id: dict(stale))
    second = Principal(kind="staff", id="cba-002", role="callback_agent", branch_id="br-pudong")
    with pytest.raises(Conflict):
        callback_work.claim(second, t["task_id"])
    monkeypatch.undo()
    assert repo.get_task(t["task_id"])["assignee_id"] == "cba-001"
    assert _staff_load("cba-002") == 0 and _staff_load("cba-001") == 1
    status, body = api.post(f"/v1/callback-tasks/{t['task_id']}/claim", as_="cba-002")
    assert status == 409 and body["error"]["message"] == "the task was already taken"


def test_attempt_validation_names_the_field(api, frozen):
    make_account("A001")
    make_account("A003")
    t = make_task("new_account", "A001")
    big = make_task("large_outflow", "A003", priority=0)
    path = f"/v1/callback-tasks/{t['task_id']}/attempts"
    cases = [
        ({"channel": "phone", "reached": False}, "reason"),
        ({**REACHED, "recording_ref": None}, "recording_ref"),
        ({**REACHED, "channel": "visit", "recording_ref": None, "dialled_number": None}, "signature_ref"),
        ({**REACHED, "channel": "visit"}, "recording_ref"),  # a phone's evidence on a visit
        ({**REACHED, "checklist": None}, "checklist"),
        ({**REACHED, "satisfaction": 6}, "satisfaction"),
        ({**REACHED, "identity_confirmed": False}, "identity_confirmed"),
        ({**REACHED, "channel": "pigeon"}, "channel"),
        ({"channel": "phone", "reached": False, "reason": "call_back_later"}, "call_back_at"),
        (
            {
                "channel": "phone",
                "reached": False,
                "reason": "call_back_later",
                "call_back_at": "2026-11-20T09:00:00+08:00",
            },
            "call_back_at",
        ),
        ({**NO_ANSWER, "at": "2026-11-21T10:00:00+08:00"}, "at"),
        ({**NO_ANSWER, "at": "2026-11-20T10:00:00"}, "at"),
        ({**REACHED, "closing_reason": "competitor"}, "closing_reason"),
        ({**REACHED, "checklist": {"risks_disclosed": True}}, "checklist.account_changes_confirmed"),
        ({**REACHED, "checklist": {**CHECKLIST, "no_return_promise": None}}, "checklist.no_return_promise"),
        ({**REACHED, "checklist": {**CHECKLIST, "risks_disclosed": "no"}}, "checklist.risks_disclosed"),
        ({**REACHED, "checklist": {**CHECKLIST, "weather_ok": True}}, "checklist.weather_ok"),
        ({**REACHED, "dialled_number": None}, "dialled_number"),
        ({**REACHED, "answered_by": None}, "answered_by"),
        ({**REACHED, "answered_by": "neighbour"}, "answered_by"),
        ({**REACHED, "recording_ref": 12345}, "recording_ref"),
        ({**REACHED, "recording_ref": "x" * 201}, "recording_ref"),
        ({**REACHED, "chat_export_ref": "chat-1"}, "chat_export_ref"),
    ]
    for body, field in cases:
        status, resp = api.post(path, body, as_="cba-001")
        assert status == 400, (field, resp)
        assert resp["error"]["details"][0]["field"] == field, (field, resp)
    status, resp = api.post(f"/v1/callback-tasks/{big['task_id']}/attempts", REACHED, as_="cba-001")
    assert status == 400 and resp["error"]["details"][0]["field"] == "transfer_recognised"


def test_call_me_at_t_reschedules_the_task(api, frozen):
    make_account("A001")
    make_account("A002")
    t = make_task("new_account", "A001", due_on="2026-11-20")
    other = make_task("dormant", "A002", due_on="2026-11-25")
    body = {
        "channel": "phone",
        "reached": False,
        "reason": "call_back_later",
        "call_back_at": "2026-11-26T15:00:00+08:00",
    }
    status, result = api.post(f"/v1/callback-tasks/{t['task_id']}/attempts", body, as_="cba-001")
    assert status == 201
    assert result["task"]["reschedule_at"] == "2026-11-26T15:00:00+08:00" and result["task"]["status"] == "in_progress"
    _, mine = api.get("/v1/callback-tasks/mine", as_="cba-001")
    assert [i["task_id"] for i in mine["items"]] == [other["task_id"], t["task_id"]]


def test_three_unanswered_working_days_create_a_fallback(api):
    make_account("A001")
    t = make_task("new_account", "A001", business_date="2026-11-19", due_on="2026-11-20")
    path = f"/v1/callback-tasks/{t['task_id']}/attempts"
    with clock.freeze("2026-11-20T09:40:00+08:00"):  # Friday
        assert api.post(path, NO_ANSWER, as_="cba-001")[0] == 201
    with clock.freeze("2026-11-20T15:10:00+08:00"):  # the same day again: still one day
        _, r = api.post(path, {**NO_ANSWER, "reason": "busy"}, as_="cba-001")
        assert r["task"]["attempt_days"] == ["2026-11-20"]
    with clock.freeze("2026-11-21T10:00:00+08:00"):  # Saturday: not a working day
        _, r = api.post(path, NO_ANSWER, as_="cba-001")
        assert r["task"]["attempt_days"] == ["2026-11-20"] and r["fallback_task_id"] is None
    with clock.freeze("2026-11-23T14:40:00+08:00"):  # Monday
        _, r = api.post(path, NO_ANSWER, as_="cba-001")
        assert r["task"]["status"] == "in_progress" and r["fallback_task_id"] is None
    with clock.freeze("2026-11-24T09:45:00+08:00"):  # Tuesday: the third working day
        status, r = api.post(path, NO_ANSWER, as_="cba-001")
        assert status == 201
        assert r["task"]["status"] == "closed_unreached"
        assert r["task"]["attempt_days"] == ["2026-11-20", "2026-11-23", "2026-11-24"]
        fallback_id = r["fallback_task_id"]
        assert fallback_id == _tid("fallback", "A001", "new_account-2026-11-19")
        _, mine = api.get("/v1/callback-tasks/mine", as_="cba-001")
        assert [i["task_id"] for i in mine["items"]] == [fallback_id]
        fb = mine["items"][0]
        assert fb["trigger"] == "fallback" and fb["source_task_id"] == t["task_id"]
        assert fb["detail"]["channels"] == ["letter", "email", "sms"] and fb["due_on"] == "2026-11-27"
        status, resp = api.post(f"/v1/callback-tasks/{fallback_id}/attempts", NO_ANSWER, as_="cba-001")
        assert status == 400 and resp["error"]["details"][0]["field"] == "channel"
        # The fallback of a new-account callback covers its content too: evidence, identity, checklist.
        status, resp = api.post(
            f"/v1/callback-tasks/{fallback_id}/attempts",
            {"channel": "letter", "reached": True, "note": "letter signed for"},
            as_="cba-001",
        )
        assert status == 400
        assert {d["field"] for d in resp["error"]["details"]} == {
            "return_slip_ref",
            "postal_receipt_ref",
            "answered_by",
            "identity_confirmed",
            "checklist",
        }
        status, resp = api.post(
            f"/v1/callback-tasks/{fallback_id}/attempts",
            {
                "channel": "sms",
                "reached": True,
                "answered_by": "client",
                "identity_confirmed": True,
                "checklist": CHECKLIST,
            },
            as_="cba-001",
        )
        assert status == 400 and resp["error"]["details"][0]["field"] == "channel"
        status, resp = api.post(
            f"/v1/callback-tasks/{fallback_id}/attempts",
            {
                "channel": "letter",
                "reached": True,
                "return_slip_ref": "slip-7",
                "postal_receipt_ref": "post-7",
                "answered_by": "client",
                "identity_confirmed": True,
                "checklist": CHECKLIST,
            },
            as_="cba-001",
        )
        assert status == 201 and resp["task"]["status"] == "done"
        assert resp["task"]["outcome"]["evidence"] == {"return_slip_ref": "slip-7", "postal_receipt_ref": "post-7"}


def test_a_wrong_number_marks_the_contact_for_update(api, frozen):
    make_account("A001")
    t = make_task("new_account", "A001")
    status, r = api.post(
        f"/v1/callback-tasks/{t['task_id']}/attempts",
        {"channel": "phone", "reached": False, "reason": "wrong_number"},
        as_="cba-001",
    )
    assert status == 201 and r["task"]["contact_needs_update"] is True and r["task"]["status"] == "in_progress"
    assert base.get_item(**keys.account("A001"))["contact_needs_update"] is True


def test_a_refusal_closes_the_task(api, frozen):
    make_account("A001")
    t = make_task("new_account", "A001")
    status, r = api.post(
        f"/v1/callback-tasks/{t['task_id']}/attempts",
        {"channel": "phone", "reached": False, "reason": "refused"},
        as_="cba-001",
    )
    assert status == 201 and r["task"]["status"] == "closed_unreached"
    assert r["task"]["outcome"]["reason"] == "refused"


def test_an_unreached_attempt_with_problem_items_is_refused_naming_the_field(api, frozen):
    make_account("A001")
    t = make_task("new_account", "A001")
    status, body = api.post(
        f"/v1/callback-tasks/{t['task_id']}/attempts",
        {
            **NO_ANSWER,
            "problems": [
                {
                    "category": "fees_commission",
                    "cause": "commission too high",
                    "responsible_department": "branch operations",
                }
            ],
        },
        as_="cba-001",
    )
    assert status == 400 and body["error"]["details"][0]["field"] == "problems"
    _, task = api.get(f"/v1/callback-tasks/{t['task_id']}", as_="cba-001")
    assert task["status"] == "open"  # nothing was recorded


def test_an_unrecognised_transfer_is_escalated_within_the_request(api, frozen, monkeypatch):
    from chalicelib.config import reset_settings
    from chalicelib.storage.clients import sns_client, sqs_client

    sns, sqs = sns_client(), sqs_client()
    topic = sns.create_topic(Name="fielddesk-escalations")["TopicArn"]
    queue_url = sqs.create_queue(QueueName="head-office")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
    monkeypatch.setenv("FIELDDESK_ESCALATION_TOPIC_ARN", topic)
    reset_settings()

    make_account("A003")
    t = make_task("large_outflow", "A003", priority=0, detail={"amount": "600000.00"})
    status, r = api.post(
        f"/v1/callback-tasks/{t['task_id']}/attempts",
        {**REACHED, "transfer_recognised": False, "feedback": "I did not move this money"},
        as_="cba-001",
    )
    assert status == 201 and r["escalated"] is True and len(r["problem_ids"]) == 1
    status, listed = api.get("/v1/problems?status=open", as_="cmp-001")
    assert status == 200
    first = listed["items"][0]
    assert first["problem_id"] == r["problem_ids"][0]
    assert (first["severity"], first["category"], first["source"], first["task_id"]) == (
        "critical",
        "account_security",
        "callback",
        t["task_id"],
    )
    assert first["due_at"] == "2026-11-20T18:00:00+08:00" and first["escalated"] is True
    messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10)["Messages"]
    alert = json.loads(json.loads(messages[0]["Body"])["Message"])
    assert alert["kind"] == "transfer_not_recognised" and alert["branch_id"] == "br-pudong"
    assert alert["audience"] == ["branch_manager", "head_office"] and PHONE not in messages[0]["Body"]


def test_escalation_without_a_topic_logs_and_counts(api, frozen, monkeypatch):
    from chalicelib.storage import problems as problem_repo

    calls = []
    monkeypatch.setattr(problem_repo.logger, "warning", lambda msg, **kw: calls.append((msg, kw)))
    make_account("A003")
    t = make_task("large_outflow", "A003", priority=0)
    status, r = api.post(
        f"/v1/callback-tasks/{t['task_id']}/attempts", {**REACHED, "transfer_recognised": False}, as_="cba-001"
    )
    assert status == 201 and r["escalated"] is True
    assert [c[1]["extra"]["escalation"]["kind"] for c in calls] == ["transfer_not_recognised"]


def test_checklist_failures_become_problem_items(api, frozen):
    make_account("A001")
    t = make_task("new_account", "A001")
    body = {
        **REACHED,
        "checklist": {**CHECKLIST, "no_staff_trading": False},
        "problems": [
            {
                "category": "fees_commission",
                "cause": "commission too high",
                "responsible_department": "branch operations",
            }
        ],
    }
    status, r = api.post(f"/v1/callback-tasks/{t['task_id']}/attempts", body, as_="cba-001")
    assert status == 201 and len(r["problem_ids"]) == 2 and r["escalated"] is False
    _, listed = api.get("/v1/problems?status=open", as_="cmp-001")
    got = sorted((p["category"], p["severity"]) for p in listed["items"])
    assert got == [("fees_commission", "normal"), ("trading_on_behalf", "critical")]


PHONE_EVIDENCE = {"recording_ref": "rec-1", "dialled_number": PHONE}
EVIDENCE = {
    "phone": PHONE_EVIDENCE,
    "visit": {"signature_ref": "sig-1"},
    "letter": {"return_slip_ref": "slip-1", "postal_receipt_ref": "post-1"},
    "email": {"email_archive_ref": "mail-1"},
    "wechat": {"chat_export_ref": "chat-1"},
    "sms": {},
}
CONTENT = {"answered_by": "client", "identity_confirmed": True}


def _reached(channel, **extra):
    body = {"channel": channel, "reached": True, **EVIDENCE[channel], **CONTENT, **extra}
    if channel in ("phone", "visit", "wechat"):
        body["satisfaction"] = 4
    return body


# trigger -> (content the trigger requires, channels that complete it, channels refused)
MATRIX = {
    "new_account": ({"checklist": CHECKLIST}, ["phone", "visit", "letter", "email", "wechat"], ["sms"]),
    "dormant": ({"checklist": CHECKLIST}, ["phone", "visit", "letter", "email", "wechat"], ["sms"]),
    "periodic": ({"checklist": CHECKLIST}, ["phone", "visit", "letter", "email", "wechat"], ["sms"]),
    "large_outflow": ({"transfer_recognised": True}, ["phone", "visit"], ["letter", "email", "wechat", "sms"]),
    "closed_account": ({"closing_reason": "competitor"}, ["phone", "visit", "letter", "email", "wechat"], ["sms"]),
}


@pytest.mark.parametrize("trigger", sorted(MATRIX))
def test_content_by_trigger_and_evidence_by_channel(api, frozen, trigger):
    content, allowed, refused = MATRIX[trigger]
    for n, channel in enumerate(allowed + refused):
        account = f"M{n:03d}"
        make_account(account)
        t = make_task(trigger, account, priority=0 if trigger == "large_outflow" else 5)
        path = f"/v1/callback-tasks/{t['task_id']}/attempts"
        if channel in refused:
            status, resp = api.post(path, _reached(channel, **content), as_="cba-001")
            assert status == 400 and resp["error"]["details"][0]["field"] == "channel", (trigger, channel, resp)
            continue
        # Nothing but the channel: every missing field is named at once.
        status, resp = api.post(path, {"channel": channel, "reached": True}, as_="cba-001")
        assert status == 400, (trigger, channel, resp)
        expected = {*EVIDENCE[channel], *CONTENT, *content}
        if channel in ("phone", "visit", "wechat"):
            expected.add("satisfaction")
        assert {d["field"] for d in resp["error"]["details"]} == expected, (trigger, channel)
        status, resp = api.post(path, _reached(channel, **content), as_="cba-001")
        assert status == 201, (trigger, channel, resp)
        outcome = resp["task"]["outcome"]
        assert resp["task"]["status"] == "done" and outcome["answered_by"] == "client"
        assert set(outcome.get("evidence") or {}) == set(EVIDENCE[channel]) - {"dialled_number"}


def test_a_notarised_agent_may_answer(api, frozen):
    make_account("A001")
    t = make_task("new_account", "A001")
    status, r = api.post(
        f"/v1/callback-tasks/{t['task_id']}/attempts", {**REACHED, "answered_by": "notarised_agent"}, as_="cba-001"
    )
    assert status == 201 and r["task"]["outcome"]["answered_by"] == "notarised_agent"


NEGATIVE = {
    "account_changes_confirmed": ("change_not_recognised", "critical", "change_not_recognised"),
    "no_staff_trading": ("trading_on_behalf", "critical", "critical_problem"),
    "risks_disclosed": ("risk_not_disclosed", "normal", None),
    "no_discretionary_authority": ("discretionary_authority", "critical", "critical_problem"),
    "no_return_promise": ("return_promised", "critical", "critical_problem"),
    "no_signing_for_client": ("signed_for_client", "critical", "critical_problem"),
}


@pytest.mark.parametrize("answer", sorted(NEGATIVE))
def test_every_no_raises_its_problem_item(api, frozen, monkeypatch, answer):
    from chalicelib.storage import problems as problem_repo

    sent = []
    monkeypatch.setattr(
        problem_repo.logger,
        "warning",
        lambda msg, **kw: sent.append(kw["extra"]["escalation"]) if msg == "escalation" else None,
    )
    category, severity, kind = NEGATIVE[answer]
    make_account("A001")
    t = make_task("new_account", "A001")
    status, r = api.post(
        f"/v1/callback-tasks/{t['task_id']}/attempts",
        {**REACHED, "checklist": {**CHECKLIST, answer: False}},
        as_="cba-001",
    )
    assert status == 201 and len(r["problem_ids"]) == 1, r
    assert r["escalated"] is (answer == "account_changes_confirmed")
    _, item = api.get(f"/v1/problems/{r['problem_ids'][0]}", as_="cmp-001")
    assert (item["category"], item["severity"], item["task_id"], item["source"]) == (
        category,
        severity,
        t["task_id"],
        "callback",
    )
    assert [(m["kind"], m["problem_id"]) for m in sent] == ([(kind, item["problem_id"])] if kind else [])
    if kind == "change_not_recognised":
        assert sent[0]["audience"] == ["branch_manager", "head_office"]


def test_an_escalation_that_cannot_be_sent_keeps_its_record(api, frozen, monkeypatch):
    from chalicelib.storage import problems as problem_repo

    def broken(kind, record):
        raise RuntimeError("SNS is down")

    monkeypatch.setattr(problem_repo, "notify_escalation", broken)
    make_account("A003")
    t = make_task("large_outflow", "A003", priority=0)
    status, r = api.post(
        f"/v1/callback-tasks/{t['task_id']}/attempts",
        {**REACHED, "checklist": None, "transfer_recognised": False},
        as_="cba-001",
    )
    assert status == 201 and r["escalated"] is True
    _, item = api.get(f"/v1/problems/{r['problem_ids'][0]}", as_="cmp-001")
    assert item["escalated"] is True and item["category"] == "account_security"
    # Never lost: the escalation waits in the outbox, and the sweep sends it once SNS is back.
    from chalicelib import clock
    from chalicelib.domain import outbox

    sent = []
    monkeypatch.setattr(problem_repo, "notify_escalation", lambda kind, record: sent.append((kind, record)))
    with clock.freeze("2026-12-31T12:00:00+08:00"):
        assert outbox.deliver_due()["delivered"] >= 1
        assert outbox.deliver_due()["delivered"] == 0  # delivered once
    assert [(k, rec["problem_id"]) for k, rec in sent] == [("change_not_recognised", item["problem_id"])] or [
        rec["problem_id"] for _, rec in sent
    ] == [item["problem_id"]]
    assert "client_name" not in sent[0][1]


def test_task_views_mask_the_client_name(api, frozen):
    make_account("A001")
    make_account("A002")
    mine = make_task("new_account", "A001", client_name="张三丰")
    queued = make_task("dormant", "A002", client_name="李四", assignee_id=None)
    views = [
        api.get("/v1/callback-tasks/mine", as_="cba-001")[1]["items"][0],
        api.get("/v1/callback-tasks/queue", as_="cba-002")[1]["items"][0],
        api.get(f"/v1/callback-tasks/{mine['task_id']}", as_="cba-001")[1],
        api.get(f"/v1/callback-tasks/{mine['task_id']}", as_="cmp-001")[1],
        api.post(f"/v1/callback-tasks/{queued['task_id']}/claim", as_="cba-002")[1],
    ]
    assert [v["client_name"] for v in views] == ["张**", "李*", "张**", "张**", "李*"]
    _, r = api.post(f"/v1/callback-tasks/{mine['task_id']}/attempts", REACHED, as_="cba-001")
    assert r["task"]["client_name"] == "张**" and "张三丰" not in json.dumps(r)


def test_compliance_reviews_finished_callbacks(api, frozen):
    make_account("A001")
    make_account("A002")
    done = make_task(
        "new_account",
        "A001",
        status="done",
        business_date="2026-11-10",
        completed_at="2026-11-10T11:00:00+08:00",
        outcome={"reached": True, "satisfaction": 4},
    )
    still_open = make_task("new_account", "A002", business_date="2026-11-10")
    status, sample = api.get("/v1/callback-tasks/sample?branch_id=br-pudong&month=2026-11&size=5", as_="cmp-001")
    assert status == 200 and [i["task_id"] for i in sample["items"]] == [done["task_id"]]
    status, r = api.post(
        f"/v1/callback-tasks/{done['task_id']}/review",
        {"result": "non_compliant", "note": "recording incomplete"},
        as_="cmp-001",
    )
    assert status == 201 and r["result"] == "non_compliant"
    _, detail = api.get(f"/v1/callback-tasks/{done['task_id']}", as_="cmp-001")
    assert detail["review"]["result"] == "non_compliant" and detail["reviews"][0]["note"] == "recording incomplete"
    _, sample = api.get("/v1/callback-tasks/sample?branch_id=br-pudong&month=2026-11", as_="cmp-001")
    assert sample["items"] == []
    status, _ = api.post(f"/v1/callback-tasks/{still_open['task_id']}/review", {"result": "compliant"}, as_="cmp-001")
    assert status == 422
    status, resp = api.post(f"/v1/callback-tasks/{done['task_id']}/review", {"result": "ok"}, as_="cmp-001")
    assert status == 400 and resp["error"]["details"][0]["field"] == "result"
    for who in ("cba-001", "cm-001", "sup-001"):
        assert api.post(f"/v1/callback-tasks/{done['task_id']}/review", {"result": "compliant"}, as_=who)[0] == 403
    assert api.get("/v1/callback-tasks/sample?branch_id=br-pudong&month=2026-11", as_="cba-001")[0] == 403
    status, resp = api.get("/v1/callback-tasks/sample?branch_id=br-pudong&month=2026-13", as_="cmp-001")
    assert status == 400 and resp["error"]["details"][0]["field"] == "query.month"


def test_unknown_task_is_404(api, frozen):
    assert api.get("/v1/callback-tasks/new_account.NOPE.2026-11-19", as_="cmp-001")[0] == 404
    assert api.post("/v1/callback-tasks/new_account.NOPE.2026-11-19/claim", as_="cba-001")[0] == 404


def test_demo_data_gives_cba_001_a_day_and_the_queue_three_tasks(api, frozen):
    from infra.demo.callbacks import seed as seed_callback_work

    seed_callback_work()
    seed_callback_work()  # idempotent
    _, mine = api.get("/v1/callback-tasks/mine", as_="cba-001")
    assert [t["trigger"] for t in mine["items"]] == ["large_outflow", "new_account", "dormant"]  # risk first
    _, q = api.get("/v1/callback-tasks/queue", as_="cba-002")
    assert [t["account_id"] for t in q["items"]] == ["DEMO-A004", "DEMO-A005", "DEMO-A006"]  # due first first
    status, shown = api.post(f"/v1/callback-tasks/{mine['items'][1]['task_id']}/reveal", as_="cba-001")
    assert status == 200 and shown["phone"] == "13800000001"


def test_an_unanswered_large_outflow_escalates_and_stays_open_until_reached_or_decided(api, monkeypatch):
    from chalicelib.storage import problems as problem_repo

    sent = []
    monkeypatch.setattr(
        problem_repo.logger,
        "warning",
        lambda msg, **kw: sent.append(kw["extra"]["escalation"]["kind"]) if msg == "escalation" else None,
    )
    make_account("A003")
    t = make_task("large_outflow", "A003", business_date="2026-11-19", due_on="2026-11-20", priority=0)
    path = f"/v1/callback-tasks/{t['task_id']}/attempts"
    for moment in ("2026-11-20T09:40:00+08:00", "2026-11-23T14:40:00+08:00", "2026-11-24T09:45:00+08:00"):
        with clock.freeze(moment):
            status, r = api.post(path, NO_ANSWER, as_="cba-001")
            assert status == 201
    assert r["task"]["status"] == "in_progress" and r["fallback_task_id"] is None
    assert r["escalated"] is True and len(r["problem_ids"]) == 1 and sent == ["risk_callback_unanswered"]
    with clock.freeze("2026-11-24T10:00:00+08:00"):
        _, item = api.get(f"/v1/problems/{r['problem_ids'][0]}", as_="cmp-001")
        assert (item["category"], item["severity"]) == ("callback_unanswered", "critical")
        # Further unanswered days keep it open and do not escalate twice; a letter cannot close it.
        status, r = api.post(path, NO_ANSWER, as_="cba-001")
        assert status == 201 and r["problem_ids"] == [] and r["task"]["status"] == "in_progress"
        status, resp = api.post(path, {"channel": "letter", "reached": True}, as_="cba-001")
        assert status == 400 and resp["error"]["details"][0]["field"] == "channel"
        # Only a branch manager of the task's branch decides, with the reason recorded.
        decision = {"reason": "client confirmed in person at the counter"}
        assert api.post(f"/v1/callback-tasks/{t['task_id']}/decision", decision, as_="cba-001")[0] == 403
        assert api.post(f"/v1/callback-tasks/{t['task_id']}/decision", decision, as_="sup-101")[0] == 404
        status, resp = api.post(f"/v1/callback-tasks/{t['task_id']}/decision", {"reason": ""}, as_="sup-001")
        assert status == 400 and resp["error"]["details"][0]["field"] == "reason"
        status, closed = api.post(f"/v1/callback-tasks/{t['task_id']}/decision", decision, as_="sup-001")
        assert status == 200 and closed["status"] == "closed_unreached"
        assert closed["outcome"]["decision"]["by"] == "sup-001"
        assert closed["outcome"]["decision"]["reason"] == decision["reason"]


def test_a_large_outflow_reached_after_escalation_closes_it(api):
    make_account("A003")
    t = make_task("large_outflow", "A003", priority=0)
    with clock.freeze(NOW):
        status, r = api.post(
            f"/v1/callback-tasks/{t['task_id']}/attempts",
            {"channel": "phone", "reached": False, "reason": "refused"},
            as_="cba-001",
        )
        assert status == 201 and r["task"]["status"] == "in_progress" and r["escalated"] is True
        status, r = api.post(
            f"/v1/callback-tasks/{t['task_id']}/attempts",
            {**REACHED, "checklist": None, "transfer_recognised": True},
            as_="cba-001",
        )
        assert status == 201 and r["task"]["status"] == "done"
        assert (
            api.post(f"/v1/callback-tasks/{t['task_id']}/decision", {"reason": "too late now"}, as_="sup-001")[0] == 422
        )


def test_a_large_outflow_past_its_deadline_becomes_a_critical_escalation(api):
    from chalicelib.jobs import sweeps

    make_account("A003")
    make_account("A001")
    big = make_task("large_outflow", "A003", business_date="2026-11-19", due_on="2026-11-20", priority=0)
    make_task("new_account", "A001", business_date="2026-11-19", due_on="2026-11-20")
    with clock.freeze("2026-11-21T10:00:00+08:00"):
        result = sweeps.run()
        assert len(result["tasks"]["flagged"]) == 2
        _, listed = api.get("/v1/problems?status=open", as_="cmp-001")
        assert [(p["task_id"], p["category"], p["severity"]) for p in listed["items"]] == [
            (big["task_id"], "callback_unanswered", "critical")
        ]
