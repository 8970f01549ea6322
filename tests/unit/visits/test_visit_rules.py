"""Visit log rules on the fakes (DOMAIN 1; 002 第十九条/第二十条/第三十七条): what a log records and counts,
late and signed-off weeks, corrections, sign-off, photos and the activity quotas with approved leave."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from chalicelib import clock, submission
from chalicelib.config import get_settings
from chalicelib.domain import visits
from chalicelib.domain.visit_ports import MAX_NOTES, NotesFull, WeekAlreadySigned
from chalicelib.errors import Conflict, Forbidden, NotFound, PayloadTooLarge, Unprocessable, ValidationFailed
from chalicelib.models.visits import (
    ActivityQuery,
    LateApprovalIn,
    NoteIn,
    PhotoUploadIn,
    SignoffIn,
    VisitIn,
    VisitPatch,
    VisitQuery,
)

from .conftest import MANAGER, OTHER_MANAGER, OTHER_SUPERVISOR, SUPERVISOR


def log(at: str = "2026-11-20T10:00:00+08:00", **kw) -> VisitIn:
    values = {
        "kind": "on_site",
        "visited_at": at,
        "unit_name": "浦东某公司",
        "person_met": "张先生",
        "discussed": "资产配置",
    }
    return VisitIn.model_validate({**values, **kw})


def field_of(error: Exception) -> str:
    return error.details[0]["field"]  # type: ignore[attr-defined]


def test_a_log_is_recorded_for_its_author_with_the_contact_sealed_and_masked(repo):
    record = visits.record_visit(MANAGER, log(person_contact="13812345678"))
    stored = repo.get_visit(record["visit_id"])
    assert stored["manager_id"] == "cm-001" and stored["branch_id"] == "br-pudong" and stored["status"] == "recorded"
    assert stored["person_contact_masked"] == "138****5678" and "13812345678" not in str(stored)


def test_the_serving_managers_log_counts_toward_the_clients_plan_and_anothers_does_not(repo):
    visits.record_visit(MANAGER, log(account_id="ac-1"))
    assert repo.contacts[("ac-1", "cm-001")] == {"contact_weeks": {"2026-W47"}, "visit_months": {"2026-11"}}
    record = visits.record_visit(MANAGER, log(account_id="ac-2"))  # cm-002 serves it: recorded, not counted
    assert repo.get_visit(record["visit_id"])["account_id"] == "ac-2" and ("ac-2", "cm-001") not in repo.contacts


@pytest.mark.parametrize(
    "body, field",
    [
        (log(account_id="ac-9"), "account_id"),
        (log(account_id="ac-none"), "account_id"),
        (log(outlet_id="ot-9", unit_name=None), "outlet_id"),
        (log(at="2026-11-21T10:00:00+08:00"), "visited_at"),
        (log(photo_keys=["photos/cm-002/x.jpg"]), "photo_keys.0"),
        (log(next_visit_date="2026-11-19"), "next_visit_date"),
        (log(at="2026-11-01T10:00:00+08:00"), "late_reason"),
    ],
)
def test_a_log_the_rules_refuse_names_its_field_and_writes_nothing(repo, body, field):
    with pytest.raises(ValidationFailed) as refused:
        visits.record_visit(MANAGER, body)
    assert field_of(refused.value) == field and repo.visits == {}


def test_a_log_in_a_signed_off_week_waits_for_the_supervisor_and_counts_once_approved(repo):
    repo.signoffs[("cm-001", "2026-W46")] = {"manager_id": "cm-001", "week": "2026-W46"}
    with pytest.raises(ValidationFailed) as refused:
        visits.record_visit(MANAGER, log(at="2026-11-13T10:00:00+08:00", account_id="ac-1"))
    assert field_of(refused.value) == "late_reason"
    body = log(at="2026-11-13T10:00:00+08:00", account_id="ac-1", late_reason="当天系统故障未能录入")
    record = visits.record_visit(MANAGER, body)
    assert record["status"] == "pending_approval" and "signed off" in record["late_because"]
    assert ("ac-1", "cm-001") not in repo.contacts  # not counted while it waits
    with pytest.raises(NotFound):
        visits.decide_late(OTHER_SUPERVISOR, record["visit_id"], LateApprovalIn(approve=True))
    decided = visits.decide_late(SUPERVISOR, record["visit_id"], LateApprovalIn(approve=True))
    assert decided["status"] == "approved_late" and repo.contacts[("ac-1", "cm-001")]["contact_weeks"] == {"2026-W46"}
    with pytest.raises(Conflict):
        visits.decide_late(SUPERVISOR, record["visit_id"], LateApprovalIn(approve=False))


def test_a_retried_submission_answers_the_log_it_wrote(repo):
    token = submission.bind("cm-001|POST /v1/visits|key-1", "h")
    try:
        first = visits.record_visit(MANAGER, log())
        again = visits.record_visit(MANAGER, log())
    finally:
        submission.unbind(token)
    # the stored log, as the table answers it (no None attributes)
    assert again["visit_id"] == first["visit_id"] and again == repo.get_visit(first["visit_id"])
    assert len(repo.visits) == 1


# --- corrections ------------------------------------------------------------------------------------------
def test_the_author_amends_on_the_day_then_only_appends_notes(repo):
    record = visits.record_visit(MANAGER, log())
    amended = visits.amend_visit(MANAGER, record["visit_id"], VisitPatch(discussed="基金定投"))
    assert amended["discussed"] == "基金定投" and amended["version"] == 2
    assert [v["discussed"] for v in visits.visit_versions(MANAGER, record["visit_id"])["versions"]] == ["资产配置"]
    with pytest.raises(NotFound):
        visits.amend_visit(OTHER_MANAGER, record["visit_id"], VisitPatch(discussed="x"))
    with pytest.raises(ValidationFailed) as refused:
        visits.amend_visit(MANAGER, record["visit_id"], VisitPatch(person_met=None))
    assert field_of(refused.value) == "person_met"
    with clock.freeze("2026-11-21T09:00:00+08:00"), pytest.raises(Unprocessable, match="correction note"):
        visits.amend_visit(MANAGER, record["visit_id"], VisitPatch(discussed="x"))
    with clock.freeze("2026-11-21T09:00:00+08:00"):
        note = visits.add_note(MANAGER, record["visit_id"], NoteIn(text="客户电话更正"))
    assert repo.get_visit(record["visit_id"])["notes"] == [note]


def test_a_log_takes_a_bounded_number_of_notes(repo):
    record = visits.record_visit(MANAGER, log())
    repo.visits[record["visit_id"]]["notes"] = [{"note_id": str(i)} for i in range(MAX_NOTES)]
    with pytest.raises(Unprocessable, match=f"at most {MAX_NOTES}"):
        visits.add_note(MANAGER, record["visit_id"], NoteIn(text="one more"))
    assert issubclass(NotesFull, Unprocessable)


def test_a_signed_off_week_is_read_only_and_signed_once_after_it_ended(repo):
    record = visits.record_visit(MANAGER, log(at="2026-11-16T10:00:00+08:00"))
    with pytest.raises(ValidationFailed) as refused:
        visits.sign_week(SUPERVISOR, SignoffIn(manager_id="cm-001", week="2026-W47"))
    assert field_of(refused.value) == "week"
    with pytest.raises(Forbidden):
        visits.sign_week(OTHER_SUPERVISOR, SignoffIn(manager_id="cm-001", week="2026-W46"))
    with clock.freeze("2026-11-23T09:00:00+08:00"):
        visits.sign_week(SUPERVISOR, SignoffIn(manager_id="cm-001", week="2026-W47"))
        with pytest.raises(WeekAlreadySigned):
            visits.sign_week(SUPERVISOR, SignoffIn(manager_id="cm-001", week="2026-W47"))
        with pytest.raises(Unprocessable, match="signed off"):
            visits.add_note(MANAGER, record["visit_id"], NoteIn(text="x"))


# --- reading ----------------------------------------------------------------------------------------------
def test_the_author_and_their_supervisor_read_a_log_with_short_lived_photo_urls(repo):
    record = visits.record_visit(MANAGER, log(photo_keys=["photos/cm-001/a.jpg"]))
    shown = visits.read_visit(SUPERVISOR, record["visit_id"])
    assert shown["photo_urls"] == [f"memory://photos/photos/cm-001/a.jpg?expires={get_settings().photo_url_seconds}"]
    for who in (OTHER_MANAGER, OTHER_SUPERVISOR):
        with pytest.raises(NotFound):
            visits.read_visit(who, record["visit_id"])


def test_lists_keep_to_the_readers_scope(repo):
    visits.record_visit(MANAGER, log())
    mine = visits.list_visits(MANAGER, VisitQuery(), None)
    assert len(mine.items) == 1
    with pytest.raises(Forbidden):
        visits.list_visits(MANAGER, VisitQuery(manager_id="cm-002"), None)
    with pytest.raises(Forbidden):
        visits.list_visits(OTHER_SUPERVISOR, VisitQuery(manager_id="cm-001"), None)
    assert len(visits.list_visits(SUPERVISOR, VisitQuery(), None).items) == 1


def test_a_photo_upload_is_limited_in_size_and_kept_under_the_managers_prefix(repo):
    form = visits.photo_upload(MANAGER, PhotoUploadIn(content_type="image/jpeg", size_bytes=200_000))
    assert form["photo_key"].startswith("photos/cm-001/") and form["photo_key"].endswith(".jpg")
    with pytest.raises(PayloadTooLarge):
        visits.photo_upload(MANAGER, PhotoUploadIn(content_type="image/png", size_bytes=50_000_000))


# --- activity against the quotas ----------------------------------------------------------------------------
def test_a_week_on_the_road_meets_the_visit_day_quota_and_leave_lowers_it(repo, leave_repo):
    for day in ("2026-11-16", "2026-11-17"):
        visits.record_visit(MANAGER, log(at=f"{day}T10:00:00+08:00", clients_count=2))
    summary = visits.activity_summary("cm-001", date(2026, 11, 16), date(2026, 11, 20))
    week = summary["weeks"][0]
    assert (week["visit_days"], week["visit_days_required"], week["visit_days_quota_met"]) == (2, 3, False)
    # 000 第一篇 第四条: approved leave is not held against the manager - two days of five: 3 x 3/5 = 1.8, up to 2.
    leave_repo.leave["lv-1"] = {
        "leave_id": "lv-1",
        "manager_id": "cm-001",
        "branch_id": "br-pudong",
        "start_date": "2026-11-19",
        "end_date": "2026-11-20",
        "status": "approved",
    }
    summary = visits.activity_summary("cm-001", date(2026, 11, 16), date(2026, 11, 20))
    week = summary["weeks"][0]
    assert (week["visit_days_required"], week["visit_days_quota_met"], week["leave_days"]) == (2, True, "2")
    friday = summary["days"][-1]
    assert friday["phone_contacts_required"] == 0 and friday["leave"] == "1" and summary["totals"]["leave_days"] == "2"
    assert Decimal(summary["totals"]["leave_days"]) == 2


def test_a_pending_log_is_not_counted(repo):
    repo.signoffs[("cm-001", "2026-W46")] = {"manager_id": "cm-001", "week": "2026-W46"}
    visits.record_visit(MANAGER, log(at="2026-11-13T10:00:00+08:00", late_reason="当天系统故障未能录入"))
    assert (
        visits.activity(MANAGER, ActivityQuery.model_validate({"from": "2026-11-09", "to": "2026-11-15"}))["totals"][
            "visits"
        ]
        == 0
    )
