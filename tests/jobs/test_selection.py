"""The daily callback selection job, end to end on moto.

Given accounts fed through the domain, when the job runs for business date D,
then exactly the right tasks exist, with due dates in China working days,
assigned independently, at most twice a quarter, and repeatable.
"""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest

from chalicelib import clock
from chalicelib.auth import Principal
from chalicelib.config import reset_settings
from chalicelib.domain import quarter_callbacks, selection_job
from chalicelib.storage import accounts as account_store
from chalicelib.storage import base, keys
from chalicelib.storage import selection as store
from chalicelib.storage.tasks import account_tasks_since, get_task
from tests.factories.accounts import closed, feed, manager_changed, opened, trade, transfer_out

ADMIN = Principal(kind="staff", id="adm-001", role="admin", branch_id="br-pudong")
D = date(2026, 11, 19)  # a Thursday


@pytest.fixture(autouse=True)
def staff(directory, monkeypatch):
    # The 10% sample has its own tests (tests/jobs/test_sample.py); here it would add a task per branch.
    monkeypatch.setenv("FIELDDESK_SAMPLE_SELECTION", "false")
    reset_settings()
    yield


def run(day: date = D, **kw):
    with clock.freeze(f"{day + timedelta(days=1)}T02:00:00+08:00"):
        return selection_job.run_date(day, **kw)


def task(trigger, account_id, episode):
    return get_task(keys.callback_task_id(trigger, account_id, episode), consistent=True)


def open_tasks(staff_id):
    return int((base.get_item(**keys.agent_load(staff_id), consistent=True) or {}).get("open_tasks", 0))


def depart(*staff_ids, on="2026-11-01"):
    from chalicelib.domain import directory
    from chalicelib.models.directory import StaffPatch

    for s in staff_ids:
        directory.update_staff(ADMIN, s, StaffPatch(status="departed", departed_on=on))


def long_ago(account_id, n=1, **kw):
    """An account opened long ago and traded recently: a candidate for nothing (unless asked)."""
    return [opened(account_id, on="2025-01-06", n=n, **kw), trade(account_id, "2026-11-10")]


# --- new accounts -------------------------------------------------------------------------
def test_new_account_opened_on_d_is_due_the_next_working_day():
    feed(opened("ac-new"), opened("ac-old", on="2026-11-18", n=2))
    result = run()
    t = task("new_account", "ac-new", "2026-11-19")
    assert t["due_on"] == "2026-11-20" and t["due_at"] == "2026-11-20T23:59:59+08:00"
    assert t["status"] == "open" and t["priority"] == 2 and t["risk"] is False and t["late_arrival"] is False
    # Posted after 11-18's run: selected by the next run, due from its opening, created overdue and late.
    late = task("new_account", "ac-old", "2026-11-18")
    assert late["deadline_on"] == "2026-11-19" and late["due_on"] == str(D)
    assert late["late_arrival"] is True and late["overdue"] is True
    assert result.counts["new_account"]["candidates"] == 2 and result.counts["new_account"]["created"] == 2
    assert result.counts["new_account"]["late"] == 1


def test_tasks_use_the_suggested_call_windows_without_a_copy_on_each():
    """Issue 18: the configured windows are resolved on read, not stored on every task (287 bytes each)."""
    from chalicelib.domain import call_windows

    feed(opened("ac-new"))
    run()
    stored = task("new_account", "ac-new", str(D))
    assert "call_windows" not in stored
    windows = [(w.weekday, w.start, w.end) for w in call_windows.windows_of(stored)]
    assert windows == [
        (0, "14:30", "17:00"),
        (1, "09:30", "11:00"),
        (1, "15:00", "17:00"),
        (2, "09:30", "11:00"),
        (2, "15:00", "17:00"),
        (3, "09:30", "11:00"),
        (3, "15:00", "17:00"),
        (4, "09:30", "11:00"),
    ]


@pytest.mark.parametrize(
    "opened_on,channel,due",
    [
        ("2026-09-30", "counter", "2026-10-08"),  # National Day: Oct 1-7 off
        ("2026-09-30", "bank_outlet_bulk", "2026-10-10"),  # 3 working days: Oct 8, 9 and make-up Saturday Oct 10
        ("2026-02-13", "counter", "2026-02-14"),  # Spring Festival make-up Saturday
        ("2026-11-20", "counter", "2026-11-23"),  # Friday -> Monday
        ("2026-11-20", "bank_outlet_bulk", "2026-11-25"),
    ],
)
def test_new_account_due_dates_count_china_working_days(opened_on, channel, due):
    feed(opened("ac-1", on=opened_on, channel=channel))
    run(date.fromisoformat(opened_on))
    assert task("new_account", "ac-1", opened_on)["due_on"] == due


