"""Visit logs through the API: record, list, read, amend, notes, sign-off, activity, photos."""

from __future__ import annotations

import pytest

from chalicelib import clock

NOW = "2026-11-20T16:00:00+08:00"  # a Friday


def visit(**over):
    body = {
        "kind": "on_site",
        "visited_at": "2026-11-20T10:00:00+08:00",
        "unit_name": "张江高科技园区某公司",
        "person_met": "李总",
        "person_title": "财务总监",
        "person_contact": "+86 139-1234-5678",
        "discussed": "介绍两融业务",
        "outcome": "有兴趣",
        "next_step": "寄送资料",
        "next_visit_date": "2026-11-27",
        "clients_count": 2,
    }
    body.update(over)
    return body


@pytest.fixture
def at_noon():
    with clock.freeze(NOW):
        yield


def record(api, as_="cm-001", **over):
    status, body = api.post("/v1/visits", visit(**over), as_=as_)
    assert status == 201, body
    return body


def test_manager_records_and_lists_own_visit_with_contact_masked(api, at_noon):
    created = record(api)
    assert created["manager_id"] == "cm-001" and created["branch_id"] == "br-pudong"
    assert created["recorded_at"] == NOW
    assert created["person_contact_masked"] == "139****5678"
    assert "13912345678" not in str(created)
    status, page = api.get("/v1/visits", as_="cm-001")
    assert status == 200 and [v["visit_id"] for v in page["items"]] == [created["visit_id"]]
    assert "13912345678" not in str(page)


def test_server_sets_manager_and_ignores_nothing_silently(api, at_noon):
    status, body = api.post("/v1/visits", visit(manager_id="cm-002"), as_="cm-001")
    assert status == 400 and body["error"]["details"][0]["field"] == "manager_id"


def test_another_manager_cannot_see_the_log(api, at_noon):
    created = record(api)
    status, _ = api.get(f"/v1/visits/{created['visit_id']}", as_="cm-002")
    assert status == 404
    status, page = api.get("/v1/visits", as_="cm-002")
    assert page["items"] == []
    status, _ = api.get("/v1/visits?manager_id=cm-001", as_="cm-002")
    assert status == 403


def test_supervisor_sees_branch_but_not_other_branch(api, at_noon):
    created = record(api)
    status, page = api.get("/v1/visits", as_="sup-001")
    assert status == 200 and page["items"][0]["visit_id"] == created["visit_id"]
    status, page = api.get("/v1/visits?manager_id=cm-001", as_="sup-001")
    assert status == 200 and len(page["items"]) == 1
    status, _ = api.get(f"/v1/visits/{created['visit_id']}", as_="sup-101")
    assert status == 404
    status, _ = api.get("/v1/visits?manager_id=cm-001", as_="sup-101")
    assert status == 403


@pytest.mark.parametrize("who", ["sup-001", "cba-001", "cmp-001", "adm-001", "sys-001"])
def test_only_client_managers_record_visits(api, at_noon, who):
    status, _ = api.post("/v1/visits", visit(), as_=who)
    assert status == 403


@pytest.mark.parametrize("who,status", [("cba-001", 403), ("adm-001", 403), ("sys-001", 403)])
def test_roles_that_may_not_read_logs(api, at_noon, who, status):
    assert api.get("/v1/visits?manager_id=cm-001", as_=who)[0] == status


@pytest.mark.parametrize(
    "over,field",
    [
        ({"visited_at": "2026-11-20T17:00:00+08:00"}, "visited_at"),
        ({"visited_at": "2026-11-01T10:00:00+08:00"}, "late_reason"),  # older than 7 days: say why
        ({"kind": "dinner"}, "kind"),
        ({"person_met": ""}, "person_met"),
        ({"next_visit_date": "2026-11-19"}, "next_visit_date"),
        ({"outlet_id": "ot-nowhere"}, "outlet_id"),
        ({"outlet_id": "ot-abc-zhongguancun"}, "outlet_id"),  # another branch's outlet: as unknown (issue 16 §5)
        ({"clients_count": -1}, "clients_count"),
        ({"location": {"lat": 31.2, "lng": 500}}, "location.lng"),
        ({"photo_keys": ["photos/cm-002/x.jpg"]}, "photo_keys.0"),
    ],
)
def test_bad_input_names_the_field(api, at_noon, over, field):
    status, body = api.post("/v1/visits", visit(**over), as_="cm-001")
    assert status == 400, body
    assert body["error"]["details"][0]["field"] == field


