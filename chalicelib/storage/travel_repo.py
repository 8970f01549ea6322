"""The DynamoDB implementation of `domain.travel_ports.TravelRepository`, over storage/travel.py: which item
of a transaction refused is read here only (the order is built below)."""

from __future__ import annotations

from ..domain.travel_ports import (
    DayNotOpen,
    Escalation,
    Page,
    PeriodChanged,
    PeriodExists,
    ProposalChanged,
    ProposalRefused,
    ReportExists,
    TravelDayTaken,
)
from ..errors import ConditionFailed
from . import base, directory
from . import travel as store


def _page(page: base.Page) -> Page:
    return Page(page.items, page.last_key)


def _keep(status: str | None):
    return (lambda i: i["status"] == status) if status else None


class DynamoTravelRepository:
    def create_period(self, record: dict, days: list[dict]) -> None:
        try:
            store.write([store.new_period_op(record), *(store.new_day_op(d) for d in days)])
        except base.TransactionCancelled as err:
            if err.failed(0):
                raise PeriodExists() from None
            raise TravelDayTaken() from None

    def replace_period(
        self, record: dict, *, expected_revision: int, new_days: list[dict], cancelled_days: list[str]
    ) -> None:
        ops = [
            store.replace_period_op(record, expected_revision=expected_revision),
            *(store.new_day_op(d) for d in new_days),
            *(store.cancel_day_op(record["manager_id"], d, record["travel_id"]) for d in cancelled_days),
        ]
        try:
            store.write(ops)
        except base.TransactionCancelled as err:
            if err.failed(0):
                raise PeriodChanged() from None
            raise TravelDayTaken() if new_days else PeriodChanged() from None

    def get_period(self, travel_id: str) -> dict | None:
        return store.get_period(travel_id)

    def list_manager_periods(
        self, manager_id: str, month: str | None, *, limit: int, start_key=None, status: str | None = None
    ) -> Page:
        return _page(
            store.list_manager_periods(manager_id, month, limit=limit, start_key=start_key, keep=_keep(status))
        )

    def list_branch_periods(
        self, branch_id: str, month: str | None, *, limit: int, start_key=None, status: str | None = None
    ) -> Page:
        found = store.list_branch_periods(branch_id, month, limit=limit, start_key=start_key, keep=_keep(status))
        return _page(found)

    def get_day(self, manager_id: str, day: str) -> dict | None:
        return store.get_day(manager_id, day)

    def days_due_in_hour(self, hour: str) -> list[dict]:
        return store.days_due_in_hour(hour)

    def file_report(self, report: dict) -> None:
        try:
            store.write(store.new_report_ops(report))
        except base.TransactionCancelled as err:
            if err.failed(0):
                raise ReportExists() from None
            raise DayNotOpen() from None

    def get_report(self, manager_id: str, day: str) -> dict | None:
        return store.get_report(manager_id, day)

    def list_manager_reports(self, manager_id: str, month: str | None, *, limit: int, start_key=None) -> Page:
        return _page(store.list_manager_reports(manager_id, month, limit=limit, start_key=start_key))

    def list_branch_reports(self, branch_id: str, month: str | None, *, limit: int, start_key=None) -> Page:
        return _page(store.list_branch_reports(branch_id, month, limit=limit, start_key=start_key))

    def propose(self, record: dict, escalation: Escalation) -> None:
        from ..domain import outbox
        from ..domain.outbox_handlers import ESCALATION

        entry = outbox.record_op(ESCALATION, escalation.subject, escalation.payload)
        try:
            store.write([*store.new_proposal_ops(record), entry])
        except ConditionFailed:
            raise ProposalRefused() from None
        outbox.deliver_now(ESCALATION, escalation.subject)  # best effort; the outbox sweep delivers the rest

    def get_proposal(self, proposal_id: str) -> dict | None:
        return store.get_proposal(proposal_id)

    def replace_proposal(self, record: dict, *, expected_status: str) -> None:
        try:
            store.write([store.replace_proposal_op(record, expected_status=expected_status)])
        except ConditionFailed:
            raise ProposalChanged() from None

    def list_manager_proposals(
        self, manager_id: str, month: str | None, *, limit: int, start_key=None, status: str | None = None
    ) -> Page:
        return _page(
            store.list_manager_proposals(manager_id, month, limit=limit, start_key=start_key, keep=_keep(status))
        )

    def list_branch_proposals(
        self, branch_id: str, month: str | None, *, limit: int, start_key=None, status: str | None = None
    ) -> Page:
        return _page(
            store.list_branch_proposals(branch_id, month, limit=limit, start_key=start_key, keep=_keep(status))
        )

    def get_staff(self, staff_id: str) -> dict | None:
        return directory.get_staff(staff_id)
