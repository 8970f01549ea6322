"""One contract for `VisitRepository`, run on the DynamoDB adapter (moto) and on the in-memory fake."""

from __future__ import annotations

import pytest

from chalicelib.domain.visit_ports import (
    MAX_NOTES,
    AccountCheck,
    AccountRefused,
    Contact,
    NotesFull,
    VisitChanged,
    VisitExists,
    WeekAlreadySigned,
    WeekSignedOff,
)
from chalicelib.storage.memory.visits import MemoryVisitRepository
from chalicelib.storage.visits_repo import DynamoVisitRepository

ACCOUNT = {"account_id": "ac-1", "branch_id": "br-pudong", "serving_manager_id": "cm-001", "status": "open"}
OUTLET = {"outlet_id": "ot-1", "branch_id": "br-pudong", "name": "陆家嘴营业部"}


@pytest.fixture(params=["memory", "dynamodb"])
def repo(request):
    if request.param == "memory":
        fake = MemoryVisitRepository()
        fake.accounts["ac-1"] = dict(ACCOUNT)
        fake.outlets["ot-1"] = dict(OUTLET)
        fake.add_staff("cm-001", "br-pudong")
        return fake
    from chalicelib.storage import base, directory, keys

    base.put({**keys.account("ac-1"), **ACCOUNT})
    directory.put_outlet(dict(OUTLET), new=True)
    directory.put_staff({"staff_id": "cm-001", "branch_id": "br-pudong", "role": "client_manager"})
    return DynamoVisitRepository()


def contacts(repo, account_id: str = "ac-1", manager_id: str = "cm-001") -> dict:
    if isinstance(repo, MemoryVisitRepository):
        found = repo.contacts.get((account_id, manager_id)) or {}
    else:
        from chalicelib.storage import contact_plan

        found = contact_plan.contacts_of(manager_id, [account_id]).get(account_id) or {}
    return {k: set(found.get(k) or ()) for k in ("contact_weeks", "visit_months")}


def visit(vid: str, at: str = "2026-11-18T10:00:00+08:00", **kw) -> dict:
    return {
        "visit_id": vid,
        "manager_id": "cm-001",
        "branch_id": "br-pudong",
        "kind": "client_visit",
        "visited_at": at,
        "recorded_at": "2026-11-18T12:00:00+08:00",
        "person_met": "张先生",
        "discussed": "资产配置",
        "clients_count": 1,
        "status": "recorded",
        "version": 1,
        "account_id": None,
        **kw,
    }


def test_a_new_log_is_written_once_with_its_contact(repo):
    repo.put_new_visit(
        visit("v-1", account_id="ac-1"),
        contact=Contact("ac-1", "cm-001", "2026-W47", "2026-11"),
        unsigned_week="2026-W47",
        account=AccountCheck("ac-1", "br-pudong", "cm-001"),
    )
    stored = repo.get_visit("v-1", consistent=True)
    assert stored["person_met"] == "张先生" and stored["clients_count"] == 1 and "account_id" in stored
    assert contacts(repo) == {"contact_weeks": {"2026-W47"}, "visit_months": {"2026-11"}}
    with pytest.raises(VisitExists):
        repo.put_new_visit(visit("v-1"))
    with pytest.raises(VisitExists):
        repo.put_new_visit(visit("v-1"), contact=Contact("ac-1", "cm-001", "2026-W48"), unsigned_week="2026-W47")
    assert contacts(repo)["contact_weeks"] == {"2026-W47"}  # all or nothing
    assert repo.get_visit("v-none") is None


def test_a_log_in_a_signed_week_is_refused_before_its_account_and_writes_nothing(repo):
    repo.put_signoff({"manager_id": "cm-001", "week": "2026-W47", "signed_by": "sup-001"})
    with pytest.raises(WeekSignedOff):
        repo.put_new_visit(
            visit("v-1", account_id="ac-9"),
            contact=Contact("ac-9", "cm-001", "2026-W47"),
            unsigned_week="2026-W47",
            account=AccountCheck("ac-9", "br-pudong"),
        )
    assert repo.get_visit("v-1") is None
    repo.put_new_visit(visit("v-1"), unsigned_week="2026-W48")  # another week is open
    assert repo.get_visit("v-1")["status"] == "recorded"


@pytest.mark.parametrize(
    "check",
    [
        AccountCheck("ac-9", "br-pudong"),
        AccountCheck("ac-1", "br-haidian"),
        AccountCheck("ac-1", "br-pudong", "cm-002"),
    ],
)
def test_the_account_check_refuses_an_unknown_foreign_or_unserved_account(repo, check):
    with pytest.raises(AccountRefused):
        repo.put_new_visit(visit("v-1", account_id=check.account_id), account=check)
    assert repo.get_visit("v-1") is None
    repo.put_new_visit(visit("v-1", account_id="ac-1"), account=AccountCheck("ac-1", "br-pudong"))
    assert repo.get_visit("v-1")["account_id"] == "ac-1"