def test_naive_time_is_read_as_shanghai(api, at_noon):
    created = record(api, visited_at="2026-11-20T09:15:00")
    assert created["visited_at"] == "2026-11-20T09:15:00+08:00"


def test_visit_needs_a_place(api, at_noon):
    status, body = api.post("/v1/visits", visit(unit_name=None), as_="cm-001")
    assert status == 400


def test_idempotent_retry_stores_one_log(api, at_noon):
    headers = {"Idempotency-Key": "visit-form-abc12345"}
    first = api.post("/v1/visits", visit(), as_="cm-001", headers=headers)
    second = api.post("/v1/visits", visit(), as_="cm-001", headers=headers)
    assert first == second and first[0] == 201
    assert len(api.get("/v1/visits", as_="cm-001")[1]["items"]) == 1


def test_amend_on_the_day_then_only_notes(api):
    with clock.freeze(NOW):
        created = record(api)
        vid = created["visit_id"]
        status, body = api.patch(f"/v1/visits/{vid}", {"outcome": "已开户意向"}, as_="cm-001")
        assert status == 200 and body["outcome"] == "已开户意向" and body["amended_at"]
        assert api.patch(f"/v1/visits/{vid}", {"outcome": "x"}, as_="cm-002")[0] == 404
        assert api.patch(f"/v1/visits/{vid}", {"person_met": None}, as_="cm-001")[0] == 400
    with clock.freeze("2026-11-21T09:00:00+08:00"):
        status, body = api.patch(f"/v1/visits/{vid}", {"outcome": "改"}, as_="cm-001")
        assert status == 422
        status, note = api.post(f"/v1/visits/{vid}/notes", {"text": "更正：对方为副总"}, as_="cm-001")
        assert status == 201
        status, full = api.get(f"/v1/visits/{vid}", as_="cm-001")
        assert full["outcome"] == "已开户意向" and [n["text"] for n in full["notes"]] == ["更正：对方为副总"]


def test_a_same_day_amendment_keeps_the_previous_version_readable(api):
    with clock.freeze(NOW):
        vid = record(api)["visit_id"]
        assert api.patch(f"/v1/visits/{vid}", {"outcome": "已开户意向"}, as_="cm-001")[0] == 200
        status, body = api.patch(f"/v1/visits/{vid}", {"outcome": "已开户", "person_contact": None}, as_="cm-001")
        assert status == 200 and body["version"] == 3
        status, history = api.get(f"/v1/visits/{vid}/versions", as_="sup-001")
        assert status == 200, history
        versions = history["versions"]
        assert [(v["version"], v["outcome"]) for v in versions] == [(1, "有兴趣"), (2, "已开户意向")]
        assert versions[0]["person_contact_masked"] and "1234" not in str(history)  # masked, as the log
        assert all(v["superseded_at"] for v in versions)
        assert api.get(f"/v1/visits/{vid}/versions", as_="cm-002")[0] == 404
        assert len(api.get("/v1/visits", as_="cm-001")[1]["items"]) == 1  # versions are not logs


def test_signed_week_is_read_only_for_the_manager(api):
    with clock.freeze(NOW):
        vid = record(api)["visit_id"]
        # A week still running has logs to come: it is signed off once it has ended.
        status, body = api.post("/v1/visits/signoffs", {"manager_id": "cm-001", "week": "2026-W47"}, as_="sup-001")
        assert status == 400 and body["error"]["details"][0]["field"] == "week"
    with clock.freeze("2026-11-23T09:00:00+08:00"):
        assert api.post("/v1/visits/signoffs", {"manager_id": "cm-001", "week": "2026-W47"}, as_="cm-001")[0] == 403
        assert api.post("/v1/visits/signoffs", {"manager_id": "cm-001", "week": "2026-W47"}, as_="sup-101")[0] == 403
        status, body = api.post("/v1/visits/signoffs", {"manager_id": "cm-001", "week": "2026-W47"}, as_="sup-001")
        assert status == 201 and body["signed_by"] == "sup-001"
        assert api.post("/v1/visits/signoffs", {"manager_id": "cm-001", "week": "2026-W47"}, as_="sup-002")[0] == 409
        assert api.patch(f"/v1/visits/{vid}", {"outcome": "x"}, as_="cm-001")[0] == 422
        assert api.post(f"/v1/visits/{vid}/notes", {"text": "x"}, as_="cm-001")[0] == 422
        status, body = api.post("/v1/visits/signoffs", {"manager_id": "cm-001", "week": "2026-W60"}, as_="sup-001")
        assert status == 400 and body["error"]["details"][0]["field"] == "week"
        assert api.post("/v1/visits/signoffs", {"manager_id": "cm-001", "week": "2026-W49"}, as_="sup-001")[0] == 400