def test_unpublished_year_falls_back_to_weekends_and_marks_the_due_date_provisional():
    feed(opened("ac-1", on="2027-01-08"))  # a Friday in a year chinese-calendar has not
    result = run(date(2027, 1, 8))
    t = task("new_account", "ac-1", "2027-01-08")
    assert t["due_on"] == "2027-01-11" and t["due_provisional"] is True
    assert result.counts["new_account"]["provisional"] == 1


# --- dormant --------------------------------------------------------------------------------
def test_dormant_selects_exactly_180_days_without_a_trade():
    feed(
        opened("ac-179", on="2025-01-06", n=1),
        trade("ac-179", str(D - timedelta(days=179))),
        opened("ac-180", on="2025-01-06", n=2),
        trade("ac-180", str(D - timedelta(days=180))),
        opened("ac-181", on="2025-01-06", n=3),
        trade("ac-181", str(D - timedelta(days=181))),
        opened("ac-never", on=str(D - timedelta(days=180)), n=4),
        opened("ac-again", on="2025-01-06", n=5),
        trade("ac-again", str(D - timedelta(days=180))),
        trade("ac-again", "2026-11-01"),
    )
    result = run()
    since = str(D - timedelta(days=180))
    assert task("dormant", "ac-180", since)["due_on"] == "2026-12-04"  # 001 制度 §2: within 15 days of D
    assert task("dormant", "ac-never", since) is not None
    for account in ("ac-179", "ac-181", "ac-again"):
        assert base.query_all(f"ACCOUNT#{account}#TASKS", index="gsi4") == []
    assert result.counts["dormant"]["created"] == 2


# --- large outflow --------------------------------------------------------------------------
def test_large_outflow_at_threshold_is_a_risk_task_one_fen_under_is_not():
    feed(
        *long_ago("ac-under", 1),
        transfer_out("ac-under", "499999.99", "90000000.00"),
        *long_ago("ac-at", 2),
        transfer_out("ac-at", "500000.00", "90000000.00"),
        transfer_out("ac-at", "20.00", "1000.00", at="2026-11-19T15:00:00+08:00"),
    )  # 2% - small
    run()
    assert task("large_outflow", "ac-under", str(D)) is None
    t = task("large_outflow", "ac-at", str(D))
    assert t["priority"] == 0 and t["risk"] is True and t["due_on"] == "2026-11-20"
    assert t["detail"]["amount"] == "500000.00" and len(t["detail"]["transfers"]) == 1


def test_several_large_outflows_in_a_day_make_one_risk_task():
    feed(
        *long_ago("ac-1"),
        transfer_out("ac-1", "60.00", "100.00", at="2026-11-19T09:00:00+08:00"),
        transfer_out("ac-1", "30.00", "40.00", at="2026-11-19T10:00:00+08:00"),
    )
    result = run()
    t = task("large_outflow", "ac-1", str(D))
    assert t["detail"]["amount"] == "90.00" and len(t["detail"]["transfers"]) == 2
    assert result.counts["large_outflow"]["created"] == 1


# --- closed, departed manager ------------------------------------------------------------------
def test_closed_account_within_two_calendar_days_and_not_as_a_new_account():
    feed(*long_ago("ac-1", 1), closed("ac-1", on="2026-11-20"), opened("ac-2", n=2), closed("ac-2", on=str(D)))
    result = run(date(2026, 11, 20))
    assert task("closed_account", "ac-1", "2026-11-20")["due_on"] == "2026-11-22"  # 003 第四章: 两日内
    run()
    assert task("closed_account", "ac-2", str(D))["detail"]["reason"] == "competitor"
    assert task("new_account", "ac-2", str(D))["status"] == "open"  # opened and closed: both callbacks
    # ac-1's opening (2025) is history, not work: counted, never selected.
    assert result.counts["new_account"]["created"] == 1
    assert result.counts["new_account"]["skipped"] == {"older_than_late_limit": 1}


