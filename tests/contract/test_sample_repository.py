"""One contract for `SampleRepository` (the 10% sample), on the DynamoDB adapter (moto, or DynamoDB Local
under `make test-ddb`) and on the in-memory fake beside the selection's."""

from __future__ import annotations

from datetime import date

import pytest

from chalicelib.domain import quarter_callbacks
from chalicelib.domain.selection_ports import TaskWrite
from chalicelib.models.tasks import TaskRecord
from chalicelib.storage import base, keys
from chalicelib.storage.accounts import account_item
from chalicelib.storage.memory.sample import MemorySample
from chalicelib.storage.memory.selection import MemorySelection
from chalicelib.storage.sample_repo import DynamoSampleRepository
from chalicelib.storage.selection_repo import DynamoSelectionRepository

D = date(2026, 11, 19)
AT = "2026-11-20T02:00:00+08:00"


@pytest.fixture(params=["memory", "dynamodb"])
def pair(request):
    """The sample's repository and the selection's one whose accounts and tasks it reads."""
    if request.param == "memory":
        selection = MemorySelection()
        return MemorySample(selection), selection
    return DynamoSampleRepository(), DynamoSelectionRepository()


def put_account(pair, state: dict) -> None:
    sample, selection = pair
    if isinstance(selection, MemorySelection):
        selection.put_account(state)
    else:
        base.put(account_item(state))


def put_branch(pair, branch_id: str) -> None:
    sample, _ = pair
    if isinstance(sample, MemorySample):
        sample.put_branch(branch_id)
    else:
        base.put({**keys.branch(branch_id), "branch_id": branch_id, "name": branch_id})


def account(account_id: str, **kw) -> dict:
    state = {
        "account_id": account_id,
        "branch_id": "br-s1",
        "status": "open",
        "tier": "ordinary",
        "opened_on": "2025-03-01",
        "last_trade_on": "2025-12-30",
    }
    state.update(kw)
    return state


def task(account_id: str, trigger: str, episode: str, **kw) -> TaskRecord:
    values = {
        "task_id": f"{trigger}.{account_id}.{episode}",
        "trigger": trigger,
        "episode": episode,
        "account_id": account_id,
        "branch_id": "br-s1",
        "business_date": D,
        "created_at": AT,
        "due_on": date(2026, 12, 4),
        "due_at": "2026-12-04T23:59:59+08:00",
    }
    values.update(kw)
    return TaskRecord.model_validate(values)


def test_branches_and_the_accounts_active_on_a_day(pair):
    sample, _ = pair
    put_branch(pair, "br-s2")
    put_branch(pair, "br-s1")
    assert [b for b in sample.branch_ids() if b.startswith("br-s")] == ["br-s1", "br-s2"]
    put_account(pair, account("ac-s1"))
    put_account(pair, account("ac-s2", last_trade_on="2025-12-31"))
    put_account(pair, account("ac-s3", status="closed", closed_on="2026-01-05"))
    assert [a["account_id"] for a in sample.active_on(date(2025, 12, 30))] == ["ac-s1"]
    assert set(sample.accounts(["ac-s1", "ac-s2", "ac-none"])) == {"ac-s1", "ac-s2"}


def test_members_are_walked_in_the_fixed_order_from_a_cursor(pair):
    sample, _ = pair
    ids = [f"ac-m{i}" for i in range(7)]
    sample.write_members(2025, [{"account_id": a, "branch_id": "br-s1"} for a in ids])
    sample.write_members(2025, [{"account_id": ids[0], "branch_id": "br-s1"}])  # again: changes nothing
    walked, cursor = [], None
    while True:
        page = sample.members_after(2025, "br-s1", cursor, 3)
        if not page:
            break
        walked += [m["account_id"] for m in page]
        cursor = sample.member_cursor(2025, page[-1]["account_id"])
    assert sorted(walked) == sorted(ids) and len(walked) == 7
    assert walked == sorted(ids, key=lambda a: sample.member_cursor(2025, a))
    assert sample.members_after(2025, "br-other", None, 3) == []


def test_the_year_end_count_and_the_days_pick_moving_the_cursor_once(pair):
    sample, _ = pair
    assert sample.get_year_end("br-s1", 2025) is None and sample.get_state("br-s1", 2026) == {}
    sample.put_count("br-s1", 2025, 120, AT, "selection")
    year_end = sample.get_year_end("br-s1", 2025)
    assert int(year_end["clients"]) == 120 and year_end["source"] == "snapshot"
    assert sample.record_day("br-s1", D, ["ac-a", "ac-b"], None, "c-2", AT) is True
    assert sample.record_day("br-s1", D, ["ac-x"], None, "c-9", AT) is False  # a concurrent run picked first
    assert sample.get_day("br-s1", D)["account_ids"] == ["ac-a", "ac-b"]
    state = sample.get_state("br-s1", 2026)
    assert (state["cursor"], int(state["picked"])) == ("c-2", 2)
    later = date(2026, 11, 20)
    assert sample.record_day("br-s1", later, ["ac-c"], "c-1", "c-3", AT) is False  # the cursor moved on
    assert sample.record_day("br-s1", later, ["ac-c"], "c-2", "c-3", AT) is True
    assert int(sample.get_state("br-s1", 2026)["picked"]) == 3 and sample.get_day("br-s1", date(2026, 11, 21)) is None


def test_the_accounts_tasks_the_coverage_and_the_cap_are_counted_from_are_the_ones_the_selection_writes(pair):
    sample, selection = pair
    since = date(2025, 12, 31)
    assert sample.account_tasks_since(["ac-q1"], since) == {}
    early = task(
        "ac-q1", "new_account", "2026-02-03", business_date=date(2026, 2, 3), created_at="2026-02-04T02:00+08:00"
    )
    assert selection.create_task(early, token="t-q1") is TaskWrite.created
    outflow = task("ac-q1", "large_outflow", "2026-11-02", risk=True)
    assert selection.create_task(outflow, token="t-q2") is TaskWrite.created
    assert selection.create_task(task("ac-q1", "sample", "2026"), token="t-q3") is TaskWrite.created
    found = sample.account_tasks_since(["ac-q1", "ac-none"], since)
    assert set(found) == {"ac-q1"}
    assert [t["task_id"] for t in found["ac-q1"]] == [early.task_id, outflow.task_id, "sample.ac-q1.2026"]
    year = quarter_callbacks.year_figures(found["ac-q1"], 2026)
    assert [q["callbacks"] for q in year.values()] == [1, 0, 0, 2]
    assert (year["2026Q4"]["risk_callbacks"], year["2026Q4"]["sampled"], year["2026Q4"]["coverage_tasks"]) == (1, 1, 1)
    assert len(sample.account_tasks_since(["ac-q1"], date(2026, 11, 1))["ac-q1"]) == 2
