"""Entering a penalty, on the fakes: amounts, the approved-leave check (000 第一篇 第四条), the month's
escalation flags, the manager check and a lost race with another entry."""

from __future__ import annotations

from decimal import Decimal

import pytest

from chalicelib.domain import penalties
from chalicelib.errors import Conflict, Forbidden, NotFound, ValidationFailed
from chalicelib.models.penalties import PenaltyIn, PenaltyPreviewIn

from .conftest import MANAGER, OTHER_SUPERVISOR, SUPERVISOR

pytestmark = pytest.mark.usefixtures("leave_repo")


def entry(rule: str = "LATE", breach: str = "2026-11-18", manager: str = "cm-001", **kw) -> PenaltyIn:
    return PenaltyIn(manager_id=manager, rule_code=rule, breach_date=breach, evidence_note="打卡记录", **kw)


def approved_leave(leave_repo, start: str, end: str | None = None, *, half: str | None = None, branch="br-pudong"):
    lid = f"lv-{start}-{half}-{branch}"
    leave_repo.leave[lid] = {
        "leave_id": lid,
        "manager_id": "cm-001",
        "branch_id": branch,
        "start_date": start,
        "end_date": end or start,
        "status": "approved",
        "revision": 1,
        **({"half_day": half} if half else {}),
    }


def test_an_entry_is_priced_from_the_catalogue_and_due_in_cash_within_the_window(repo):
    record = penalties.enter(SUPERVISOR, entry(occurrences=2))
    stored = repo.get(record["penalty_id"])
    # 000 第一篇: "每扣一分,罚款10元" and "如扣当月…工资,加倍罚款".
    assert stored["points"] == 10 and stored["yuan"] == Decimal("100.00")
    assert stored["salary_deduction_yuan"] == Decimal("200.00") and stored["due_on"] == "2026-12-04"
    assert stored["status"] == "open" and stored["branch_id"] == "br-pudong"
    assert list(repo.get_ledger("cm-001", "2026-11")["penalties"]) == [record["penalty_id"]]


def test_the_preview_computes_the_same_and_stores_nothing(repo):
    shown = penalties.preview(
        SUPERVISOR, PenaltyPreviewIn(manager_id="cm-001", rule_code="LATE", breach_date="2026-11-18")
    )
    assert shown["points"] == 5 and shown["yuan"] == Decimal("50.00") and repo.penalties == {}


@pytest.mark.parametrize(
    "principal, body, error, field",
    [
        (SUPERVISOR, entry(breach="2026-11-21"), ValidationFailed, "breach_date"),
        (SUPERVISOR, entry(manager="sup-001"), Forbidden, None),
        (SUPERVISOR, entry(manager="sup-002"), ValidationFailed, "manager_id"),
        (SUPERVISOR, entry(manager="cm-101"), NotFound, "manager_id"),
        (OTHER_SUPERVISOR, entry(), NotFound, "manager_id"),
        (SUPERVISOR, entry(rule="NO_SUCH_RULE"), ValidationFailed, "rule_code"),
        (SUPERVISOR, entry(collision_id="col-1"), ValidationFailed, "collision_id"),
        (SUPERVISOR, entry(rule="FALSE_CLAIM", collision_id="col-9"), NotFound, "collision_id"),
    ],
)
def test_an_entry_the_rules_refuse_names_its_field_and_stores_nothing(repo, principal, body, error, field):
    with pytest.raises(error) as refused:
        penalties.enter(principal, body)
    if field:
        assert field in str(refused.value.details or refused.value)
    assert repo.penalties == {} and repo.ledgers == {}


def test_a_false_claim_links_the_collision_its_branch_took_part_in(repo):
    repo.collisions["col-1"] = {"collision_id": "col-1", "attempted_by_branch": "br-pudong", "prospect_id": "p-7"}
    record = penalties.enter(SUPERVISOR, entry(rule="FALSE_CLAIM", collision_id="col-1"))
    assert record["collision"]["prospect_id"] == "p-7"
    assert repo.flags[f"FALSE_CLAIM.{record['penalty_id']}"]["collision"]["collision_id"] == "col-1"


# --- approved leave is not absence (000 第一篇 第四条 "须提前向区域经理提出") ----------------------------------
def test_an_absence_on_a_day_of_approved_leave_is_refused(repo, leave_repo):
    approved_leave(leave_repo, "2026-11-18")
    with pytest.raises(ValidationFailed, match="approved leave is not absence"):
        penalties.enter(SUPERVISOR, entry(rule="ABSENT_1_DAY"))
    assert repo.penalties == {}


def test_half_a_day_of_leave_leaves_room_for_a_half_day_absence_only(repo, leave_repo):
    approved_leave(leave_repo, "2026-11-18", half="am")
    with pytest.raises(ValidationFailed, match="enter ABSENT_HALF_DAY"):
        penalties.enter(SUPERVISOR, entry(rule="ABSENT_1_DAY"))
    assert penalties.enter(SUPERVISOR, entry(rule="ABSENT_HALF_DAY"))["points"] == 15


def test_a_two_day_absence_covers_the_next_working_day(repo, leave_repo):
    approved_leave(leave_repo, "2026-11-23")  # the Monday after Friday the 20th
    with pytest.raises(ValidationFailed, match="2026-11-23 is approved leave"):
        penalties.enter(SUPERVISOR, entry(rule="ABSENT_2_DAYS", breach="2026-11-20", income_yuan=Decimal("3000")))


