"""Selection under load (issue 18 §1-3): throttles and conflicts slow the run down, never end it.

Given a branch of two agents, eight workers and faults injected under the application (5% of the
task transactions cancelled for throttling, 5% for a conflict, throttled requests below botocore),
when the 02:00 schedule runs (and, out of time, runs again), then every candidate has exactly one
task, each counted once on its quarter counter and its agent's LOAD item, and no task transaction
touches a staff record. One failing date never keeps the later dates from running.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from chalicelib import clock
from chalicelib.config import reset_settings
from chalicelib.domain import quarter_callbacks, selection_job, selection_patience
from chalicelib.storage import base, keys
from chalicelib.storage import selection as store
from chalicelib.storage.tasks import account_tasks_since
from tests.factories.accounts import feed, opened
from tests.fault_harness import FaultInjector, TransactionFaults

D = date(2026, 11, 19)  # business date of the 02:00 run on 11-20
ACCOUNTS = 40
AGENTS = ("cba-001", "cba-002")  # br-pudong's callback agents in the demo directory


@pytest.fixture(autouse=True)
def staff(directory, monkeypatch):
    monkeypatch.setenv("FIELDDESK_SAMPLE_SELECTION", "false")
    monkeypatch.setenv("FIELDDESK_SELECTION_WORKERS", "8")
    monkeypatch.setenv("FIELDDESK_SELECTION_RETRY_BASE_SECONDS", "0.001")
    monkeypatch.setenv("FIELDDESK_SELECTION_RETRY_MAX_DELAY_SECONDS", "0.01")
    reset_settings()
    yield


def new_accounts(n: int = ACCOUNTS, on: date = D, prefix: str = "ac") -> list[str]:
    ids = [f"{prefix}-{on:%m%d}-{i:03d}" for i in range(n)]
    feed(*[opened(a, on=str(on), n=i + 1) for i, a in enumerate(ids)])
    return ids


def task_ids_of(account_id: str) -> list[str]:
    return [i["task_id"] for i in base.query_all(f"ACCOUNT#{account_id}#TASKS", index="gsi4")]


def load(agent_id: str) -> int:
    return int((base.get_item(**keys.agent_load(agent_id), consistent=True) or {}).get("open_tasks", 0))


def assert_exactly_one_task_each(account_ids: list[str], day: date = D) -> None:
    for a in account_ids:
        assert task_ids_of(a) == [keys.callback_task_id("new_account", a, str(day))], a
        found = account_tasks_since([a], quarter_callbacks.read_from("2026Q4")).get(a, [])
        assert quarter_callbacks.figures(found, "2026Q4")["task_ids"] == task_ids_of(a), a  # the cap counts it once


def scheduled(at: str, remaining=None, monkeypatch=None):
    """The 02:00 EventBridge event through the Lambda handler (chalice's test client)."""
    from chalice.test import Client

    from app import app
    from chalicelib.jobs import callbacks

    if remaining is not None:
        monkeypatch.setattr(callbacks, "_remaining", lambda event: remaining)
    with clock.freeze(at), Client(app) as client:
        event = client.events.generate_cw_event(
            source="aws.events", detail_type="Scheduled Event", detail={}, resources=[]
        )
        return client.lambda_.invoke("daily_callback_selection", event).payload["runs"]


def plenty():
    return 900.0


# --- throttles and contention: slower, never aborted -------------------------------------------------------
def test_throttled_and_conflicting_writes_with_8_workers_still_give_every_candidate_one_task(monkeypatch):
    accounts = new_accounts()
    below = FaultInjector(rate=0.05, seed=5, kinds=("throttle",))  # retried by botocore
    refused = TransactionFaults(throttle=0.05, conflict=0.05, seed=11)  # retried by the job
    with below.active(), refused.active():
        runs = scheduled("2026-11-20T02:00:00+08:00", plenty, monkeypatch)
    assert refused.counts["ThrottlingError"] > 0 and refused.counts["TransactionConflict"] > 0
    assert [(r["business_date"], r["status"], r["created"]) for r in runs] == [(str(D), "completed", ACCOUNTS)]
    assert selection_job.watermark() == D
    assert_exactly_one_task_each(accounts)
    # The agents' counters hold every task once, balanced (the counter is its own LOAD item, added to
    # outside the task writes).
    assert sum(load(a) for a in AGENTS) == ACCOUNTS and abs(load("cba-001") - load("cba-002")) <= 1
    # Each task is a put of its own (refused too, above, and retried), in no transaction; the LOAD adds are
    # transactions of LOAD items only, and the inbox is consumed in transactions of inbox entries only.
    assert len(refused.puts) > ACCOUNTS and not [k for t in refused.transactions for k in t if k[0].startswith("TASK#")]
    loads = [t for t in refused.transactions if any(k[1] == "LOAD" for k in t)]
    assert loads and all(k[0].startswith("STAFF#") and k[1] == "LOAD" for t in loads for k in t)
    consumed = [t for t in refused.transactions if t not in loads]
    assert consumed and all(k[1].startswith("SELECT#new_account#") for t in consumed for k in t)
    assert {k[0] for t in consumed for k in t} == {f"ACCOUNT#{a}" for a in accounts}


def test_the_scheduled_job_resends_a_throttled_request_after_50_ms_and_requeues_a_throttled_task_put(monkeypatch):
    """botocore's standard and adaptive modes wait rand(0, 1 s) x 2^n before resending a throttled request:
    at 5% throttles that was half of the workers' time (issue 18). The schedule runs the job on DynamoDB's
    legacy policy (50 ms doubling); a task put is not resent by botocore at all (that 50 ms still held the
    worker: 19% of its time): the job re-queues the task behind the others. The API's client keeps adaptive
    mode."""
    import botocore.endpoint

    from chalicelib.domain import selection_create
    from chalicelib.storage import clients

    accounts = new_accounts()
    faults = FaultInjector(rate=0.2, seed=8, kinds=("throttle",))
    sleeps: list[float] = []
    requeued: list[str] = []
    real_requeue = selection_create.CreatesTasks.requeue

    def requeue(self, c, *args):
        requeued.append(c.task_id)
        real_requeue(self, c, *args)

    monkeypatch.setattr(selection_create.CreatesTasks, "requeue", requeue)
    with faults.active():
        no_sleep = botocore.endpoint.time  # the injector's: botocore's retry sleeps are skipped, here recorded

        class Recorded:
            def sleep(self, seconds):
                sleeps.append(seconds)

            def __getattr__(self, name):
                return getattr(no_sleep, name)

        botocore.endpoint.time = Recorded()
        try:
            runs = scheduled("2026-11-20T02:00:00+08:00", plenty, monkeypatch)
        finally:
            botocore.endpoint.time = no_sleep
    assert len(requeued) > 3 and sleeps and len(sleeps) + len(requeued) == faults.counts["throttle"]
    assert max(sleeps) <= 0.05  # each resent once, after DynamoDB's 50 ms
    assert [(r["business_date"], r["status"], r["created"]) for r in runs] == [(str(D), "completed", ACCOUNTS)]
    assert_exactly_one_task_each(accounts)
    assert sum(load(a) for a in AGENTS) == ACCOUNTS
    assert clients.dynamodb_client().meta.config.retries["mode"] == "adaptive"  # the API's, after the run


def test_a_task_put_whose_answer_was_lost_is_counted_once_as_created(monkeypatch):
    """A 500 after the put landed: botocore (then the job) sends it again as it was, same agent and same
    try token. The put is refused by the task it wrote, and the refusal carries that task
    (ReturnValuesOnConditionCheckFailure), whose token is this try's: "created", not "exists". So one task,
    created once, and the agents' counters hold exactly the tasks the run created."""
    accounts = new_accounts(12)
    faults = FaultInjector(rate=0.3, seed=2, kinds=("applied_500",))
    with faults.active():
        runs = scheduled("2026-11-20T02:00:00+08:00", plenty, monkeypatch)
    assert faults.counts["applied_500"] > 0
    (run,) = runs
    assert (run["status"], run["created"], run["existing"]) == ("completed", 12, 0)
    assert_exactly_one_task_each(accounts)
    assert sum(load(a) for a in AGENTS) == 12


def test_a_load_add_that_landed_but_was_answered_with_a_conflict_is_counted_once(monkeypatch):
    """At-least-once made exact: the job retries an add whose answer it lost (here: the transaction landed,
    then its answer said TransactionConflict), and the fence on the LOAD items writes nothing the second time."""
    from botocore.client import BaseClient
    from botocore.exceptions import ClientError

    accounts = new_accounts()
    original = BaseClient._make_api_call
    lost = []

    def landed_then_refused(client, operation_name, api_params):
        answer = original(client, operation_name, api_params)
        items = api_params.get("TransactItems", []) if operation_name == "TransactWriteItems" else []
        if (
            not lost
            and items
            and all(next(iter(e.values())).get("Key", {}).get("sk", {}).get("S") == "LOAD" for e in items)
        ):
            lost.append(len(items))
            reasons = [{"Code": "TransactionConflict", "Message": "answer lost"}] + [{"Code": "None"}] * (
                len(items) - 1
            )
            error = {
                "Error": {"Code": "TransactionCanceledException", "Message": "lost"},
                "CancellationReasons": reasons,
            }
            raise ClientError(error, operation_name)
        return answer

    monkeypatch.setattr(BaseClient, "_make_api_call", landed_then_refused)
    runs = scheduled("2026-11-20T02:00:00+08:00", plenty, monkeypatch)
    assert lost and [(r["status"], r["created"]) for r in runs] == [("completed", ACCOUNTS)]
    assert_exactly_one_task_each(accounts)
    assert sum(load(a) for a in AGENTS) == ACCOUNTS and abs(load("cba-001") - load("cba-002")) <= 1


def test_a_cancelled_load_add_names_the_agents_whose_items_were_held(monkeypatch):
    """DynamoDB gives one cancellation reason per item, in order: the adapter names the held agents, so the
    job sends the others again at once (the run's end waited ~20 s retrying whole batches, bench.replay)."""
    from botocore.client import BaseClient
    from botocore.exceptions import ClientError

    from chalicelib.domain.selection_ports import LoadItemBusy
    from chalicelib.storage.selection_repo import DynamoSelectionRepository

    original = BaseClient._make_api_call

    def second_item_held(client, operation_name, api_params):
        if operation_name == "TransactWriteItems":
            reasons = [{"Code": "None"}, {"Code": "TransactionConflict", "Message": "held"}, {"Code": "None"}]
            error = {
                "Error": {"Code": "TransactionCanceledException", "Message": "held"},
                "CancellationReasons": reasons,
            }
            raise ClientError(error, operation_name)
        return original(client, operation_name, api_params)

    monkeypatch.setattr(BaseClient, "_make_api_call", second_item_held)
    with pytest.raises(LoadItemBusy) as refused:
        DynamoSelectionRepository().add_loads_once({"cba-001": 1, "cba-002": 2, "cba-003": 1}, "settled_all", "1#1")
    assert refused.value.agents == {"cba-002"}
    monkeypatch.setattr(BaseClient, "_make_api_call", original)
    assert load("cba-001") == load("cba-002") == 0  # nothing of the cancelled transaction was written


def test_out_of_time_under_throttling_stops_partial_and_the_next_scheduled_run_resumes_exactly_once(monkeypatch):
    accounts = new_accounts()
    ticks = {"n": 0}

    def running_out():
        ticks["n"] += 1
        return 900.0 if ticks["n"] < 25 else 30.0  # below the 60 s margin part-way through

    with (
        FaultInjector(rate=0.05, seed=6, kinds=("throttle",)).active(),
        TransactionFaults(throttle=0.05, conflict=0.05, seed=3).active(),
    ):
        first = scheduled("2026-11-20T02:00:00+08:00", running_out, monkeypatch)
        assert [(r["status"]) for r in first] == ["partial"]
        made = sum(len(task_ids_of(a)) for a in accounts)
        assert 0 < made < ACCOUNTS and selection_job.watermark() is None
        assert store.get_run(D)["status"] == "partial"
        again = scheduled("2026-11-20T02:15:00+08:00", plenty, monkeypatch)
    assert [(r["business_date"], r["status"], r["created"]) for r in again] == [(str(D), "completed", ACCOUNTS - made)]
    assert selection_job.watermark() == D
    assert_exactly_one_task_each(accounts)
    assert sum(load(a) for a in AGENTS) == ACCOUNTS


def test_a_transaction_throttled_past_the_give_up_limit_leaves_the_date_partial_for_the_next_run(monkeypatch):
    """An operator's run has no Lambda deadline: one write gives up after its limit and the date is
    partial (not failed, not aborted); the rest of the date is created and the next run adds the last one."""
    monkeypatch.setenv("FIELDDESK_SELECTION_RETRY_GIVE_UP_SECONDS", "0.05")
    reset_settings()
    accounts = new_accounts(10)
    stuck = keys.callback_task_id("new_account", accounts[3], str(D))

    def only_that_one(params):
        item = params.get("Item", {})  # the task's put
        return "ThrottlingError" if item.get("task_id", {}).get("S") == stuck else ""  # "": no fault

    faults = TransactionFaults(refuse=only_that_one)
    with faults.active(), clock.freeze("2026-11-20T02:00:00+08:00"):
        result = selection_job.run_and_advance(D)
    assert result.status == "partial" and result.reason == "incomplete"
    assert result.counts["new_account"]["created"] == 9
    assert result.counts["new_account"]["skipped"] == {"kept_throttled": 1}
    assert task_ids_of(accounts[3]) == [] and selection_job.watermark() is None
    with clock.freeze("2026-11-20T02:30:00+08:00"):
        again = selection_job.run_and_advance(D)
    assert again.status == "completed" and again.totals()["created"] == 1
    assert_exactly_one_task_each(accounts)


# --- one bad date ------------------------------------------------------------------------------------------
def test_one_failing_date_does_not_block_the_later_dates_and_is_retried_by_the_next_run(monkeypatch):
    selection_job.advance_watermark(D - timedelta(days=3))
    bad_day, later = D - timedelta(days=2), [D - timedelta(days=1), D]
    bad = new_accounts(3, on=bad_day, prefix="bad")
    good = {day: new_accounts(3, on=day, prefix="ok") for day in later}
    from chalicelib.domain import selection as rules

    real = rules.build_task

    def broken_for_the_bad_day(candidate, business_date, *args):
        if business_date == bad_day:
            raise ValueError("a record the rules cannot read")
        return real(candidate, business_date, *args)

    monkeypatch.setattr(rules, "build_task", broken_for_the_bad_day)
    runs = scheduled("2026-11-20T02:00:00+08:00", plenty, monkeypatch)
    assert [(r["business_date"], r["status"]) for r in runs] == [
        (str(bad_day), "failed"),
        (str(later[0]), "completed"),
        (str(D), "completed"),
    ]
    for day, ids in good.items():
        assert_exactly_one_task_each(ids, day)
    assert selection_job.watermark() == D - timedelta(days=3)  # waits before the failed date
    monkeypatch.setattr(rules, "build_task", real)
    runs = scheduled("2026-11-20T03:00:00+08:00", plenty, monkeypatch)
    assert [(r["business_date"], r["status"]) for r in runs] == [
        (str(bad_day), "completed"),
        (str(later[0]), "already_completed"),
        (str(D), "already_completed"),
    ]
    assert selection_job.watermark() == D
    assert_exactly_one_task_each(bad, bad_day)


def test_backfill_runs_the_dates_after_a_failing_one_and_names_it(monkeypatch, capsys):
    from chalicelib.domain import selection as rules
    from schedules.__main__ import main

    bad_day = D - timedelta(days=1)
    new_accounts(2, on=bad_day, prefix="bad")
    good = new_accounts(2, on=D, prefix="ok")
    real = rules.build_task

    def broken_for_the_bad_day(candidate, business_date, *args):
        if business_date == bad_day:
            raise ValueError("a record the rules cannot read")
        return real(candidate, business_date, *args)

    monkeypatch.setattr(rules, "build_task", broken_for_the_bad_day)
    with clock.freeze("2026-11-20T09:00:00+08:00"):
        code = main(["backfill", "callbacks", "--from", str(bad_day), "--to", str(D)])
    out = capsys.readouterr()
    assert code == 1 and f"== callbacks {D} completed" in out.out
    assert f"not completed: {bad_day}" in out.err
    assert_exactly_one_task_each(good, D)


# --- the back-off itself -------------------------------------------------------------------------------------
def test_backoff_never_sleeps_past_the_time_budget(monkeypatch):
    slept = []
    monkeypatch.setattr(selection_patience.time, "sleep", slept.append)
    job = selection_job._Run(D, "first", remaining=lambda: 60.5)  # half a second above the 60 s margin
    monkeypatch.setenv("FIELDDESK_SELECTION_RETRY_MAX_DELAY_SECONDS", "5")
    reset_settings()
    job.s = selection_job.get_settings()
    tries = 0
    while job.backoff(tries, selection_patience.time.monotonic()):
        tries += 1
    assert job.stopped and all(d <= 0.5 for d in slept)
