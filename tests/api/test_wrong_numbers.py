"""The wrong-number loop from the users' side (seed 000 第五篇 第十一条(三) "重新确定联系方式"): the agent's
attempt, the branch supervisor's request list, the core system's feed with the new phone, the deadline."""

from __future__ import annotations

import json

from chalicelib import clock
from chalicelib.storage import base, keys
from tests.factories.accounts import contact_changed, opened, phone, trade
from tests.factories.tasks import CHECKLIST, make_task

NOW = "2026-11-20T10:00:00+08:00"  # a Friday: the request is due 3 working days later, Wednesday 11-25
FEED = "/v1/account-events"
WRONG = {"channel": "phone", "reached": False, "reason": "wrong_number"}
OLD, NEW = phone(1), phone(2)
REACHED = {
    "channel": "phone",
    "reached": True,
    "recording_ref": "rec-1",
    "dialled_number": NEW,
    "answered_by": "client",
    "identity_confirmed": True,
    "checklist": CHECKLIST,
    "satisfaction": 5,
}


def feed(api, *events):
    status, body = api.post(FEED, {"events": list(events)}, as_="sys-001")
    assert status == 200 and body["rejected"] == 0, body
    return body


def account(account_id):
    return base.get_item(**keys.account(account_id), consistent=True)


def task_view(api, task_id):
    status, view = api.get(f"/v1/callback-tasks/{task_id}", as_="cba-001")
    assert status == 200
    return view


def wrong_number_task(api, trigger="new_account", account_id="A001"):
    with clock.freeze(NOW):
        feed(api, opened(account_id, n=1))
        t = make_task(trigger, account_id, priority=0 if trigger == "large_outflow" else 5)
        status, r = api.post(f"/v1/callback-tasks/{t['task_id']}/attempts", WRONG, as_="cba-001")
        assert status == 201, r
    return t, r


def test_a_wrong_number_waits_for_the_branch_and_resumes_when_the_feed_brings_a_new_phone(api):
    t, r = wrong_number_task(api)
    task = r["task"]
    assert task["status"] == "in_progress" and task["waiting_on"] == "contact_update"
    assert task["contact_needs_update"] is True and task["contact_request_due_on"] == "2026-11-25"
    with clock.freeze("2026-11-20T11:00:00+08:00"):
        _, mine = api.get("/v1/callback-tasks/mine", as_="cba-001")
        assert [(i["task_id"], i["waiting_on"]) for i in mine["items"]] == [(t["task_id"], "contact_update")]
        # The client's branch is asked: its supervisor lists the request with its deadline.
        status, listed = api.get("/v1/contact-requests", as_="sup-001")
        assert status == 200 and len(listed["items"]) == 1
        request = listed["items"][0]
        assert (request["task_id"], request["account_id"], request["due_on"], request["overdue"]) == (
            t["task_id"],
            "A001",
            "2026-11-25",
            False,
        )
        assert request["phone_masked"] == OLD[:3] + "****" + OLD[-4:] and OLD not in json.dumps(listed)
        assert request["client_name"] == "张*"
        # Another branch's supervisor sees nothing of it; agents do not list requests.
        assert api.get("/v1/contact-requests", as_="sup-101")[1]["items"] == []
        assert api.get("/v1/contact-requests?branch_id=br-pudong", as_="sup-101")[0] == 403
        assert api.get("/v1/contact-requests", as_="cba-001")[0] == 403
        status, body = api.get("/v1/contact-requests", as_="cmp-001")
        assert status == 400 and body["error"]["details"][0]["field"] == "query.branch_id"
        assert len(api.get("/v1/contact-requests?branch_id=br-pudong", as_="cmp-001")[1]["items"]) == 1
        # A second wrong number while waiting asks nothing twice.
        status, again = api.post(f"/v1/callback-tasks/{t['task_id']}/attempts", WRONG, as_="cba-001")
        assert status == 201 and again["task"]["contact_request_due_on"] == "2026-11-25"
        assert len(api.get("/v1/contact-requests", as_="sup-001")[1]["items"]) == 1

    with clock.freeze("2026-11-23T10:30:00+08:00"):
        # The same (wrong) number again is no new contact: the task keeps waiting.
        feed(api, contact_changed("A001", OLD, at="2026-11-23T09:00:00+08:00"))
        assert task_view(api, t["task_id"])["waiting_on"] == "contact_update"
        # The branch re-established the contact in the core system: the feed brings the new phone.
        feed(api, contact_changed("A001", NEW, at="2026-11-23T10:00:00+08:00"))
        view = task_view(api, t["task_id"])
        assert view["waiting_on"] is None and view["contact_needs_update"] is False
        assert view["status"] == "in_progress" and view["assignee_id"] == "cba-001"
        assert view["phone_masked"] == NEW[:3] + "****" + NEW[-4:] and NEW not in json.dumps(view)
        assert view["contact_updated_at"] == "2026-11-23T10:00:00+08:00"
        assert api.get("/v1/contact-requests", as_="sup-001")[1]["items"] == []
        item = account("A001")
        assert "contact_needs_update" not in item and item["phone_masked"] == view["phone_masked"]
        # The agent calls the new number and completes the callback.
        status, shown = api.post(f"/v1/callback-tasks/{t['task_id']}/reveal", as_="cba-001")
        assert status == 200 and shown["phone"] == NEW
        status, done = api.post(f"/v1/callback-tasks/{t['task_id']}/attempts", REACHED, as_="cba-001")
        assert status == 201 and done["task"]["status"] == "done"