def test_clients_of_a_manager_who_departed_on_d():
    feed(
        *long_ago("ac-1", 1, manager="cm-001"),
        *long_ago("ac-2", 2, manager="cm-002"),
        *long_ago("ac-3", 3, manager="cm-002"),
        manager_changed("ac-3", "cm-001", "2026-11-11T09:00:00+08:00"),
    )
    depart("cm-001", on=str(D))
    result = run()
    t = task("departed_manager", "ac-1", f"cm-001_{D}")
    assert t["due_on"] == "2026-12-04" and t.get("assignee_id") in {"cba-001", "cba-002"}  # 15 calendar days
    assert task("departed_manager", "ac-3", f"cm-001_{D}") is not None
    assert base.query_all("ACCOUNT#ac-2#TASKS", index="gsi4") == []
    assert result.counts["departed_manager"]["candidates"] == 2


# --- periodic by tier -----------------------------------------------------------------------------
def account_in_phase(tier: str, day: date, prefix="ac-p") -> str:
    days = {"gold": 14, "silver": 30, "ordinary": 91}[tier]
    return next(
        f"{prefix}{i}"
        for i in range(10000)
        if account_store.periodic_phase(f"{prefix}{i}", days) == account_store.periodic_bucket(day, days)
    )


def test_gold_account_comes_up_once_every_14_days():
    gold = account_in_phase("gold", D)
    feed(*long_ago(gold, tier="gold"))
    run()
    t = task("periodic", gold, str(D))
    assert t["priority"] == 5 and t["due_on"] == "2026-12-02"  # the period's last day, a Wednesday
    for offset in range(1, 14):
        assert account_store.periodic_bucket(D + timedelta(days=offset), 14) != account_store.periodic_phase(gold, 14)
    run(D + timedelta(days=14))
    assert task("periodic", gold, str(D + timedelta(days=14))) is not None


def test_each_tier_uses_its_own_period():
    silver = account_in_phase("silver", D, "ac-s")
    ordinary = account_in_phase("ordinary", D, "ac-o")
    feed(*long_ago(silver, 1, tier="silver"), *long_ago(ordinary, 2, tier="ordinary"))
    result = run()
    assert task("periodic", silver, str(D))["detail"]["period_days"] == 30
    assert task("periodic", ordinary, str(D))["detail"]["period_days"] == 91
    assert result.counts["periodic"]["created"] == 2


# --- the quarterly cap -------------------------------------------------------------------------------
def test_mandatory_and_periodic_callbacks_are_never_capped_and_count_toward_the_quarter():
    """001: the cap of 2 a quarter is about sampling; a closure after two callbacks is still made."""
    d1 = date(2026, 11, 5)
    gold = account_in_phase("gold", d1)
    feed(*long_ago(gold, tier="gold"))
    run(d1)
    run(d1 + timedelta(days=14))
    d3 = d1 + timedelta(days=28)  # 2026-12-03, still Q4
    feed(transfer_out(gold, "600000.00", "900000.00", at=f"{d3}T10:00:00+08:00"))
    result = run(d3)
    assert task("periodic", gold, str(d1)) and task("periodic", gold, str(d1 + timedelta(days=14)))
    assert task("periodic", gold, str(d3)) is not None  # the tier's interval (001), not sampled
    assert task("large_outflow", gold, str(d3)) is not None
    assert result.counts["periodic"]["capped"] == 0 and result.counts["large_outflow"]["created"] == 1
    d4 = date(2026, 12, 4)
    feed(closed(gold, on=str(d4)))
    run(d4)
    assert task("closed_account", gold, str(d4)) is not None
    figures = quarter_figures(gold, "2026Q4")
    assert figures["callbacks"] == 5 and figures["risk_callbacks"] == 1
    counter = WriteCounter()
    rerun = run(d3)  # a re-run writes nothing
    assert rerun.totals()["created"] == 0 and counter.writes == []


# --- assignment and independence ----------------------------------------------------------------------
def test_least_loaded_agent_first():
    base.update(**keys.agent_load("cba-001"), expression="SET open_tasks = :n", values={":n": 5})
    feed(*[opened(f"ac-{i}", n=i) for i in range(4)])
    run()
    assert open_tasks("cba-002") == 4 and open_tasks("cba-001") == 5
    feed(*[opened(f"ac-x{i}", on="2026-11-20", n=10 + i) for i in range(4)])
    run(date(2026, 11, 20))
    assert open_tasks("cba-002") + open_tasks("cba-001") == 13
    assert abs(open_tasks("cba-002") - open_tasks("cba-001")) <= 1