def test_leaving_the_post_on_a_whole_day_of_leave_is_not_without_approval(repo, leave_repo):
    approved_leave(leave_repo, "2026-11-18")
    with pytest.raises(ValidationFailed, match="not away without approval"):
        penalties.enter(SUPERVISOR, entry(rule="LEAVE_POST"))
    approved_leave(leave_repo, "2026-11-17", half="pm")
    assert penalties.enter(SUPERVISOR, entry(rule="LEAVE_POST", breach="2026-11-17"))["points"] == 5


def test_only_the_branchs_own_leave_is_read(repo, leave_repo):
    approved_leave(leave_repo, "2026-11-18", branch="br-haidian")  # recorded while in another branch
    assert penalties.enter(SUPERVISOR, entry(rule="ABSENT_1_DAY"))["points"] == 50


def test_pending_leave_does_not_excuse(repo, leave_repo):
    approved_leave(leave_repo, "2026-11-18")
    next(iter(leave_repo.leave.values()))["status"] = "pending"
    assert penalties.enter(SUPERVISOR, entry(rule="ABSENT_1_DAY"))["points"] == 50


# --- the month's flags ------------------------------------------------------------------------------------
def test_a_repeated_breach_is_flagged_once_in_its_month(repo):
    penalties.enter(SUPERVISOR, entry(breach="2026-11-02"))
    assert repo.flags == {}
    penalties.enter(SUPERVISOR, entry(breach="2026-11-03"))
    penalties.enter(SUPERVISOR, entry(breach="2026-11-04"))
    assert list(repo.flags) == ["REPEAT.cm-001.LATE.2026-11"]
    assert len(repo.flags["REPEAT.cm-001.LATE.2026-11"]["penalty_ids"]) == 2  # raised by the second


def test_three_days_absence_in_a_month_recommends_dismissal(repo):
    penalties.enter(SUPERVISOR, entry(rule="ABSENT_1_DAY", breach="2026-11-02"))
    penalties.enter(SUPERVISOR, entry(rule="ABSENT_1_DAY", breach="2026-11-03"))
    assert repo.flags["ABSENCE2.cm-001.2026-11"]["recommendation"] == "ABSENT_2_DAYS"
    penalties.enter(SUPERVISOR, entry(rule="ABSENT_1_DAY", breach="2026-11-04"))
    assert repo.flags["ABSENCE.cm-001.2026-11"]["recommendation"] == "dismissal"


def test_leave_approved_after_an_absence_is_entered_does_not_count_toward_the_month(repo, leave_repo):
    penalties.enter(SUPERVISOR, entry(rule="ABSENT_1_DAY", breach="2026-11-02"))
    approved_leave(leave_repo, "2026-11-02")
    penalties.enter(SUPERVISOR, entry(rule="ABSENT_1_DAY", breach="2026-11-03"))
    assert not [f for f in repo.flags if f.startswith("ABSENCE")]


def test_a_voided_penalty_no_longer_counts_toward_the_months_flags(repo):
    first = penalties.enter(SUPERVISOR, entry(breach="2026-11-02"))
    from chalicelib.models.penalties import VoidIn

    penalties.void(SUPERVISOR, first["penalty_id"], VoidIn(reason="打卡机故障"))
    penalties.enter(SUPERVISOR, entry(breach="2026-11-03"))
    assert repo.flags == {}
    assert first["penalty_id"] not in repo.get_ledger("cm-001", "2026-11")["penalties"]


# --- losing a race ------------------------------------------------------------------------------------------
class Racing:
    """The fake, with another entry landing in the manager's month just before each of ours (`times`)."""

    def __init__(self, fake, times: int):
        self.fake, self.times = fake, times

    def __getattr__(self, name):
        return getattr(self.fake, name)

    def enter(self, record, audit, **kw):
        if self.times:
            self.times -= 1
            ledger = self.fake.ledgers.setdefault((record["manager_id"], record["breach_date"][:7]), {"version": 0})
            ledger["version"] = int(ledger["version"]) + 1
            ledger.setdefault("penalties", {})
            ledger["complete"] = True
            ledger.setdefault("manager_id", record["manager_id"])
            ledger.setdefault("month", record["breach_date"][:7])
        return self.fake.enter(record, audit, **kw)


def test_an_entry_that_lost_to_another_retries_on_the_ledger_as_it_is_now(repo):
    from chalicelib.domain.penalty_ports import PENALTIES

    with PENALTIES.override(Racing(repo, 2)):
        record = penalties.enter(SUPERVISOR, entry())
    assert repo.get(record["penalty_id"])["status"] == "open" and repo.get_ledger("cm-001", "2026-11")["version"] == 3


def test_an_entry_that_keeps_losing_answers_conflict_and_stores_nothing(repo):
    from chalicelib.domain.penalty_ports import PENALTIES

    with PENALTIES.override(Racing(repo, 99)), pytest.raises(Conflict, match="retry"):
        penalties.enter(SUPERVISOR, entry())
    assert repo.penalties == {}


def test_a_flag_raised_meanwhile_is_not_raised_again(repo):
    penalties.enter(SUPERVISOR, entry(breach="2026-11-02"))
    repo.flags["REPEAT.cm-001.LATE.2026-11"] = {"flag_id": "REPEAT.cm-001.LATE.2026-11", "raised": "elsewhere"}
    penalties.enter(SUPERVISOR, entry(breach="2026-11-03"))
    assert repo.flags["REPEAT.cm-001.LATE.2026-11"] == {"flag_id": "REPEAT.cm-001.LATE.2026-11", "raised": "elsewhere"}


def test_nobody_enters_a_penalty_against_themselves(repo):
    with pytest.raises(Forbidden, match="yourself"):
        penalties.enter(MANAGER, entry())
    assert repo.penalties == {}
