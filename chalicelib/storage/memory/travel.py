"""`TravelRepository` in memory, with the table's semantics: transactions all or nothing (the period, report
or proposal item checked first, then the days), the sparse due-hour index left by an on-time report, a
proposal or a cancellation, list orders by first day (or day) then id, None attributes not stored, every
read a copy; escalations kept one per subject, as the outbox keeps them."""

from __future__ import annotations

from ...domain.travel_ports import (
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
from . import _table as t


class MemoryTravelRepository:
    def __init__(self) -> None:
        self.periods: dict[str, dict] = {}
        self.days: dict[tuple[str, str], dict] = {}
        self.reports: dict[tuple[str, str], dict] = {}
        self.proposals: dict[str, dict] = {}
        self.escalations: dict[str, dict] = {}
        self.staff: dict[str, dict] = {}

    def add_staff(self, staff_id: str, branch_id: str, role: str = "client_manager") -> None:
        self.staff[staff_id] = {"staff_id": staff_id, "branch_id": branch_id, "role": role}

    # --- periods and days
    def _days_free(self, days: list[dict]) -> bool:
        return all(self.days.get((d["manager_id"], d["day"]), {"cancelled": True}).get("cancelled") for d in days)

    def _put_days(self, days: list[dict]) -> None:
        for d in days:
            self.days[(d["manager_id"], d["day"])] = t.stored(d)

    def create_period(self, record: dict, days: list[dict]) -> None:
        if record["travel_id"] in self.periods:
            raise PeriodExists()
        if not self._days_free(days):
            raise TravelDayTaken()
        self.periods[record["travel_id"]] = t.stored(record)
        self._put_days(days)

    def replace_period(
        self, record: dict, *, expected_revision: int, new_days: list[dict], cancelled_days: list[str]
    ) -> None:
        current = self.periods.get(record["travel_id"])
        if current is None or int(current["revision"]) != expected_revision:
            raise PeriodChanged()
        if not self._days_free(new_days):
            raise TravelDayTaken()
        cancelling = [self.days.get((record["manager_id"], d)) for d in cancelled_days]
        if any(day is None or day.get("travel_id") != record["travel_id"] for day in cancelling):
            raise PeriodChanged()
        self.periods[record["travel_id"]] = t.stored(record)
        self._put_days(new_days)
        for day in cancelling:
            assert day is not None
            day["cancelled"] = True
            day.pop("due_hour", None)

    def get_period(self, travel_id: str) -> dict | None:
        return t.read(self.periods.get(travel_id))

    @staticmethod
    def _page(rows: list[tuple[str, dict]], limit: int, start_key) -> Page:
        items, last = t.page(rows, limit, start_key, newest_first=True)
        return Page([t.read(i) for i in items], last)

    def _periods(self, field: str, value: str, month, limit, start_key, status) -> Page:
        rows = [
            (f"{p['start_on']}#{p['travel_id']}", p)
            for p in self.periods.values()
            if p[field] == value
            and (month is None or p["start_on"].startswith(month))
            and (status is None or p["status"] == status)
        ]
        return self._page(rows, limit, start_key)

    def list_manager_periods(
        self, manager_id: str, month: str | None, *, limit: int, start_key=None, status: str | None = None
    ) -> Page:
        return self._periods("manager_id", manager_id, month, limit, start_key, status)

    def list_branch_periods(
        self, branch_id: str, month: str | None, *, limit: int, start_key=None, status: str | None = None
    ) -> Page:
        return self._periods("branch_id", branch_id, month, limit, start_key, status)

    def get_day(self, manager_id: str, day: str) -> dict | None:
        return t.read(self.days.get((manager_id, day)))

    def days_due_in_hour(self, hour: str) -> list[dict]:
        due = [d for d in self.days.values() if d.get("due_hour") == hour]
        return [t.read(d) for d in sorted(due, key=lambda d: f"{d['manager_id']}#{d['day']}")]

    # --- reports
    def file_report(self, report: dict) -> None:
        key = (report["manager_id"], report["day"])
        if key in self.reports:
            raise ReportExists()
        day = self.days.get(key)
        if day is None or day.get("travel_id") != report["travel_id"] or "report_at" in day or day.get("cancelled"):
            raise DayNotOpen()
        self.reports[key] = t.stored(report)
        day.update(report_at=report["submitted_at"], report_on_time=report["on_time"])
        if report["on_time"]:
            day.pop("due_hour", None)

    def get_report(self, manager_id: str, day: str) -> dict | None:
        return t.read(self.reports.get((manager_id, day)))

    def _reports(self, field: str, value: str, month, limit, start_key) -> Page:
        rows = [
            (f"{r['day']}#{r['manager_id']}", r)
            for r in self.reports.values()
            if r[field] == value and (month is None or r["day"].startswith(month))
        ]
        return self._page(rows, limit, start_key)

    def list_manager_reports(self, manager_id: str, month: str | None, *, limit: int, start_key=None) -> Page:
        return self._reports("manager_id", manager_id, month, limit, start_key)

    def list_branch_reports(self, branch_id: str, month: str | None, *, limit: int, start_key=None) -> Page:
        return self._reports("branch_id", branch_id, month, limit, start_key)

    # --- proposals
    def propose(self, record: dict, escalation: Escalation) -> None:
        day = self.days.get((record["manager_id"], record["day"]))
        if (
            record["proposal_id"] in self.proposals
            or day is None
            or "proposal_id" in day
            or day.get("cancelled")
            or day.get("report_on_time")
        ):
            raise ProposalRefused()
        self.proposals[record["proposal_id"]] = t.stored(record)
        day["proposal_id"] = record["proposal_id"]
        day.pop("due_hour", None)
        self.escalations.setdefault(escalation.subject, t.stored(escalation.payload))

    def get_proposal(self, proposal_id: str) -> dict | None:
        return t.read(self.proposals.get(proposal_id))

    def replace_proposal(self, record: dict, *, expected_status: str) -> None:
        current = self.proposals.get(record["proposal_id"])
        if current is None or current["status"] != expected_status:
            raise ProposalChanged()
        self.proposals[record["proposal_id"]] = t.stored(record)

    def _proposals(self, field: str, value: str, month, limit, start_key, status) -> Page:
        rows = [
            (f"{p['day']}#{p['proposal_id']}", p)
            for p in self.proposals.values()
            if p[field] == value
            and (month is None or p["day"].startswith(month))
            and (status is None or p["status"] == status)
        ]
        return self._page(rows, limit, start_key)

    def list_manager_proposals(
        self, manager_id: str, month: str | None, *, limit: int, start_key=None, status: str | None = None
    ) -> Page:
        return self._proposals("manager_id", manager_id, month, limit, start_key, status)

    def list_branch_proposals(
        self, branch_id: str, month: str | None, *, limit: int, start_key=None, status: str | None = None
    ) -> Page:
        return self._proposals("branch_id", branch_id, month, limit, start_key, status)

    def get_staff(self, staff_id: str) -> dict | None:
        return t.read(self.staff.get(staff_id))