def test_no_active_agent_puts_the_task_in_the_branch_queue():
    depart("cba-001", "cba-002")
    feed(opened("ac-1"), opened("ac-h", branch_id="br-haidian", manager="cm-101", n=2))
    result = run()
    for account in ("ac-1", "ac-h"):
        t = task("new_account", account, str(D))
        assert t.get("assignee_id") is None and t["queue_flag"] == "no_agent"
    item = base.get_item(**keys.callback_task(keys.callback_task_id("new_account", "ac-1", str(D))))
    assert item["gsi1pk"] == "BRANCH#br-pudong#QUEUE"
    assert result.counts["new_account"]["queued"] == 2


def test_the_serving_manager_never_calls_back_their_own_client():
    # The core system may name anyone as serving manager; an agent serving the client is excluded.
    depart("cba-002")
    feed(opened("ac-1", manager="cba-001"), opened("ac-2", manager="cm-001", n=2))
    run()
    assert task("new_account", "ac-1", str(D)).get("assignee_id") is None
    assert task("new_account", "ac-2", str(D)).get("assignee_id") == "cba-001"


def test_marketing_staff_are_never_assigned():
    feed(*[opened(f"ac-{i}", manager=m, n=i) for i, m in enumerate(["cm-001", "cm-002", "sup-001", None])])
    depart("cba-001", "cba-002", on="2026-11-01")
    feed(opened("ac-q", n=9))
    run()
    assignees = {task("new_account", a, str(D)).get("assignee_id") for a in ("ac-0", "ac-1", "ac-2", "ac-3", "ac-q")}
    assert assignees == {None}


def test_an_agent_departing_mid_run_is_not_assigned(monkeypatch):
    feed(opened("ac-1"))
    real = store.branch_agents

    def stale(branch_id):  # the run read the branch before cba-001 and cba-002 departed
        agents = real(branch_id)
        depart("cba-001", "cba-002")
        return agents

    monkeypatch.setattr(store, "branch_agents", stale)
    run()
    t = task("new_account", "ac-1", str(D))
    assert t.get("assignee_id") is None and open_tasks("cba-001") == 0 and open_tasks("cba-002") == 0


# --- repeatability -----------------------------------------------------------------------------------------
def candidates_of_every_kind():
    gold = account_in_phase("gold", D)
    feed(
        opened("ac-new"),
        *long_ago("ac-out", 2),
        transfer_out("ac-out", "500000.00", "800000.00"),
        *long_ago("ac-close", 3),
        closed("ac-close", on=str(D)),
        opened("ac-idle", on=str(D - timedelta(days=180)), n=4),
        *long_ago(gold, 5, tier="gold"),
        *[opened(f"ac-n{i}", n=20 + i) for i in range(10)],
    )
    return 15  # 13 from the inbox (11 new, 1 outflow, 1 closure), 2 from the indexes (dormant, periodic)


TOO_OLD = 4  # the 2025 openings (ac-out, ac-close, gold) and ac-idle's: counted, then cleared


class WriteCounter:
    WRITES = {"PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem"}

    def __init__(self):
        from chalicelib.storage.clients import dynamodb_client, dynamodb_resource, main_table

        self.calls: list[str] = []
        # Every distinct client the code may write through (the table's resource included), each once.
        clients = {id(c): c for c in (dynamodb_client(), dynamodb_resource().meta.client, main_table().meta.client)}
        for client in clients.values():
            client.meta.events.register("after-call.dynamodb", self.record)

    def record(self, model, **kwargs):
        self.calls.append(model.name)

    @property
    def writes(self):
        return [c for c in self.calls if c in self.WRITES]


def quarter_figures(account_id: str, quarter: str) -> dict:
    """What compliance reads against the cap: the account's callbacks of the quarter, from its tasks."""
    found = account_tasks_since([account_id], quarter_callbacks.read_from(quarter)).get(account_id, [])
    return quarter_callbacks.figures(found, quarter)


def all_task_ids():
    ids = set()
    for account in ["ac-new", "ac-out", "ac-close", "ac-idle", account_in_phase("gold", D)] + [
        f"ac-n{i}" for i in range(10)
    ]:
        ids |= {i["task_id"] for i in base.query_all(f"ACCOUNT#{account}#TASKS", index="gsi4")}
    return ids


def assert_books_balance(expected_tasks: int):
    assert len(all_task_ids()) == expected_tasks
    assert open_tasks("cba-001") + open_tasks("cba-002") == expected_tasks
    for account in ["ac-new", "ac-idle"] + [f"ac-n{i}" for i in range(10)]:
        assert quarter_figures(account, "2026Q4")["callbacks"] == 1