def test_daily_activity_against_quotas(api):
    with clock.freeze("2026-11-20T20:00:00+08:00"):
        for hour in range(9, 14):
            record(api, kind="phone", visited_at=f"2026-11-20T{hour:02d}:00:00+08:00", clients_count=1)
        record(api, kind="on_site", visited_at="2026-11-20T15:00:00+08:00", clients_count=3)
        record(api, kind="phone", visited_at="2026-11-19T09:00:00+08:00")
        record(api, kind="on_site", visited_at="2026-11-19T15:00:00+08:00", clients_count=1)
        status, body = api.get("/v1/visits/activity?from=2026-11-19&to=2026-11-22", as_="cm-001")
    assert status == 200, body
    days = {d["date"]: d for d in body["days"]}
    assert days["2026-11-20"]["phone_contacts"] == 5 and days["2026-11-20"]["phone_quota_met"] is True
    assert days["2026-11-20"]["outing_quota_met"] is True and days["2026-11-20"]["clients_on_outings"] == 3
    assert days["2026-11-19"]["phone_quota_met"] is False and days["2026-11-19"]["outing_quota_met"] is False
    assert days["2026-11-21"]["working_day"] is False
    assert body["totals"]["outings_below_client_quota"] == 1
    assert body["weeks"][0]["visit_days"] == 2 and body["weeks"][0]["visit_days_quota_met"] is False
    assert body["weeks"][0]["visit_dates"] == ["2026-11-19", "2026-11-20"]
    assert api.get("/v1/visits/activity?from=2026-11-19&to=2026-11-22&manager_id=cm-001", as_="cm-002")[0] == 403
    assert api.get("/v1/visits/activity?from=2026-11-22&to=2026-11-19", as_="cm-001")[0] == 400


def test_reveal_contact_is_audited(api, at_noon):
    vid = record(api)["visit_id"]
    status, body = api.post(
        f"/v1/visits/{vid}/reveal", {"purpose": "follow_up", "reason": "回电确认拜访对象"}, as_="cm-001"
    )
    assert status == 200 and body["person_contact"] == "13912345678"
    assert (
        api.post(f"/v1/visits/{vid}/reveal", {"purpose": "follow_up", "reason": "好奇想看看号码"}, as_="cm-002")[0]
        == 404
    )
    from chalicelib.storage import audit

    records = audit.list_reveals("2026-11", limit=10).items
    assert sorted((r["actor_id"], r["outcome"], r["fields"]) for r in records) == [
        ("cm-001", "granted", ["person_contact"]),
        ("cm-002", "refused", []),
    ]


def test_photos_presigned_per_manager_and_only_readers_get_urls(api, at_noon):
    status, up = api.post("/v1/visits/photos", {"content_type": "image/jpeg", "size_bytes": 200_000}, as_="cm-001")
    assert status == 201 and up["photo_key"].startswith("photos/cm-001/")
    assert up["fields"]["Content-Type"] == "image/jpeg"
    status, body = api.post("/v1/visits/photos", {"content_type": "image/gif", "size_bytes": 10}, as_="cm-001")
    assert status == 400 and body["error"]["details"][0]["field"] == "content_type"
    status, body = api.post("/v1/visits/photos", {"content_type": "image/png", "size_bytes": 50_000_000}, as_="cm-001")
    assert status == 413 and body["error"]["details"][0]["field"] == "size_bytes"
    vid = record(api, photo_keys=[up["photo_key"]])["visit_id"]
    status, full = api.get(f"/v1/visits/{vid}", as_="cm-001")
    assert len(full["photo_urls"]) == 1 and up["photo_key"] in full["photo_urls"][0]
    assert api.get(f"/v1/visits/{vid}", as_="cm-002")[0] == 404
    status, body = api.post("/v1/visits", visit(photo_keys=[up["photo_key"]]), as_="cm-002")
    assert status == 400 and body["error"]["details"][0]["field"] == "photo_keys.0"


