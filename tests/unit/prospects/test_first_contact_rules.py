"""000 第四篇 "需要在和准客户初次见面后的三天内与他(她)联系": a new prospect not contacted by its due day is
raised to the supervisor once, by the daily job, on the fakes."""

from __future__ import annotations

from chalicelib import clock
from chalicelib.domain.prospects import first_contact, ownership, pool, registration
from chalicelib.models.prospects import FollowUpIn, ProspectIn

from ...fakes.prospects import manager


def register(deps, phone: str, met_on: str = "2026-11-20", klass: str = "A") -> str:
    body = ProspectIn.model_validate(
        {"name": "钱七", "phone": phone, "class": klass, "source": "own_network", "first_contact_on": met_on}
    )
    return registration.register(deps, manager(), body)["prospect_id"]


def run(deps, day: str) -> dict:
    with clock.freeze(f"{day}T01:00:00+08:00"):
        return first_contact.escalate_overdue(deps)


def test_an_uncontacted_prospect_is_escalated_the_day_after_its_due_day_once(deps):
    pid = register(deps, "13600000001")  # met 11-20: due 11-23
    assert run(deps, "2026-11-23")["escalated"] == []  # still the due day
    assert run(deps, "2026-11-24")["escalated"] == [pid]
    ((subject, payload),) = deps.repo.escalations.items()
    assert subject == f"prospect_first_contact_overdue:{pid}:2026-11-23"
    assert payload["kind"] == "prospect_first_contact_overdue" and payload["record"]["audience"] == ["supervisor"]
    assert payload["record"]["owner_id"] == "cm-001" and payload["record"]["first_contact_due"] == "2026-11-23"
    assert "钱七" not in str(payload) and "13600000001" not in str(payload)  # ids only
    assert deps.repo.get(pid).first_contact_escalated_for.isoformat() == "2026-11-23"
    assert run(deps, "2026-11-24")["escalated"] == [] and run(deps, "2026-11-25")["escalated"] == []
    assert len(deps.repo.escalations) == 1


def test_a_follow_up_in_time_is_no_escalation_and_a_missed_run_is_caught_up(deps, marks):
    contacted = register(deps, "13600000002")
    late = register(deps, "13600000003", met_on="2026-11-19")  # due 11-22
    with clock.freeze("2026-11-22T15:00:00+08:00"):
        ownership.add_follow_up(
            deps,
            manager(),
            contacted,
            FollowUpIn.model_validate({"channel": "phone", "summary": "电话沟通，约下周见面"}),
        )
    result = run(deps, "2026-11-26")  # first run: looks back, then the watermark
    assert result["escalated"] == [late] and result["through"] == "2026-11-25"
    assert marks.get("prospect-first-contact") == "2026-11-25"


def test_a_released_prospect_is_nobodys_first_contact_and_a_pick_keeps_the_registrations_due_day(deps):
    pid = register(deps, "13600000004", klass="D")  # D: no protection, released at the next run
    with clock.freeze("2026-11-21T01:00:00+08:00"):
        pool.release_lapsed(deps)
    assert deps.repo.get(pid).status == "pool"
    assert run(deps, "2026-11-24")["escalated"] == []  # in the pool on its due day: nobody's
    with clock.freeze("2026-11-24T10:00:00+08:00"):
        pool.claim_from_pool(deps, manager("cm-002", name="李娜"), pid)
    # The picker's first follow-up is due as next_follow_up (protected by the lapse); the registration's
    # three days (000 第四篇, from the first meeting) were over before the pick: not raised again.
    assert run(deps, "2026-11-28")["escalated"] == [] and deps.repo.escalations == {}