def test_rerun_creates_nothing_changes_nothing_and_writes_nothing():
    n = candidates_of_every_kind()
    first = run()
    assert first.mode == "first" and first.totals()["created"] == n
    before = {t: get_task(t, consistent=True) for t in all_task_ids()}
    counter = WriteCounter()
    again = run()
    # The index triggers the first run went through completely are not read again (issue 18: `done_triggers`
    # on the run record); the inbox entries it selected left the inbox. So nothing is even found existing.
    assert store.get_run(D)["done_triggers"] == ["dormant", "periodic", "sample"]
    assert again.mode == "resume" and again.totals()["created"] == 0 and again.totals()["existing"] == 0
    assert not [c for c in counter.calls if c in ("BatchGetItem",)]
    assert counter.writes == []
    assert {t: get_task(t, consistent=True) for t in all_task_ids()} == before
    assert_books_balance(n)


def test_first_run_makes_one_write_request_per_task():
    n = candidates_of_every_kind()
    counter = WriteCounter()
    run()
    # One conditional put per task (issue 18: no transaction, no counter beside it), one transaction adding
    # to both agents' LOAD items (20 agents a transaction, once per flush) and one consuming the inbox
    # entries (the selected ones and the too-old ones: a hundred a transaction).
    assert counter.writes.count("PutItem") == n + 1  # and the run record, started
    assert counter.writes.count("TransactWriteItems") == 1 + 1
    assert "BatchWriteItem" not in counter.calls
    # Transfers carry their account and task keys are not read first: the only batch reads are the agents'
    # LOAD items (one per branch) and the agents re-read once before their counters are added to.
    assert counter.calls.count("BatchGetItem") == 1 + 1
    # plus the run record, finished (issue 18: never a counter write per task, nor one per agent, nor one
    # per inbox entry)
    assert counter.writes.count("UpdateItem") == 1
    assert len(counter.writes) == n + 2 + 2


