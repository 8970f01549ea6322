"""One contract for the selection's ports (`SelectionRepository`, `SelectionRuns`), on the DynamoDB adapters
(moto, or DynamoDB Local under `make test-ddb`) and on the in-memory fakes the rule tests use."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from chalicelib.domain.selection_ports import COMPLETED, CONSUME_BATCH, LOAD_BATCH, TaskWrite
from chalicelib.models.tasks import TaskRecord
from chalicelib.storage import base, directory, keys
from chalicelib.storage.accounts import account_item, inbox_item, period_days, periodic_bucket, periodic_phase
from chalicelib.storage.memory.selection import MemorySelection
from chalicelib.storage.memory.selection_runs import MemorySelectionRuns
from chalicelib.storage.selection_repo import DynamoSelectionRepository, DynamoSelectionRuns

D = date(2026, 11, 19)


def direct(fn, *args, **kwargs):
    return fn(*args, **kwargs)


class Calls:
    """A job's `call`: counts the reads a page iterator makes through it."""

    def __init__(self) -> None:
        self.n = 0

    def __call__(self, fn, *args, **kwargs):
        self.n += 1
        return fn(*args, **kwargs)


@pytest.fixture(params=["memory", "dynamodb"])
def repo(request):
    return MemorySelection(page_size=2) if request.param == "memory" else DynamoSelectionRepository()


@pytest.fixture(params=["memory", "dynamodb"])
def runs(request):
    return MemorySelectionRuns() if request.param == "memory" else DynamoSelectionRuns()


def put_account(repo, state: dict) -> None:
    if isinstance(repo, MemorySelection):
        repo.put_account(state)
    else:
        base.put(account_item(state))


def put_inbox(repo, entry: dict) -> None:
    if isinstance(repo, MemorySelection):
        repo.put_inbox(entry)
    else:
        base.put(inbox_item(entry))


def put_staff(repo, record: dict) -> None:
    if isinstance(repo, MemorySelection):
        repo.put_staff(record)
    else:
        directory.put_staff(record)


def put_load(repo, agent_id: str, n: int) -> None:
    if isinstance(repo, MemorySelection):
        repo.put_load(agent_id, n)
    else:
        base.put({**keys.agent_load(agent_id), "open_tasks": n})


def load_of(repo, agent_id: str) -> int:
    if isinstance(repo, MemorySelection):
        return repo.load(agent_id)
    item = base.get_item(**keys.agent_load(agent_id), consistent=True)
    return int(item.get("open_tasks", 0)) if item else 0


def task_of(repo, task_id: str) -> dict | None:
    if isinstance(repo, MemorySelection):
        return repo.task(task_id)
    return base.strip_keys(base.get_item(**keys.callback_task(task_id), consistent=True))


def account(account_id: str, **kw) -> dict:
    state = {
        "account_id": account_id,
        "branch_id": "br-contract",
        "serving_manager_id": "cm-contract",
        "status": "open",
        "tier": "ordinary",
        "opened_on": "2025-03-01",
        "client_name": "张三",
    }
    state.update(kw)
    return state


def task(account_id: str, trigger: str = "dormant", episode: str = "2026-05-23", **kw) -> TaskRecord:
    values = {
        "task_id": f"{trigger}.{account_id}.{episode}",
        "trigger": trigger,
        "episode": episode,
        "account_id": account_id,
        "branch_id": "br-contract",
        "business_date": D,
        "created_at": "2026-11-20T02:00:00+08:00",
        "due_on": date(2026, 12, 4),
        "due_at": "2026-12-04T23:59:59+08:00",
        "assignee_id": "cba-c1",
    }
    values.update(kw)
    return TaskRecord.model_validate(values)


def flat(pages) -> list[dict]:
    return [item for page in pages for item in page]