def test_past_the_deadline_the_callback_falls_back_to_a_letter(api):
    from chalicelib.jobs import sweeps

    t, _ = wrong_number_task(api)
    with clock.freeze("2026-11-25T18:00:00+08:00"):  # the deadline day itself: still waiting
        sweeps.run()
        assert task_view(api, t["task_id"])["waiting_on"] == "contact_update"
    with clock.freeze("2026-11-26T09:00:00+08:00"):
        listed = api.get("/v1/contact-requests", as_="sup-001")[1]["items"]
        assert [(i["task_id"], i["overdue"]) for i in listed] == [(t["task_id"], True)]
        result = sweeps.run()
        fallback_id = keys.callback_task_id("fallback", "A001", f"new_account-{t['episode']}")
        assert result["contact_requests"]["fallback_task_ids"] == [fallback_id]
        view = task_view(api, t["task_id"])
        assert view["status"] == "closed_unreached" and view["outcome"]["reason"] == "wrong_number"
        assert api.get("/v1/contact-requests", as_="sup-001")[1]["items"] == []
        _, mine = api.get("/v1/callback-tasks/mine", as_="cba-001")
        assert [i["task_id"] for i in mine["items"]] == [fallback_id]
        assert mine["items"][0]["detail"]["channels"] == ["letter"]
        path = f"/v1/callback-tasks/{fallback_id}/attempts"
        for channel in ("email", "sms"):
            status, resp = api.post(path, {"channel": channel, "reached": False, "reason": "no_answer"}, as_="cba-001")
            assert status == 400 and resp["error"]["details"][0]["field"] == "channel", channel
        status, resp = api.post(
            path,
            {
                "channel": "letter",
                "reached": True,
                "return_slip_ref": "slip-1",
                "postal_receipt_ref": "post-1",
                "answered_by": "client",
                "identity_confirmed": True,
                "checklist": CHECKLIST,
            },
            as_="cba-001",
        )
        assert status == 201 and resp["task"]["status"] == "done"
        assert sweeps.run()["contact_requests"]["fallback_task_ids"] == []  # once


