"""Hand-over 交接 (issue 19 §8): a departed manager's prospects go to a named successor or the branch
pool at once; the supervisor can hand over what is left; repeating it moves nothing twice."""

from __future__ import annotations

import pytest

from chalicelib import clock
from tests.api.test_prospects import register

NOW = "2026-11-20T10:00:00+08:00"
DEPART = {"status": "departed", "departed_on": "2026-11-20"}


@pytest.fixture(autouse=True)
def frozen():
    with clock.freeze(NOW):
        yield


def two_prospects(api) -> list[str]:
    return [
        register(api, phone="13800001111", id_number=None)["prospect_id"],
        register(api, phone="13800002222", id_number=None, **{"class": "B"})["prospect_id"],
    ]


def test_a_departure_hands_the_prospects_to_the_named_successor_at_once(api):
    ids = two_prospects(api)
    status, staff = api.patch("/v1/staff/cm-001", {**DEPART, "successor_id": "cm-002"}, as_="adm-001")
    assert status == 200, staff
    for pid in ids:
        status, p = api.get(f"/v1/prospects/{pid}", as_="cm-002")
        assert status == 200 and p["owner_id"] == "cm-002" and p["protected"] is True
        assert p["first_contact_due"]
    _, mine = api.get("/v1/prospects", as_="cm-002")
    assert {p["prospect_id"] for p in mine["items"]} >= set(ids)


def test_a_departure_without_a_successor_sends_them_to_the_branch_pool(api):
    ids = two_prospects(api)
    assert api.patch("/v1/staff/cm-001", DEPART, as_="adm-001")[0] == 200
    _, pool = api.get("/v1/prospects/pool", as_="cm-002")
    assert {p["prospect_id"] for p in pool["items"]} == set(ids)


def test_the_successor_must_be_an_active_manager_of_the_branch(api):
    for successor in ("cm-101", "sup-001", "cm-001", "nobody"):
        status, body = api.patch("/v1/staff/cm-001", {**DEPART, "successor_id": successor}, as_="adm-001")
        assert status == 400 and body["error"]["details"][0]["field"] == "successor_id", successor
    status, body = api.patch("/v1/staff/cm-001", {"name": "王晓明", "successor_id": "cm-002"}, as_="adm-001")
    assert status == 400 and "successor_id" in str(body["error"]["details"])


def test_a_failed_delivery_is_retried_by_the_outbox_and_moves_nothing_twice(api, monkeypatch):
    from chalicelib.domain import outbox
    from chalicelib.domain.prospects import handover

    ids = two_prospects(api)
    real = handover.hand_over

    def down(*args, **kwargs):
        raise RuntimeError("throttled")

    monkeypatch.setattr(handover, "hand_over", down)
    assert api.patch("/v1/staff/cm-001", {**DEPART, "successor_id": "cm-002"}, as_="adm-001")[0] == 200
    assert api.get(f"/v1/prospects/{ids[0]}", as_="cm-002")[0] == 404  # not moved yet
    monkeypatch.setattr(handover, "hand_over", real)
    with clock.freeze("2026-11-20T12:00:00+08:00"):
        assert outbox.deliver_due()["delivered"] == 1
    assert all(api.get(f"/v1/prospects/{pid}", as_="cm-002")[1]["owner_id"] == "cm-002" for pid in ids)
    # The supervisor's hand-over of what is left finds nothing more to move.
    status, body = api.post("/v1/staff/cm-001/handover", {"reason": "交接检查,确认无遗留"}, as_="sup-001")
    assert status == 200 and body == {"staff_id": "cm-001", "moved": 0, "to": "pool"}


def test_the_supervisor_hands_over_a_departed_managers_book(api):
    ids = two_prospects(api)
    reason = {"reason": "离职交接给李娜", "successor_id": "cm-002"}
    assert api.post("/v1/staff/cm-001/handover", reason, as_="sup-001")[0] == 422  # not departed
    # A departure recorded through the privilege path or before this change: nothing moved yet.
    from chalicelib.storage import base, keys
    from chalicelib.storage import directory as staff_repo

    base.update(
        **keys.staff("cm-001"),
        expression="SET #s = :d, departed_on = :on",
        names={"#s": "status"},
        values={":d": "departed", ":on": "2026-11-20"},
        return_values="NONE",
    )
    assert staff_repo.get_staff("cm-001")["status"] == "departed"
    assert api.post("/v1/staff/cm-001/handover", reason, as_="sup-101")[0] == 404  # another branch
    assert api.post("/v1/staff/cm-001/handover", reason, as_="cm-002")[0] == 403
    status, body = api.post("/v1/staff/cm-001/handover", {**reason, "successor_id": "cm-101"}, as_="sup-001")
    assert status == 400 and body["error"]["details"][0]["field"] == "successor_id"
    status, body = api.post("/v1/staff/cm-001/handover", reason, as_="sup-001")
    assert status == 200 and body == {"staff_id": "cm-001", "moved": 2, "to": "cm-002"}
    status, p = api.get(f"/v1/prospects/{ids[1]}", as_="cm-002")
    assert p["owner_id"] == "cm-002"
    assert api.post("/v1/staff/cm-001/handover", reason, as_="sup-001")[1]["moved"] == 0