def test_date_range_filters_and_paginates(api):
    with clock.freeze("2026-11-20T20:00:00+08:00"):
        for day in range(14, 21):
            record(api, kind="phone", visited_at=f"2026-11-{day}T09:00:00+08:00")
        status, page = api.get("/v1/visits?from=2026-11-16&to=2026-11-18", as_="cm-001")
        assert [v["visited_at"][:10] for v in page["items"]] == ["2026-11-18", "2026-11-17", "2026-11-16"]
        status, p1 = api.get("/v1/visits?limit=4", as_="cm-001")
        status, p2 = api.get(f"/v1/visits?limit=4&next_token={p1['next_token']}", as_="cm-001")
        assert len(p1["items"]) == 4 and len(p2["items"]) == 3 and p2["next_token"] is None
        assert api.get(f"/v1/visits?limit=4&next_token={p1['next_token']}", as_="cm-002")[0] == 400


def test_an_outing_counts_its_clients_over_its_logs_and_online_contacts_count(api):
    # 002 第二十条: an outing covers at least 2 clients, counted over the outing's logs, not per log; phone,
    # WeChat/SMS and online contacts all count toward the daily 5; outlet shifts are not visit days.
    with clock.freeze("2026-11-20T20:00:00+08:00"):
        record(api, kind="on_site", visited_at="2026-11-20T10:00:00+08:00", clients_count=1, unit_name="甲公司")
        record(api, kind="on_site", visited_at="2026-11-20T11:00:00+08:00", clients_count=1, unit_name="乙公司")
        for hour, kind in ((9, "phone"), (12, "wechat_sms"), (13, "online"), (14, "wechat_sms"), (15, "phone")):
            record(api, kind=kind, visited_at=f"2026-11-20T{hour:02d}:00:00+08:00")
        record(api, kind="outlet_shift", visited_at="2026-11-19T09:00:00+08:00")
        record(api, kind="outlet_shift", visited_at="2026-11-18T09:00:00+08:00")
        status, body = api.get("/v1/visits/activity?from=2026-11-16&to=2026-11-22", as_="cm-001")
    assert status == 200, body
    day = {d["date"]: d for d in body["days"]}["2026-11-20"]
    assert day["outings"] == 1 and day["clients_on_outings"] == 2 and day["outing_quota_met"] is True
    assert day["phone_contacts"] == 5 and day["phone_quota_met"] is True
    assert body["weeks"][0]["visit_days"] == 1 and body["weeks"][0]["visit_dates"] == ["2026-11-20"]


def test_late_logs_go_to_the_supervisor_and_count_once_approved(api):
    old = {"visited_at": "2026-11-02T10:00:00+08:00", "kind": "on_site", "clients_count": 2}
    with clock.freeze(NOW):
        status, body = api.post("/v1/visits", visit(**old), as_="cm-001")
        assert status == 400 and body["error"]["details"][0]["field"] == "late_reason"
        status, late = api.post("/v1/visits", visit(**old, late_reason="出差期间无网络，补录"), as_="cm-001")
        assert status == 201 and late["status"] == "pending_approval"
        activity = api.get("/v1/visits/activity?from=2026-11-02&to=2026-11-02", as_="cm-001")[1]
        assert activity["totals"]["visits"] == 0  # not counted while pending
        url = f"/v1/visits/{late['visit_id']}/late-approval"
        assert api.post(url, {"approve": True}, as_="cm-001")[0] == 403
        assert api.post(url, {"approve": True}, as_="sup-101")[0] == 404
        status, done = api.post(url, {"approve": True, "comment": "情况属实"}, as_="sup-001")
        assert status == 200 and done["status"] == "approved_late" and done["approval"]["by"] == "sup-001"
        assert api.post(url, {"approve": False}, as_="sup-002")[0] == 409
        activity = api.get("/v1/visits/activity?from=2026-11-02&to=2026-11-02", as_="cm-001")[1]
        assert activity["totals"]["visits"] == 1


def test_a_log_into_a_signed_week_needs_the_supervisor(api):
    with clock.freeze("2026-11-23T09:00:00+08:00"):
        assert api.post("/v1/visits/signoffs", {"manager_id": "cm-001", "week": "2026-W47"}, as_="sup-001")[0] == 201
        into = {"visited_at": "2026-11-20T10:00:00+08:00"}
        status, body = api.post("/v1/visits", visit(**into), as_="cm-001")
        assert status == 400 and body["error"]["details"][0]["field"] == "late_reason"
        status, body = api.post("/v1/visits", visit(**into, late_reason="周五漏记一条拜访"), as_="cm-001")
        assert status == 201 and body["status"] == "pending_approval"
