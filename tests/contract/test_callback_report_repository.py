"""One contract for `CallbackReportRepository`, run on the DynamoDB adapter (moto) and on the in-memory fake."""

from __future__ import annotations

from datetime import date

import pytest

from chalicelib.models.tasks import TaskRecord, task_id_of
from chalicelib.storage import base, sample
from chalicelib.storage.callback_reports_repo import DynamoCallbackReportRepository
from chalicelib.storage.memory.callback_reports import MemoryCallbackReports
from chalicelib.storage.tasks import task_item
from tests.factories.tasks import make_account


@pytest.fixture(params=["memory", "dynamodb"])
def memory(request):
    return request.param == "memory"


@pytest.fixture
def repo(memory):
    return MemoryCallbackReports() if memory else DynamoCallbackReportRepository()


def _task(repo, memory, account_id: str, business_date: str, branch_id: str = "br-pudong", **kw) -> str:
    record = TaskRecord(
        task_id=task_id_of("new_account", account_id, business_date),
        trigger="new_account",
        episode=business_date,
        account_id=account_id,
        branch_id=branch_id,
        business_date=date.fromisoformat(business_date),
        created_at=f"{business_date}T06:00:00+08:00",
        due_on=date.fromisoformat(business_date),
        due_at=f"{business_date}T23:59:59+08:00",
        **kw,
    ).model_dump(mode="json", exclude_none=True)
    if memory:
        repo.add_task(record)
    else:
        base.put(task_item(record))
    return record["task_id"]


def test_a_month_holds_the_branchs_tasks_of_any_status_oldest_first(repo, memory):
    b = _task(repo, memory, "A2", "2026-11-20", status="done")
    a = _task(repo, memory, "A1", "2026-11-03")
    _task(repo, memory, "A3", "2026-10-31")
    _task(repo, memory, "A4", "2026-11-05", branch_id="br-other")
    assert [t["task_id"] for t in repo.tasks_of_month("br-pudong", "2026-11")] == [a, b]
    assert repo.tasks_of_month("br-pudong", "2026-12") == []


def test_openings_are_the_branchs_within_the_period(repo, memory):
    for account, branch, day in [
        ("A1", "br-pudong", "2026-11-02"),
        ("A2", "br-pudong", "2026-11-30"),
        ("A3", "br-other", "2026-11-02"),
        ("A4", "br-pudong", "2026-12-01"),
    ]:
        if memory:
            repo.openings[account] = (branch, day)
        else:
            make_account(account, branch_id=branch, opened_on=day)
    found = repo.accounts_opened_between("br-pudong", date(2026, 11, 1), date(2026, 11, 30))
    assert found == {"A1": "2026-11-02", "A2": "2026-11-30"}


def test_the_year_end_figure_last_put_wins_and_members_are_read(repo, memory):
    assert repo.get_year_end("br-pudong", 2025) is None
    repo.put_year_end({"branch_id": "br-pudong", "year": 2025, "clients": 100, "source": "manual"})
    repo.put_year_end({"branch_id": "br-pudong", "year": 2025, "clients": 120, "source": "snapshot"})
    got = repo.get_year_end("br-pudong", 2025)
    assert int(got["clients"]) == 120 and got["source"] == "snapshot"
    assert repo.year_end_members(2025, "br-pudong") == set()
    members = [{"account_id": a, "branch_id": "br-pudong"} for a in ("A1", "A2")]
    if memory:
        repo.members[(2025, "br-pudong")] = {"A1", "A2"}
    else:
        sample.write_members(2025, members)
    assert repo.year_end_members(2025, "br-pudong") == {"A1", "A2"}
    assert repo.year_end_members(2025, "br-other") == set()