# --- candidates -------------------------------------------------------------------------------------------
def test_the_inbox_holds_what_waits_up_to_the_date_and_a_task_consumes_it(repo):
    snapshot = {"account_id": "ac-c1", "branch_id": "br-contract", "status": "open", "opened_on": str(D)}
    put_inbox(
        repo,
        {"account_id": "ac-c1", "trigger": "new_account", "episode": str(D), "event_on": str(D), "account": snapshot},
    )
    put_inbox(
        repo,
        {
            "account_id": "ac-c2",
            "trigger": "new_account",
            "episode": "2026-11-20",
            "event_on": "2026-11-20",
            "account": {**snapshot, "account_id": "ac-c2"},
        },
    )
    [entry] = flat(repo.inbox_pages(D, direct))
    assert (entry["account_id"], entry["trigger"], entry["event_on"]) == ("ac-c1", "new_account", str(D))
    assert entry["account"]["opened_on"] == str(D) and set(entry["inbox_key"]) == {"pk", "sk"}
    assert len(flat(repo.inbox_pages(date(2026, 11, 20), direct))) == 2
    record = task("ac-c1", "new_account", str(D))
    assert repo.create_task(record, token="t-inbox") is TaskWrite.created
    assert len(flat(repo.inbox_pages(date(2026, 11, 20), direct))) == 2  # a task alone consumes nothing
    repo.consume_all([(entry["inbox_key"], record.task_id)])
    assert [e["account_id"] for e in flat(repo.inbox_pages(date(2026, 11, 20), direct))] == ["ac-c2"]


def test_a_consumed_entry_leaves_the_inbox(repo):
    put_inbox(
        repo,
        {
            "account_id": "ac-c3",
            "trigger": "closed_account",
            "episode": str(D),
            "event_on": str(D),
            "account": {"account_id": "ac-c3"},
        },
    )
    [entry] = flat(repo.inbox_pages(D, direct))
    repo.consume_all([(entry["inbox_key"], ""), (entry["inbox_key"], "")])  # one key twice: written once
    assert flat(repo.inbox_pages(D, direct)) == []
    repo.consume_all([(entry["inbox_key"], "")])  # again (a retry): the same, nothing raised
    repo.consume_all([])
    assert flat(repo.inbox_pages(D, direct)) == []


def test_a_hundred_entries_leave_the_inbox_in_one_write(repo):
    for n in range(CONSUME_BATCH):
        put_inbox(
            repo,
            {
                "account_id": f"ac-b{n:03d}",
                "trigger": "new_account",
                "episode": str(D),
                "event_on": str(D),
                "account": {"account_id": f"ac-b{n:03d}"},
            },
        )
    entries = flat(repo.inbox_pages(D, direct))
    assert len(entries) == CONSUME_BATCH
    repo.consume_all([(e["inbox_key"], f"new_account.{e['account_id']}") for e in entries])
    assert flat(repo.inbox_pages(D, direct)) == []


def test_dormant_candidates_are_the_open_accounts_last_active_on_the_day_read_through_call_and_by_shard(repo):
    put_account(repo, account("ac-d1", last_trade_on="2026-05-23"))
    put_account(repo, account("ac-d2", last_trade_on="2026-05-23"))
    put_account(repo, account("ac-d3", last_trade_on="2026-05-23"))
    put_account(repo, account("ac-d4", last_trade_on="2026-05-24"))
    put_account(repo, account("ac-d5", last_trade_on="2026-05-23", status="closed", closed_on="2026-06-01"))
    calls = Calls()
    got = flat(repo.last_active_on(date(2026, 5, 23), calls))
    assert sorted(a["account_id"] for a in got) == ["ac-d1", "ac-d2", "ac-d3"]
    assert calls.n >= 4  # at least one read per shard, each through the job's call
    by_shard = [flat(repo.last_active_on(date(2026, 5, 23), direct, [k])) for k in range(4)]
    assert sorted(a["account_id"] for part in by_shard for a in part) == ["ac-d1", "ac-d2", "ac-d3"]