def test_a_large_outflow_with_a_wrong_number_is_escalated_past_the_deadline_never_closed_by_letter(api):
    from chalicelib.jobs import sweeps

    t, _ = wrong_number_task(api, trigger="large_outflow", account_id="A003")
    with clock.freeze("2026-11-26T09:00:00+08:00"):
        result = sweeps.run()["contact_requests"]
        assert result["fallback_task_ids"] == [] and result["escalated"] == [t["task_id"]]
        view = task_view(api, t["task_id"])
        assert view["status"] == "in_progress" and view["waiting_on"] is None
        _, problems = api.get("/v1/problems?status=open", as_="cmp-001")
        assert [
            (p["task_id"], p["category"], p["severity"]) for p in problems["items"] if "wrong number" in p["cause"]
        ] == [(t["task_id"], "callback_unanswered", "critical")]


def test_a_waiting_task_reached_another_way_withdraws_its_request(api):
    t, _ = wrong_number_task(api)
    with clock.freeze("2026-11-20T15:00:00+08:00"):
        body = {**REACHED, "channel": "visit", "recording_ref": None, "dialled_number": None, "signature_ref": "sig-1"}
        status, r = api.post(f"/v1/callback-tasks/{t['task_id']}/attempts", body, as_="cba-001")
        assert status == 201 and r["task"]["status"] == "done" and r["task"]["waiting_on"] is None
        assert api.get("/v1/contact-requests", as_="sup-001")[1]["items"] == []


def test_a_concurrent_feed_write_does_not_wipe_the_agents_wrong_number_flag(api, monkeypatch):
    from chalicelib.storage import accounts as account_repo

    with clock.freeze(NOW):
        feed(api, opened("A001", n=1))
        t = make_task("new_account", "A001")
        stale = account_repo.get_account("A001", consistent=True)  # the feed reads the account...
        assert api.post(f"/v1/callback-tasks/{t['task_id']}/attempts", WRONG, as_="cba-001")[0] == 201
        real, calls = account_repo.get_account, []

        def first_read_stale(account_id, consistent=False):
            calls.append(account_id)
            return dict(stale) if len(calls) == 1 else real(account_id, consistent=consistent)

        monkeypatch.setattr(account_repo, "get_account", first_read_stale)
        feed(api, trade("A001", "2026-11-20"))  # ...and writes after the agent's flag
        monkeypatch.undo()
        assert len(calls) == 2  # its stale write lost and was redone
        item = account("A001")
        assert item["contact_needs_update"] is True and item["last_trade_on"] == "2026-11-20"


def test_a_contact_change_before_the_opening_keeps_the_newer_phone(api):
    with clock.freeze(NOW):
        feed(api, contact_changed("A009", NEW, at="2026-11-20T09:00:00+08:00"))
        feed(api, opened("A009", on="2026-11-19", n=1))
        assert account("A009")["phone_masked"] == NEW[:3] + "****" + NEW[-4:]


def test_the_daily_file_carries_contact_changes(api, lambda_15_minutes):
    import boto3
    from chalice.test import Client

    from app import app

    t, _ = wrong_number_task(api)
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="fielddesk-account-files")
    rows = (
        "event_id,type,account_id,phone,changed_at\n"
        f"cc-1,contact_changed,A001,{NEW},2026-11-23T10:00:00+08:00\n"
        "cc-2,contact_changed,A001,12345,2026-11-23T10:00:00+08:00\n"
    )
    s3.put_object(Bucket="fielddesk-account-files", Key="core/2026-11-23.csv", Body=rows.encode())
    event = {
        "version": "0",
        "source": "aws.s3",
        "detail-type": "Object Created",
        "detail": {"bucket": {"name": "fielddesk-account-files"}, "object": {"key": "core/2026-11-23.csv", "size": 1}},
    }
    with clock.freeze("2026-11-23T10:30:00+08:00"), Client(app) as client:
        result = client.lambda_.invoke("import_account_file", event).payload
        assert (result["accepted"], result["rejected"]) == (1, 1), result
        assert "12345" not in json.dumps(result)
        view = task_view(api, t["task_id"])
        assert view["waiting_on"] is None and view["phone_masked"].endswith(NEW[-4:])