def test_an_amendment_keeps_the_log_as_it_stood_and_wins_once(repo):
    repo.put_new_visit(visit("v-1", next_visit_date="2026-11-25"))
    before = repo.get_visit("v-1")
    amended = repo.amend_visit(
        "v-1",
        {"discussed": "基金定投", "next_visit_date": None},
        amended_at="2026-11-18T13:00:00+08:00",
        expected_version=1,
        previous=before,
    )
    assert amended["discussed"] == "基金定投" and "next_visit_date" not in amended and amended["version"] == 2
    replay = repo.amend_visit(
        "v-1", {"discussed": "基金定投"}, amended_at="2026-11-18T13:00:00+08:00", expected_version=1, previous=before
    )
    assert replay == amended  # the same amendment retried after a lost answer
    with pytest.raises(VisitChanged):
        repo.amend_visit(
            "v-1", {"discussed": "x"}, amended_at="2026-11-18T14:00:00+08:00", expected_version=1, previous=before
        )
    versions = repo.visit_versions("v-1")
    assert [v["discussed"] for v in versions] == ["资产配置"] and versions[0]["superseded_at"].startswith(
        "2026-11-18T13"
    )
    assert repo.get_visit("v-1")["discussed"] == "基金定投"


def test_a_late_log_is_decided_once_with_its_contact(repo):
    repo.put_new_visit(visit("v-1", status="pending_approval", account_id="ac-1"))
    assert contacts(repo)["contact_weeks"] == set()
    approval = {"by": "sup-001", "at": "2026-11-19T09:00:00+08:00", "approved": True, "comment": ""}
    repo.decide_late("v-1", "approved_late", approval, contact=Contact("ac-1", "cm-001", "2026-W47", "2026-11"))
    assert repo.get_visit("v-1")["status"] == "approved_late" and contacts(repo)["visit_months"] == {"2026-11"}
    with pytest.raises(VisitChanged):
        repo.decide_late("v-1", "rejected", approval)
    with pytest.raises(VisitChanged):
        repo.decide_late("v-none", "rejected", approval)
    assert repo.get_visit("v-1")["status"] == "approved_late"


def test_notes_are_appended_up_to_the_limit(repo):
    repo.put_new_visit(visit("v-1"))
    for i in range(MAX_NOTES):
        repo.add_note("v-1", {"note_id": f"n{i}", "text": f"补充 {i}"})
    with pytest.raises(NotesFull):
        repo.add_note("v-1", {"note_id": "over", "text": "x"})
    with pytest.raises(NotesFull):
        repo.add_note("v-none", {"note_id": "n", "text": "x"})
    notes = repo.get_visit("v-1")["notes"]
    assert len(notes) == MAX_NOTES and notes[0]["text"] == "补充 0" and notes[-1]["note_id"] == f"n{MAX_NOTES - 1}"


def test_lists_are_by_visit_time_within_the_range(repo):
    for vid, at in (
        ("v-1", "2026-11-16T09:00:00+08:00"),
        ("v-2", "2026-11-17T09:00:00+08:00"),
        ("v-3", "2026-11-18T09:00:00+08:00"),
    ):
        repo.put_new_visit(visit(vid, at))
    repo.put_new_visit(visit("v-4", "2026-11-18T10:00:00+08:00", manager_id="cm-002"))
    first = repo.list_manager_visits("cm-001", "2026-11-01", "2026-11-30T~", limit=2)
    assert [v["visit_id"] for v in first.items] == ["v-3", "v-2"] and first.last_key
    rest = repo.list_manager_visits("cm-001", "2026-11-01", "2026-11-30T~", limit=2, start_key=first.last_key)
    assert [v["visit_id"] for v in rest.items] == ["v-1"] and rest.last_key is None
    within = repo.all_manager_visits("cm-001", "2026-11-17", "2026-11-18T~")
    assert [v["visit_id"] for v in within] == ["v-2", "v-3"]
    branch = repo.list_branch_visits("br-pudong", "2026-11-18", "2026-11-18T~", limit=10)
    assert [v["visit_id"] for v in branch.items] == ["v-4", "v-3"]


def test_a_week_is_signed_off_once(repo):
    record = {"manager_id": "cm-001", "week": "2026-W47", "signed_by": "sup-001", "comment": "ok"}
    repo.put_signoff(record)
    with pytest.raises(WeekAlreadySigned):
        repo.put_signoff({**record, "signed_by": "sup-002"})
    assert repo.get_signoff("cm-001", "2026-W47")["signed_by"] == "sup-001"
    assert repo.get_signoff("cm-001", "2026-W48") is None


def test_other_areas_records_are_read_as_stored(repo):
    assert repo.get_account("ac-1")["serving_manager_id"] == "cm-001" and repo.get_account("ac-9") is None
    assert repo.get_outlet("ot-1")["branch_id"] == "br-pudong" and repo.get_outlet("ot-9") is None
    assert repo.get_staff("cm-001")["role"] == "client_manager" and repo.scoped_staff("cm-999") is None