def test_periodic_candidates_are_the_accounts_of_the_cycle_whose_phase_comes_up(repo):
    days = period_days("ordinary")
    ids = [f"ac-p{i}" for i in range(40)]
    for a in ids:
        put_account(repo, account(a))
    put_account(repo, account("ac-pg", tier="gold"))
    day = next(
        D + timedelta(days=n)
        for n in range(days)
        if periodic_bucket(D + timedelta(days=n), days) == periodic_phase("ac-p0", days)
    )
    due = [a for a in ids if periodic_phase(a, days) == periodic_bucket(day, days)]
    got = flat(repo.periodic_due("ordinary", day, days, direct))
    assert "ac-p0" in due and sorted(a["account_id"] for a in got) == sorted(due)
    assert all(a.get("tier") == "ordinary" for a in got)
    assert flat(repo.periodic_due("gold", day, days, direct)) == []  # another cycle's bucket


def test_a_managers_open_accounts_and_the_departures_pending(repo):
    put_account(repo, account("ac-m1", serving_manager_id="cm-gone"))
    put_account(repo, account("ac-m2", serving_manager_id="cm-gone"))
    put_account(repo, account("ac-m3", serving_manager_id="cm-gone", status="closed"))
    assert sorted(a["account_id"] for a in flat(repo.manager_accounts("cm-gone", direct))) == ["ac-m1", "ac-m2"]
    gone = {
        "staff_id": "cm-gone",
        "name": "李四",
        "role": "client_manager",
        "branch_id": "br-contract",
        "status": "departed",
        "departed_on": "2026-11-18",
        "outlet_ids": [],
    }
    put_staff(repo, gone)
    put_staff(repo, {**gone, "staff_id": "cm-later", "departed_on": "2026-11-25"})
    assert [m["staff_id"] for m in repo.departures_pending(D)] == ["cm-gone"]
    repo.mark_departure_selected("cm-gone", "2026-11-17", "2026-11-20T02:00:00+08:00")  # another date: stays
    assert [m["departed_on"] for m in repo.departures_pending(D)] == ["2026-11-18"]
    repo.mark_departure_selected("cm-gone", "2026-11-18", "2026-11-20T02:00:00+08:00")
    assert repo.departures_pending(D) == []


# --- reads of a page --------------------------------------------------------------------------------------
def test_accounts_and_tasks_of_a_page_and_each_accounts_tasks_since_a_day(repo):
    put_account(repo, account("ac-r1"))
    assert set(repo.accounts(["ac-r1", "ac-none", "ac-r1"])) == {"ac-r1"}
    assert repo.accounts(["ac-r1"])["ac-r1"]["client_name"] == "张三"
    record = task("ac-r1")
    since = date(2026, 9, 30)
    assert repo.existing_tasks([record.task_id]) == set() and repo.account_tasks_since(["ac-r1"], since) == {}
    assert repo.create_task(record, token="t-r1") is TaskWrite.created
    earlier = task(
        "ac-r1", "periodic", "2026-09-01", business_date=date(2026, 9, 1), created_at="2026-09-02T02:00+08:00"
    )
    assert repo.create_task(earlier, token="t-r1-e") is TaskWrite.created
    assert repo.existing_tasks([record.task_id, "dormant.ac-none.x"]) == {record.task_id}
    found = repo.account_tasks_since(["ac-r1", "ac-none"], since)
    assert list(found) == ["ac-r1"] and [t["task_id"] for t in found["ac-r1"]] == [record.task_id]
    [held] = found["ac-r1"]
    assert (held["trigger"], held["business_date"], held["risk"]) == ("dormant", str(D), False)
    assert len(repo.account_tasks_since(["ac-r1"], date(2026, 9, 1))["ac-r1"]) == 2


