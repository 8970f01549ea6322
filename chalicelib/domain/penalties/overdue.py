"""The overdue sweep: open cash penalties past their settlement day move to payroll, flagged."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from ... import clock
from ...config import get_settings
from ...errors import Conflict
from ...observability import logger
from ..daily_sweep import sweep_days
from ..penalty_ports import PENALTIES
from .ledger import NOTIFY
from .lifecycle import write_change

OVERDUE_JOB = "penalty_overdue"


@dataclass(frozen=True)
class _System:
    """The sweep as its audit entries name it."""

    id: str = "system:penalty_overdue"
    role: str = "system"


# --- overdue sweep ------------------------------------------------------------------------------------------
def sweep_overdue(run_date: date | None = None) -> dict:
    """Flags open cash penalties whose settlement day has passed.

    Reads only the PENALTYDUE#<day> buckets from the day after the watermark up to
    yesterday (at most penalty_overdue_catchup_days of them), so a missed run catches up.
    """
    today = run_date or clock.today()
    system = _System()
    flagged: list[str] = []

    def read_day(day: date) -> None:
        for candidate in PENALTIES().due_on(day):
            record = PENALTIES().get(candidate["penalty_id"])
            if not record or record["status"] != "open" or record.get("overdue") or record.get("due_on") != str(day):
                continue
            flag = {
                "flag_id": f"OVERDUE.{record['penalty_id']}",
                "kind": "penalty_overdue",
                "staff_id": record["manager_id"],
                "branch_id": record["branch_id"],
                "month": record["breach_date"][:7],
                "recommendation": None,
                "reason": f"cash penalty of {record['yuan']} yuan unpaid after {day}",
                "penalty_ids": [record["penalty_id"]],
                "collision": None,
                "notify": NOTIFY,
                "created_at": clock.iso(clock.now()),
            }
            # 000 第一篇: cash "两周内" - unpaid by then, the fine is taken from salary, and a points fine
            # taken from salary doubles (salary_deduction_yuan was computed at entry for that case).
            moved = {**record, "overdue": True, "settlement": "payroll"}
            try:
                # The flag is an outbox entry of the overdue write: a lost response cannot lose it.
                write_change(
                    system,
                    record,
                    moved,
                    "moved_to_payroll",
                    f"cash settlement was due by {day}; deducted from salary",
                    {
                        "overdue": True,
                        "settlement": "payroll",
                        "salary_deduction_yuan": record["salary_deduction_yuan"],
                    },
                    overdue_flag=flag,
                )
            except Conflict:
                continue  # settled or appealed meanwhile
            flagged.append(record["penalty_id"])

    read = sweep_days(
        OVERDUE_JOB,
        today - timedelta(days=1),
        read_day,
        first_run_days=1,
        at_most_days=get_settings().penalty_overdue_catchup_days,
    )
    logger.info("penalty overdue sweep", extra={"days": read.days, "flagged": len(flagged)})
    return {"from": read.start.isoformat(), "to": read.through.isoformat(), "days_read": read.days, "flagged": flagged}