def test_concurrent_runs_of_one_date_leave_exactly_one_task_per_key():
    n = candidates_of_every_kind()
    errors = []

    def go():
        try:
            run()
        except Exception as err:  # noqa: BLE001
            errors.append(err)

    threads = [threading.Thread(target=go) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert_books_balance(n)


def test_crash_midway_then_resume_leaves_no_duplicate_and_no_gap(monkeypatch):
    n = candidates_of_every_kind()
    real = store.create_task
    calls = {"n": 0}

    def flaky(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 6:
            raise RuntimeError("Lambda crashed")
        return real(*args, **kwargs)

    monkeypatch.setattr(store, "create_task", flaky)
    with pytest.raises(RuntimeError):
        run()
    assert store.get_run(D)["status"] == "running"
    before = len(all_task_ids())
    assert 0 < before < n
    monkeypatch.setattr(store, "create_task", real)
    resumed = run()
    assert resumed.mode == "resume" and resumed.status == "completed"
    assert resumed.totals()["created"] == n - before
    assert_books_balance(n)
    assert store.get_run(D)["status"] == "completed"


def test_stops_before_the_deadline_and_the_next_run_resumes():
    n = candidates_of_every_kind()
    ticks = {"n": 0}

    def remaining():
        ticks["n"] += 1
        return 900.0 if ticks["n"] < 8 else 5.0  # below the 60 s safety margin after a few tasks

    with clock.freeze("2026-11-20T02:00:00+08:00"):
        results = selection_job.run_scheduled(date(2026, 11, 20), remaining=remaining)
    assert [r.status for r in results] == ["partial"]
    assert selection_job.watermark() is None and store.get_run(D)["status"] == "partial"
    assert len(all_task_ids()) < n
    with clock.freeze("2026-11-20T02:20:00+08:00"):
        results = selection_job.run_scheduled(date(2026, 11, 20))
    assert [r.status for r in results] == ["completed"] and selection_job.watermark() == D
    assert_books_balance(n)


def test_watermark_catches_up_missed_dates_in_order():
    selection_job.advance_watermark(D - timedelta(days=3))
    feed(
        opened("ac-a", on=str(D - timedelta(days=2))),
        opened("ac-b", on=str(D - timedelta(days=1)), n=2),
        opened("ac-c", on=str(D), n=3),
    )
    with clock.freeze("2026-11-20T02:00:00+08:00"):
        results = selection_job.run_scheduled(date(2026, 11, 20))
    assert [r.business_date for r in results] == ["2026-11-17", "2026-11-18", "2026-11-19"]
    assert selection_job.watermark() == D
    assert task("new_account", "ac-a", "2026-11-17") and task("new_account", "ac-c", str(D))
    with clock.freeze("2026-11-20T02:05:00+08:00"):
        assert selection_job.run_scheduled(date(2026, 11, 20)) == []


def test_a_deployed_table_resumes_from_the_watermark_the_selection_kept_before_the_shared_one():
    """Before issue 17 §5 the selection kept its position on its own item (`business_date`): the first run
    after the upgrade catches up from there, and from then on the shared watermark (job "selection") moves."""
    store.advance_watermark(D - timedelta(days=2), "2026-11-18T02:00:05+08:00")
    feed(opened("ac-a", on=str(D - timedelta(days=1))), opened("ac-b", on=str(D), n=2))
    assert selection_job.watermark() == D - timedelta(days=2)
    with clock.freeze("2026-11-20T02:00:00+08:00"):
        results = selection_job.run_scheduled(date(2026, 11, 20))
    assert [r.business_date for r in results] == ["2026-11-18", "2026-11-19"]
    assert selection_job.watermark() == D
    assert base.get_item(**keys.job_watermark("selection"), consistent=True)["value"] == str(D)
    assert store.get_watermark() == D - timedelta(days=2)  # the earlier item is only read, never written


def test_dry_run_counts_and_writes_nothing():
    n = candidates_of_every_kind()
    counter = WriteCounter()
    result = run(dry_run=True)
    assert result.mode == "dry_run" and result.totals()["created"] == n
    assert counter.writes == [] and all_task_ids() == set()


# --- the scheduled handler and the operator runner -------------------------------------------------------
def test_the_0200_schedule_selects_yesterday(monkeypatch):
    from chalice.test import Client

    from app import app

    monkeypatch.setenv("FIELDDESK_SELECTION_STOP_MARGIN_SECONDS", "0")
    reset_settings()
    feed(opened("ac-1"))
    with clock.freeze("2026-11-20T02:00:00+08:00"), Client(app) as client:
        event = client.events.generate_cw_event(
            source="aws.events", detail_type="Scheduled Event", detail={}, resources=[]
        )
        out = client.lambda_.invoke("daily_callback_selection", event).payload
    assert out["runs"][0]["business_date"] == "2026-11-19" and out["runs"][0]["created"] == 1
    assert task("new_account", "ac-1", str(D)) is not None


def test_schedule_is_0200_shanghai():
    from app import app

    cron = app.event_sources[[e.name for e in app.event_sources].index("daily_callback_selection")]
    assert (cron.schedule_expression.minutes, cron.schedule_expression.hours) == (0, 18)


def test_operator_runner_prints_counts_per_trigger(capsys):
    from schedules.__main__ import main

    candidates_of_every_kind()
    with clock.freeze("2026-11-21T09:00:00+08:00"):
        assert main(["run", "callbacks", "--date", "2026-11-19", "--dry-run"]) == 0
        out = capsys.readouterr().out
        assert "DRY RUN" in out and "new_account" in out and "candidates" in out and "capped" in out
        assert all_task_ids() == set()
        assert main(["run", "callbacks", "--date", "2026-11-19"]) == 0
        first = capsys.readouterr().out
        assert main(["run", "callbacks", "--date", "2026-11-19"]) == 0
        again = capsys.readouterr().out
    assert "mode=first" in first and "mode=resume" in again
    total = [line for line in again.splitlines() if line.startswith("total")][0].split()
    assert total[2] == "0" and total[3] == "0"  # the finished index triggers are not read again
    assert main(["list"]) == 0 and "callbacks" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["run", "callbacks", "--date", "2026-13-01"])


def test_demo_accounts_give_tonights_job_something_to_select():
    from infra.demo.accounts import seed as seed_accounts

    with clock.freeze("2026-11-20T09:00:00+08:00"):
        seed_accounts()
        seed_accounts()  # re-seeding is harmless: every event is a duplicate
    result = run()
    created = {t: c["created"] for t, c in result.counts.items()}
    assert created == {
        "large_outflow": 1,
        "closed_account": 1,
        "transferred_out": 0,
        "new_account": 2,
        "departed_manager": 0,
        "dormant": 2,
        "periodic": 1,
        "sample": 0,
    }