def test_a_branch_agents_carry_their_load_and_staff_records_are_read_as_they_are(repo):
    for s in ("cba-c1", "cba-c2"):
        put_staff(
            repo,
            {
                "staff_id": s,
                "name": s,
                "role": "callback_agent",
                "branch_id": "br-contract",
                "status": "active",
                "outlet_ids": [],
            },
        )
    put_staff(
        repo,
        {
            "staff_id": "cm-c1",
            "name": "cm",
            "role": "client_manager",
            "branch_id": "br-contract",
            "status": "active",
            "outlet_ids": [],
        },
    )
    put_load(repo, "cba-c2", 7)
    agents = {a["staff_id"]: a for a in repo.branch_agents("br-contract")}
    assert set(agents) == {"cba-c1", "cba-c2"}
    assert (agents["cba-c1"]["open_tasks"], agents["cba-c2"]["open_tasks"]) == (0, 7)
    now = repo.staff_records(["cba-c1", "cm-c1", "nobody"])
    assert set(now) == {"cba-c1", "cm-c1"} and now["cm-c1"]["role"] == "client_manager"
    assert now["cba-c1"]["status"] == "active"


# --- writes -----------------------------------------------------------------------------------------------
def test_a_task_is_created_once_and_a_resend_of_the_try_that_landed_is_answered_created(repo):
    record = task("ac-w1", risk=True)
    assert repo.create_task(record, token="t-w1-0") is TaskWrite.created
    # The same try sent again (its first answer lost): the task it wrote carries its token.
    assert repo.create_task(record, token="t-w1-0") is TaskWrite.created
    # Another try, another run: the task is there, nothing written.
    other = task("ac-w1", risk=True, assignee_id="cba-c2")
    assert repo.create_task(other, token="t-w1-1") is TaskWrite.exists
    stored = task_of(repo, record.task_id)
    assert stored["assignee_id"] == "cba-c1" and stored["trigger"] == "dormant"
    assert [t["task_id"] for t in repo.account_tasks_since(["ac-w1"], D)["ac-w1"]] == [record.task_id]


def test_load_adds_are_fenced_so_a_retried_add_counts_once(repo):
    put_load(repo, "cba-c1", 3)
    mark = "00000000000000000001#000001"
    assert repo.add_loads_once({"cba-c1": 2, "cba-c2": 1}, "settled_all", mark) is True
    # Its own retry writes nothing: DynamoDB answers the same ClientRequestToken with the first success
    # (True; moto ignores tokens and the fake keeps none), or the marks refuse it (False).
    repo.add_loads_once({"cba-c1": 2, "cba-c2": 1}, "settled_all", mark)
    assert (load_of(repo, "cba-c1"), load_of(repo, "cba-c2")) == (5, 1)
    assert repo.add_loads_once({"cba-c1": 1}, "settled_all", "00000000000000000001#000002") is True
    # another run of the same writer (a redelivery beside it) has its own marks: its add counts too
    assert repo.add_loads_once({"cba-c1": 1}, "settled_all", "00000000000000000000#000001") is True
    assert repo.add_loads_once({"cba-c1": 1}, "settled_s0", mark) is True  # another writer's fence
    assert load_of(repo, "cba-c1") == 8
    assert LOAD_BATCH <= 100


def test_a_new_task_goes_back_to_the_queue_unless_touched(repo):
    record = task("ac-w4")
    repo.create_task(record, token="t-w4")
    assert repo.unassign_new_task_by_id(record.task_id, "cba-other", "no_agent") is False
    assert repo.unassign_new_task_by_id("dormant.ac-none.x", "cba-c1", "no_agent") is False
    assert repo.unassign_new_task_by_id(record.task_id, "cba-c1", "no_agent") is True
    back = task_of(repo, record.task_id)
    assert "assignee_id" not in back and back["queue_flag"] == "no_agent"
    assert repo.unassign_new_task_by_id(record.task_id, "cba-c1", "no_agent") is False


