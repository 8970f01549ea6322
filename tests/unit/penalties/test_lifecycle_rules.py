"""A penalty after its entry, on the fakes: settlement (cash within the window, salary doubled for
points), voids and appeals with their reversals, the overdue sweep and the catalogue's versions."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from chalicelib import clock
from chalicelib.domain import penalties, penalty_rules
from chalicelib.domain.penalty_ports import PENALTIES, PenaltyChanged, RuleVersionExists
from chalicelib.errors import Conflict, Forbidden, NotFound, ValidationFailed
from chalicelib.models.penalties import AppealDecisionIn, AppealIn, PenaltyIn, RuleVersionIn, SettleIn, VoidIn

from .conftest import MANAGER, OTHER_SUPERVISOR, SECOND_SUPERVISOR, SUPERVISOR

pytestmark = pytest.mark.usefixtures("leave_repo")
ADMIN = SUPERVISOR.__class__(kind="staff", id="adm-001", role="admin", branch_id="")


@pytest.fixture
def late(repo):
    body = PenaltyIn(manager_id="cm-001", rule_code="LATE", breach_date="2026-11-18", evidence_note="打卡记录")
    return penalties.enter(SUPERVISOR, body)


def test_cash_is_settled_within_the_window_and_salary_after_it(repo, late):
    with clock.freeze("2026-12-05T09:00:00+08:00"), pytest.raises(ValidationFailed, match="due by 2026-12-04"):
        penalties.settle(SUPERVISOR, late["penalty_id"], SettleIn(method="cash"))
    settled = penalties.settle(SUPERVISOR, late["penalty_id"], SettleIn(method="salary"))
    # 000 第一篇: a points fine taken from salary doubles.
    assert settled["status"] == "deducted_salary" and settled["settled"]["yuan"] == Decimal("100.00")
    _, history, _ = repo.get_with_history(late["penalty_id"])
    assert [h["action"] for h in history] == ["entered", "settled"]
    with pytest.raises(Conflict, match="deducted_salary"):
        penalties.settle(SUPERVISOR, late["penalty_id"], SettleIn(method="cash"))


def test_an_amount_is_never_set_by_hand(repo, late):
    with pytest.raises(ValidationFailed) as refused:
        penalties.settle(SUPERVISOR, late["penalty_id"], SettleIn(method="cash", amount_yuan=Decimal("1")))
    assert refused.value.details[0]["field"] == "amount_yuan"


def test_an_income_based_penalty_is_priced_by_a_second_person(repo):
    body = PenaltyIn(manager_id="cm-001", rule_code="ABSENT_2_DAYS", breach_date="2026-11-18", evidence_note="考勤")
    record = penalties.enter(SUPERVISOR, body)
    assert record["amount_status"] == "payroll_to_compute"
    with pytest.raises(Forbidden):
        penalties.settle(SUPERVISOR, record["penalty_id"], SettleIn(method="salary", income_yuan=Decimal("4000")))
    done = penalties.settle(
        SECOND_SUPERVISOR, record["penalty_id"], SettleIn(method="salary", income_yuan=Decimal("4000"))
    )
    assert done["yuan"] == Decimal("4000.00") and done["income_confirmed_by"] == "sup-002"


def test_a_void_keeps_the_original_and_adds_a_reversal(repo, late):
    penalties.void(SUPERVISOR, late["penalty_id"], VoidIn(reason="打卡机故障"))
    detail = penalties.read(SUPERVISOR, late["penalty_id"])
    assert detail["status"] == "voided" and detail["points"] == 5
    assert detail["reversal"]["points"] == -5 and detail["reversal"]["cause"] == "voided"
    assert [h["revision"] for h in detail["history"]] == [1, 2]


def test_an_appeal_is_decided_by_another_supervisor_and_an_upheld_one_restarts_the_cash_window(repo, late):
    penalties.appeal(MANAGER, late["penalty_id"], AppealIn(reason="当天在外拜访"))
    with pytest.raises(Conflict, match="once"):
        penalties.appeal(MANAGER, late["penalty_id"], AppealIn(reason="again"))
    with pytest.raises(Forbidden):
        penalties.decide_appeal(SUPERVISOR, late["penalty_id"], AppealDecisionIn(outcome="upheld", reason="x"))
    with clock.freeze("2026-11-25T10:00:00+08:00"):
        upheld = penalties.decide_appeal(
            SECOND_SUPERVISOR, late["penalty_id"], AppealDecisionIn(outcome="upheld", reason="有打卡记录")
        )
    assert upheld["status"] == "open" and upheld["due_on"] == "2026-12-09" and upheld["revision"] == 3


def test_an_overturned_appeal_reverses_the_penalty_and_drops_it_from_the_month(repo, late):
    penalties.appeal(MANAGER, late["penalty_id"], AppealIn(reason="当天在外拜访"))
    penalties.decide_appeal(
        SECOND_SUPERVISOR, late["penalty_id"], AppealDecisionIn(outcome="overturned", reason="属实")
    )
    assert repo.get(late["penalty_id"])["status"] == "overturned"
    assert repo.reversals[late["penalty_id"]]["cause"] == "appeal_overturned"
    assert repo.get_ledger("cm-001", "2026-11")["penalties"] == {}


def test_another_branch_or_manager_does_not_see_a_penalty(repo, late):
    for who in (
        OTHER_SUPERVISOR,
        MANAGER.__class__(kind="staff", id="cm-002", role="client_manager", branch_id="br-pudong"),
    ):
        with pytest.raises(NotFound):
            penalties.read(who, late["penalty_id"])
    with pytest.raises(NotFound):
        penalties.void(OTHER_SUPERVISOR, late["penalty_id"], VoidIn(reason="x"))


def test_lists_keep_to_the_readers_scope(repo, late):
    assert [p["penalty_id"] for p in penalties.list_penalties(MANAGER, None, None, None, 10, None).items] == [
        late["penalty_id"]
    ]
    with pytest.raises(Forbidden):
        penalties.list_penalties(MANAGER, "cm-002", None, None, 10, None)
    with pytest.raises(Forbidden):
        penalties.list_penalties(OTHER_SUPERVISOR, "cm-001", None, None, 10, None)
    assert penalties.list_penalties(SUPERVISOR, None, None, "2026-10", 10, None).items == []


def test_a_change_that_lost_to_another_answers_conflict_and_writes_nothing(repo, late):
    read_before = repo.get(late["penalty_id"])
    penalties.settle(SUPERVISOR, late["penalty_id"], SettleIn(method="cash"))  # lands after our read

    class ReadBefore:
        def __getattr__(self, name):
            return getattr(repo, name)

        def get(self, penalty_id):
            return dict(read_before)

    with PENALTIES.override(ReadBefore()), pytest.raises(PenaltyChanged) as lost:  # type: ignore[arg-type]
        penalties.void(SUPERVISOR, late["penalty_id"], VoidIn(reason="x"))
    assert isinstance(lost.value, Conflict)
    assert repo.get(late["penalty_id"])["status"] == "paid_cash" and late["penalty_id"] not in repo.reversals


# --- the overdue sweep ------------------------------------------------------------------------------------
def test_unpaid_cash_moves_to_payroll_once_with_its_flag_in_the_outbox(repo, late, marks):
    with clock.freeze("2026-12-05T01:00:00+08:00"):
        result = penalties.sweep_overdue()
        again = penalties.sweep_overdue()
    assert result["flagged"] == [late["penalty_id"]] and again["flagged"] == []
    moved = repo.get(late["penalty_id"])
    assert moved["overdue"] is True and moved["settlement"] == "payroll"
    assert repo.outbox[late["penalty_id"]]["flag"]["kind"] == "penalty_overdue"
    assert marks.get(penalties.OVERDUE_JOB) == "2026-12-04"


def test_a_missed_run_catches_up_from_the_watermark(repo, late, marks):
    marks.set(penalties.OVERDUE_JOB, "2026-12-01", "x")
    with clock.freeze("2026-12-07T01:00:00+08:00"):
        result = penalties.sweep_overdue()
    assert (result["from"], result["to"], result["days_read"]) == ("2026-12-02", "2026-12-06", 5)
    assert result["flagged"] == [late["penalty_id"]]


def test_a_settled_penalty_is_not_swept(repo, late):
    penalties.settle(SUPERVISOR, late["penalty_id"], SettleIn(method="cash"))
    assert penalties.sweep_overdue(run_date=date(2026, 12, 5))["flagged"] == [] and repo.outbox == {}


# --- the catalogue ------------------------------------------------------------------------------------------
def test_a_branch_override_prices_its_penalties_from_its_date(repo):
    body = RuleVersionIn.model_validate(
        {"branch_id": "br-pudong", "effective_from": "2026-11-10", "overrides": [{"code": "LATE", "amount": "3"}]}
    )
    penalty_rules.add_version(ADMIN, body)
    assert penalty_rules.catalogue_on(date(2026, 11, 18), "br-pudong").rule("LATE")["amount"] == "3"
    assert penalty_rules.catalogue_on(date(2026, 11, 9), "br-pudong").rule("LATE")["amount"] == "5"
    with pytest.raises(RuleVersionExists):
        penalty_rules.add_version(ADMIN, body)
    with pytest.raises(ValidationFailed) as refused:
        penalty_rules.add_version(ADMIN, body.model_copy(update={"branch_id": "br-nowhere"}))
    assert refused.value.details[0]["field"] == "branch_id"
