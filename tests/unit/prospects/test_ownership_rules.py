"""The owner's work on the fakes: visibility, follow-ups restarting protection, audited reveals."""

from __future__ import annotations

from datetime import date

import pytest

from chalicelib import clock
from chalicelib.domain.prospects import ownership, registration
from chalicelib.domain.prospects.ownership import NotFollowedUpWhenInactive, NotTheOwner
from chalicelib.domain.prospects.ports import StaleRecord
from chalicelib.errors import Conflict, Forbidden, NotFound, Unprocessable, ValidationFailed
from chalicelib.models.prospects import FollowUpIn, ProspectIn, ProspectStatus, RevealIn

from ...fakes.prospects import manager, supervisor

ID_NUMBER = "11010519491231002X"


def register(deps, **extra) -> str:
    body = ProspectIn.model_validate(
        {
            "name": "孙八",
            "phone": "13700000001",
            "class": "A",
            "source": "seminar",
            "first_contact_on": "2026-11-20",
            **extra,
        }
    )
    return registration.register(deps, manager(), body)["prospect_id"]


def follow_up(**extra) -> FollowUpIn:
    return FollowUpIn.model_validate({"channel": "phone", "summary": "电话沟通", **extra})


def test_a_follow_up_restarts_protection_from_today_under_the_new_class(deps):
    pid = register(deps)
    with clock.freeze("2026-11-26T15:00:00+08:00"):
        ownership.add_follow_up(deps, manager(), pid, follow_up(class_change="B"))
    record = deps.repo.get(pid)
    assert record.prospect_class == "B" and record.protected_until == date(2026, 12, 11)
    assert record.next_follow_up == date(2026, 12, 11) and record.follow_up_count == 1
    with clock.freeze("2026-11-27T15:00:00+08:00"):
        ownership.add_follow_up(deps, manager(), pid, follow_up(next_date="2026-11-30"))
    detail = ownership.get(deps, manager(), pid)
    assert detail["next_follow_up"] == "2026-11-30" and len(detail["follow_ups"]) == 2


def test_only_the_owner_follows_up_and_only_an_active_prospect(deps):
    pid = register(deps)
    with pytest.raises(NotFound):
        ownership.add_follow_up(deps, manager("cm-002"), pid, follow_up())
    with pytest.raises(NotTheOwner):
        ownership.add_follow_up(deps, supervisor(), pid, follow_up())
    with pytest.raises(ValidationFailed):
        ownership.add_follow_up(deps, manager(), pid, follow_up(next_date="2026-11-19"))
    record = deps.repo.get(pid)
    deps.repo.save(record.model_copy(update={"status": ProspectStatus.converted, "version": 2}), expected_version=1)
    with pytest.raises(NotFollowedUpWhenInactive) as refused:
        ownership.add_follow_up(deps, manager(), pid, follow_up())
    assert refused.value.message == "a converted prospect takes no follow-ups"


def test_a_follow_up_on_a_prospect_changed_meanwhile_is_a_conflict_and_stores_nothing(deps):
    pid = register(deps)

    def moved(*args, **kwargs):
        raise StaleRecord()

    deps.repo.save_with_follow_up = moved
    with pytest.raises(Conflict) as refused:
        ownership.add_follow_up(deps, manager(), pid, follow_up())
    assert refused.value.message == "the prospect changed meanwhile; reload and retry"
    assert deps.repo.follow_ups == {}


def test_a_prospect_is_seen_by_its_owner_and_its_branch_supervisor_only(deps):
    pid = register(deps)
    assert ownership.get(deps, supervisor(), pid)["owner_id"] == "cm-001"
    for who in (manager("cm-002"), supervisor("br-haidian")):
        with pytest.raises(NotFound):
            ownership.get(deps, who, pid)
    with pytest.raises(Forbidden):
        ownership.list_prospects(deps, manager(), "cm-002", 20, None)
    with pytest.raises(Forbidden):
        ownership.list_prospects(deps, supervisor(), "cm-101", 20, None)
    with pytest.raises(ValidationFailed):
        ownership.list_prospects(deps, supervisor(), None, 20, None)
    assert [r.prospect_id for r in ownership.list_prospects(deps, supervisor(), "cm-001", 20, None).items] == [pid]


def test_the_owner_sees_the_clear_numbers_audited_and_anyone_else_is_refused_as_unknown(deps):
    pid = register(deps, id_number=ID_NUMBER)
    shown = ownership.reveal(deps, manager(), pid, RevealIn(purpose="follow_up", reason="跟进前核对号码"))
    assert shown == {"prospect_id": pid, "phone": "13700000001", "id_number": ID_NUMBER, "audit_id": "audit-1"}
    with pytest.raises(NotFound):
        ownership.reveal(deps, manager("cm-002"), pid, RevealIn(purpose="follow_up", reason="想看看这个号码"))
    assert deps.disclosures.refused == [("cm-002", pid, "only the owning client manager may do this")]
    no_id = registration.register(
        deps,
        manager(),
        ProspectIn.model_validate(
            {
                "name": "周九",
                "phone": "13700000002",
                "class": "B",
                "source": "seminar",
                "first_contact_on": "2026-11-20",
            }
        ),
    )["prospect_id"]
    with pytest.raises(Unprocessable):
        ownership.reveal(
            deps, manager(), no_id, RevealIn(purpose="follow_up", reason="核对证件号码", fields=["id_number"])
        )
    assert len(deps.disclosures.granted) == 1