# --- run records ------------------------------------------------------------------------------------------
def test_a_dates_run_record_is_started_once_and_finished(runs):
    assert runs.get_run(D) is None
    assert runs.start_run(D, "2026-11-20T02:00:00+08:00") is True
    assert runs.start_run(D, "2026-11-20T02:00:01+08:00") is False
    assert runs.get_run(D)["status"] == "running"
    counts = {"dormant": {"candidates": 3, "created": 3, "skipped": {"account_closed": 1}}}
    runs.finish_run(D, "partial", "2026-11-20T02:10:00+08:00", counts, 0, ["dormant"])
    runs.finish_run(D, "completed", "2026-11-20T02:20:00+08:00", counts, 1, ["dormant", "periodic"])
    run = runs.get_run(D)
    assert (run["status"], run["done_triggers"], int(run["attempts"])) == ("completed", ["dormant", "periodic"], 2)
    assert int(run["counts"]["dormant"]["created"]) == 3 and run["business_date"] == str(D)


def test_a_shard_is_queued_once_until_stale_and_started_first_once(runs):
    assert runs.mark_queued(D, 1, "2026-11-20T02:00:00+08:00", "2026-11-19T20:00:00+08:00") is True
    assert runs.mark_queued(D, 1, "2026-11-20T02:05:00+08:00", "2026-11-19T20:05:00+08:00") is False
    runs.unmark_queued(D, 1, "2026-11-20T01:00:00+08:00")  # not this mark: stays
    assert runs.shard_runs(D)[1]["queued_at"] == "2026-11-20T02:00:00+08:00"
    runs.unmark_queued(D, 1, "2026-11-20T02:00:00+08:00")
    assert runs.mark_queued(D, 1, "2026-11-20T02:06:00+08:00", "2026-11-19T20:06:00+08:00") is True
    assert runs.start_shard(D, 1, "2026-11-20T02:07:00+08:00") is True
    assert runs.start_shard(D, 1, "2026-11-20T02:30:00+08:00") is False
    runs.finish_shard(D, 1, COMPLETED, "2026-11-20T02:40:00+08:00", {"dormant": {"created": 2}}, ["dormant"])
    shard = runs.shard_runs(D)
    assert set(shard) == {1} and shard[1]["status"] == COMPLETED and shard[1]["done_triggers"] == ["dormant"]
    assert int(shard[1]["attempts"]) == 2 and int(shard[1]["shard_no"]) == 1


def test_the_per_date_parts_are_leased_to_one_owner_until_it_lapses_or_they_complete(runs):
    assert runs.claim_common(D, "shard-0", "2026-11-20T02:00:00+08:00", "2026-11-20T02:30:00+08:00") is None
    runs.start_run(D, "2026-11-20T02:00:00+08:00")
    before = runs.claim_common(D, "shard-0", "2026-11-20T02:00:00+08:00", "2026-11-20T02:30:00+08:00")
    assert before is not None and "common_owner" not in before and before["status"] == "running"
    assert runs.claim_common(D, "shard-1", "2026-11-20T02:10:00+08:00", "2026-11-20T02:40:00+08:00") is None
    again = runs.claim_common(D, "shard-0", "2026-11-20T02:10:00+08:00", "2026-11-20T02:40:00+08:00")
    assert again is not None and again["common_owner"] == "shard-0"
    taken = runs.claim_common(D, "shard-1", "2026-11-20T02:50:00+08:00", "2026-11-20T03:20:00+08:00")
    assert taken is not None and taken["common_owner"] == "shard-0"  # the lease lapsed
    runs.finish_common(D, "shard-0", COMPLETED, "2026-11-20T02:55:00+08:00", {}, [])  # not its lease any more
    assert runs.get_run(D).get("common_status") is None
    runs.finish_common(D, "shard-1", COMPLETED, "2026-11-20T03:00:00+08:00", {"sample": {"created": 1}}, ["sample"])
    run = runs.get_run(D)
    assert run["common_status"] == COMPLETED and run["common_done"] == ["sample"]
    assert "common_lease" not in run and "common_owner" not in run
    assert runs.claim_common(D, "shard-2", "2026-11-20T04:00:00+08:00", "2026-11-20T04:30:00+08:00") is None
