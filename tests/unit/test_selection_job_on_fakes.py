"""The daily selection's rules run on the in-memory fakes of its ports (issue 17 §2: fast, no table).

The same job code as tests/jobs/test_selection*.py (which run it end to end on moto from the account feed);
here each port is the fake the contract suites hold to the table's behaviour
(tests/contract/test_selection_repository.py, test_sample_repository.py, test_job_watermarks.py)."""

from __future__ import annotations

import threading
import time
from datetime import date, timedelta

import pytest

from chalicelib import clock
from chalicelib.config import reset_settings
from chalicelib.domain import selection as selection_rules
from chalicelib.domain import selection_fanout, selection_job, selection_run
from chalicelib.domain.sample_ports import SAMPLE
from chalicelib.domain.selection_ports import SELECTION, SELECTION_JOB, SELECTION_RUNS, TaskWrite
from chalicelib.domain.watermark_ports import WATERMARKS
from chalicelib.errors import TooManyRequests, Unavailable
from chalicelib.models.tasks import TaskRecord
from chalicelib.storage.memory.sample import MemorySample
from chalicelib.storage.memory.selection import MemorySelection
from chalicelib.storage.memory.selection_runs import MemorySelectionRuns
from chalicelib.storage.memory.watermarks import MemoryJobWatermarks

D = date(2026, 11, 19)  # a Thursday
BRANCH = "br-fake"


class Fakes:
    def __init__(self) -> None:
        self.selection = MemorySelection(page_size=3)
        self.runs = MemorySelectionRuns()
        self.sample = MemorySample(self.selection)
        self.marks = MemoryJobWatermarks()


@pytest.fixture
def fakes(monkeypatch):
    monkeypatch.setenv("FIELDDESK_SAMPLE_SELECTION", "false")
    monkeypatch.setenv("FIELDDESK_SELECTION_RETRY_BASE_SECONDS", "0.001")
    monkeypatch.setenv("FIELDDESK_SELECTION_RETRY_MAX_DELAY_SECONDS", "0.01")
    reset_settings()
    f = Fakes()
    with (
        SELECTION.override(f.selection),
        SELECTION_RUNS.override(f.runs),
        SAMPLE.override(f.sample),
        WATERMARKS.override(f.marks),
    ):
        for agent in ("cba-f1", "cba-f2"):
            f.selection.put_staff(agent_record(agent))
        f.selection.put_staff({**agent_record("cm-f1"), "role": "client_manager"})
        yield f


def agent_record(staff_id: str) -> dict:
    return {"staff_id": staff_id, "name": staff_id, "role": "callback_agent", "branch_id": BRANCH, "status": "active"}


def new_account(f: Fakes, account_id: str, on: date = D, manager: str = "cm-f1") -> None:
    snapshot = {
        "account_id": account_id,
        "branch_id": BRANCH,
        "serving_manager_id": manager,
        "client_name": "张三丰",
        "status": "open",
        "tier": "ordinary",
        "opened_on": str(on),
        "channel": "counter",
    }
    f.selection.put_account(snapshot)
    f.selection.put_inbox(
        {
            "account_id": account_id,
            "trigger": "new_account",
            "episode": str(on),
            "event_on": str(on),
            "account": snapshot,
        }
    )


def dormant_account(f: Fakes, account_id: str) -> None:
    """An open account whose last activity (its opening, never traded) was exactly the default
    dormant_days (180) before D: a dormant candidate of D."""
    f.selection.put_account(
        {
            "account_id": account_id,
            "branch_id": BRANCH,
            "serving_manager_id": "cm-f1",
            "client_name": "李四",
            "status": "open",
            "tier": "monthly",
            "opened_on": str(D - timedelta(days=180)),
            "channel": "counter",
        }
    )


def run(day: date = D, **kw) -> selection_job.RunResult:
    with clock.freeze(f"{day + timedelta(days=1)}T02:00:00+08:00"):
        return selection_job.run_date(day, **kw)


def test_a_first_run_creates_each_task_once_spread_over_the_agents_and_a_rerun_writes_nothing(fakes):
    for i in range(6):
        new_account(fakes, f"ac-f{i}")
    first = run()
    assert (first.mode, first.status, first.totals()["created"]) == ("first", "completed", 6)
    tasks = [fakes.selection.task(f"new_account.ac-f{i}.{D}") for i in range(6)]
    assert all(t is not None for t in tasks)
    holders = [t["assignee_id"] for t in tasks]
    assert holders.count("cba-f1") == holders.count("cba-f2") == 3  # least loaded; never the manager cm-f1
    assert (fakes.selection.load("cba-f1"), fakes.selection.load("cba-f2")) == (3, 3)  # added once, at the end
    assert list(fakes.selection.inbox_pages(D, lambda fn, *a, **k: fn(*a, **k))) == []  # consumed with the tasks
    assert fakes.runs.get_run(D)["status"] == "completed"
    again = run()
    assert (again.mode, again.totals()["created"], again.totals()["existing"]) == ("resume", 0, 0)
    assert (fakes.selection.load("cba-f1"), fakes.selection.load("cba-f2")) == (3, 3)


def test_a_rerun_after_a_crash_creates_only_what_is_missing(fakes, monkeypatch):
    for i in range(5):
        new_account(fakes, f"ac-c{i}")
    real = fakes.selection.create_task
    made = {"n": 0}

    def crashing(record, *args, **kwargs):
        if made["n"] == 3:
            raise RuntimeError("the invocation died")
        made["n"] += 1
        return real(record, *args, **kwargs)

    monkeypatch.setattr(fakes.selection, "create_task", crashing)
    with pytest.raises(RuntimeError):
        run()
    assert fakes.runs.get_run(D)["status"] == "running" and len(fakes.selection.tasks) == 3
    monkeypatch.setattr(fakes.selection, "create_task", real)
    resumed = run()
    assert (resumed.mode, resumed.status, resumed.totals()["created"]) == ("resume", "completed", 2)
    assert len(fakes.selection.tasks) == 5


def test_throttled_task_writes_are_retried_within_the_budget(fakes, monkeypatch):
    for i in range(4):
        new_account(fakes, f"ac-t{i}")
    real, refused = fakes.selection.create_task, {"n": 0}

    def throttled(*args, **kwargs):
        if refused["n"] < 5:
            refused["n"] += 1
            raise TooManyRequests("throttled")
        return real(*args, **kwargs)

    monkeypatch.setattr(fakes.selection, "create_task", throttled)
    result = run()
    assert (result.status, result.totals()["created"], len(fakes.selection.tasks)) == ("completed", 4, 4)


def test_a_task_write_whose_answer_was_lost_is_sent_again_as_it_was_and_counted_once(fakes, monkeypatch):
    """Unavailable (botocore's retries spent on a 5xx or a timeout): the put may have landed. The job
    sends the same record with the same token, so the table answers "created", not "exists", and the task's
    agent is counted; a throttle (refused whole) is a new try, with a new token."""
    for i in range(4):
        new_account(fakes, f"ac-u{i}")
    real, sends = fakes.selection.create_task, []

    def landed_then_lost(record, *args, token="", **kwargs):
        sends.append((record.task_id, record.assignee_id, token))
        answer = real(record, *args, token=token, **kwargs)
        if sends.count((record.task_id, record.assignee_id, token)) == 1:
            raise Unavailable("the database did not answer")  # landed, its answer lost
        return answer

    monkeypatch.setattr(fakes.selection, "create_task", landed_then_lost)
    result = run()
    assert (result.status, result.totals()["created"], result.totals()["existing"]) == ("completed", 4, 0)
    assert len(sends) == 8 and len(set(sends)) == 4  # each sent twice, the same agent and token
    assert sum(fakes.selection.load(a) for a in ("cba-f1", "cba-f2")) == 4


def test_a_phase_whose_tasks_were_cut_off_by_the_deadline_after_its_pages_went_out_is_not_done(fakes, monkeypatch):
    """Phases do not wait for each other's writes, so a trigger can have every page submitted and still have
    tasks skipped when time runs out. Such a trigger is not recorded done: the next run reads it again
    and creates the rest (a done trigger would be skipped by every later run, its tasks never created)."""
    accounts = [f"ac-z{i}" for i in range(6)]
    for a in accounts:
        dormant_account(fakes, a)
    submitted = threading.Event()  # the main thread has submitted every dormant page
    real_periodic = fakes.selection.periodic_due

    def periodic_due(*args, **kwargs):
        submitted.set()  # the run reached the next phase: the dormant pages all went out
        return real_periodic(*args, **kwargs)

    def remaining() -> float:
        if threading.current_thread() is threading.main_thread():
            return 30.0 if submitted.is_set() else 900.0
        submitted.wait(timeout=5)  # a worker's task starts only once its phase is submitted; then it is late
        return 30.0  # below the 60 s margin

    monkeypatch.setattr(fakes.selection, "periodic_due", periodic_due)
    cut = run(remaining=remaining)
    assert (cut.status, cut.reason, cut.totals()["created"]) == ("partial", "out_of_time", 0)
    assert "dormant" not in fakes.runs.get_run(D).get("done_triggers", [])
    monkeypatch.setattr(fakes.selection, "periodic_due", real_periodic)
    resumed = run()
    assert (resumed.status, resumed.counts["dormant"]["created"]) == ("completed", 6)
    assert sorted(t["account_id"] for t in fakes.selection.tasks.values() if t["trigger"] == "dormant") == accounts


def test_the_sample_is_read_only_once_every_earlier_write_has_landed(fakes, monkeypatch):
    """Rule 001 caps callbacks at 2 per client per quarter, counting every callback, and only the
    sampled ones are held back. Phases overlap their writes, except here: the sample's cap counts the
    client's tasks, so the earlier phases' tasks must be written first."""
    for i in range(4):
        dormant_account(fakes, f"ac-s{i}")
    real, seen = fakes.selection.create_task, []

    def slow(*args, **kwargs):
        time.sleep(0.2)  # still in flight when the run reaches the sample, unless it waits for it
        return real(*args, **kwargs)

    real_pages = selection_run._Run.candidate_pages

    def candidate_pages(job, trigger):
        if trigger == "sample":
            seen.append((sum(map(len, job.in_flight)), len(fakes.selection.tasks)))
        return real_pages(job, trigger)

    monkeypatch.setattr(fakes.selection, "create_task", slow)
    monkeypatch.setattr(selection_run._Run, "candidate_pages", candidate_pages)
    result = run()
    assert result.status == "completed" and result.counts["dormant"]["created"] == 4
    assert seen == [(0, len(fakes.selection.tasks))]  # nothing in flight: every earlier task written


def october_callback(f: Fakes, account_id: str) -> None:
    """A periodic callback of the quarter (October), written before the run."""
    october = {
        "task_id": f"periodic.{account_id}.2026-10-05",
        "trigger": "periodic",
        "episode": "2026-10-05",
        "account_id": account_id,
        "branch_id": BRANCH,
        "business_date": date(2026, 10, 5),
        "created_at": "2026-10-06T02:00:00+08:00",
        "due_on": date(2026, 10, 30),
        "due_at": "2026-10-30T23:59:59+08:00",
    }
    assert f.selection.create_task(TaskRecord.model_validate(october), token="oct") is TaskWrite.created


def lagging_index(f: Fakes):
    """account_tasks_since as an index that has not caught up with this run's writes: the run counts its own."""
    real_since = f.selection.account_tasks_since

    def lagging(account_ids, since):
        found = real_since(account_ids, since)
        return {a: [t for t in ts if t["created_at"] < "2026-11-20"] for a, ts in found.items()}

    return lagging


def sample_of(f: Fakes, *account_ids: str):
    """The sample phase's candidate pages: these clients, as the year-end draw would pick them."""

    def sample_pages(day, dry_run, counts):
        yield [selection_rules.sample(f.selection.accounts([a])[a], day) for a in account_ids]

    return sample_pages


def test_a_sampled_client_with_the_quarters_callbacks_is_held_back_though_the_index_lags_behind_the_run(
    fakes, monkeypatch
):
    """001: "在客户抽样方面，每季度对同一客户回访次数不应超过两次". The client had a periodic callback in
    October and gets a dormant one from this very run: two this quarter, so the sample holds back. The
    account's task index is eventually consistent and does not show the dormant task yet; the run counts
    what it created itself. A client with only the October callback is still sampled."""
    for account_id in ("ac-q1", "ac-q2"):
        dormant_account(fakes, account_id)
        october_callback(fakes, account_id)
    fakes.selection.account_items["ac-q2"]["opened_on"] = "2026-01-05"  # not dormant on D: no task this run
    monkeypatch.setattr(fakes.selection, "account_tasks_since", lagging_index(fakes))
    monkeypatch.setattr(selection_run.sample, "candidate_pages", sample_of(fakes, "ac-q1", "ac-q2"))
    result = run()
    assert result.counts["dormant"]["created"] == 1
    assert (result.counts["sample"]["capped"], result.counts["sample"]["created"]) == (1, 1)
    assert "sample.ac-q1.2026" not in fakes.selection.tasks and "sample.ac-q2.2026" in fakes.selection.tasks


def test_a_dormant_task_throttled_and_sent_again_late_still_counts_against_the_sampled_clients_cap(fakes, monkeypatch):
    """001: "每季度对同一客户回访次数不应超过两次". The client's dormant task of this run is throttled and
    re-queued (issue 18), and its second try lands only after the other phases are done: the sample must
    wait for it too, and count it with October's, so the client is not sampled (a third callback)."""
    dormant_account(fakes, "ac-r1")
    october_callback(fakes, "ac-r1")
    real_create, tries = fakes.selection.create_task, []

    def throttled_then_slow(record, *args, **kwargs):
        tries.append(record.trigger)
        if len(tries) == 1:
            raise TooManyRequests("throttled")
        time.sleep(0.3)  # the second try is still in flight when the sample phase starts, unless it waits
        return real_create(record, *args, **kwargs)

    monkeypatch.setattr(fakes.selection, "create_task", throttled_then_slow)
    monkeypatch.setattr(fakes.selection, "account_tasks_since", lagging_index(fakes))
    monkeypatch.setattr(selection_run.sample, "candidate_pages", sample_of(fakes, "ac-r1"))
    result = run()
    assert tries == ["dormant", "dormant"]
    assert result.counts["dormant"]["created"] == 1
    assert (result.counts["sample"]["capped"], result.counts["sample"]["created"]) == (1, 0)
    assert "sample.ac-r1.2026" not in fakes.selection.tasks


def test_inbox_entries_are_consumed_after_their_tasks_and_a_busy_consume_is_retried(fakes):
    """Each entry leaves the inbox once its task exists, a hundred to a write; a consume refused because the
    feed held an entry in its transaction wrote nothing and is sent again."""
    for i in range(5):
        new_account(fakes, f"ac-c{i}")
    fakes.selection.busy_consumes = 2
    result = run()
    assert result.status == "completed" and result.counts["new_account"]["created"] == 5
    assert fakes.selection.busy_consumes == 0  # refused twice, then landed
    assert [e for page in fakes.selection.inbox_pages(D, lambda fn, *a, **k: fn(*a, **k)) for e in page] == []
    assert {e["selected_task"] for e in fakes.selection.inbox.values()} == {
        f"new_account.ac-c{i}.{D}" for i in range(5)
    }


def test_a_task_given_to_an_agent_who_departed_meanwhile_goes_to_the_branch_queue(fakes, monkeypatch):
    new_account(fakes, "ac-d1")
    new_account(fakes, "ac-d2")
    real = fakes.selection.branch_agents

    def then_departs(branch_id):
        agents = real(branch_id)
        fakes.selection.staff["cba-f1"]["status"] = "departed"  # after the run read its agents
        return agents

    monkeypatch.setattr(fakes.selection, "branch_agents", then_departs)
    result = run()
    assert result.status == "completed"
    holders = sorted(str(fakes.selection.task(f"new_account.{a}.{D}").get("assignee_id")) for a in ("ac-d1", "ac-d2"))
    assert holders == ["None", "cba-f2"]
    assert fakes.selection.load("cba-f1") == 0 and fakes.selection.load("cba-f2") == 1


def test_the_schedule_catches_up_missed_dates_and_moves_the_shared_watermark(fakes):
    fakes.marks.set(SELECTION_JOB, str(D - timedelta(days=3)), "x")
    for n in (2, 1, 0):
        new_account(fakes, f"ac-w{n}", on=D - timedelta(days=n))
    with clock.freeze("2026-11-20T02:00:00+08:00"):
        results = selection_job.run_scheduled(date(2026, 11, 20))
    assert [r.business_date for r in results] == ["2026-11-17", "2026-11-18", "2026-11-19"]
    assert [r.status for r in results] == ["completed"] * 3 and selection_job.watermark() == D
    with clock.freeze("2026-11-20T02:05:00+08:00"):
        assert selection_job.run_scheduled(date(2026, 11, 20)) == []


def test_a_failing_date_keeps_the_watermark_before_it_and_the_later_dates_still_run(fakes, monkeypatch):
    fakes.marks.set(SELECTION_JOB, str(D - timedelta(days=2)), "x")
    new_account(fakes, "ac-x1", on=D - timedelta(days=1))
    new_account(fakes, "ac-x2", on=D)
    real = selection_job._Run.run

    def broken_on_the_first(self):
        if self.day == D - timedelta(days=1):
            raise TooManyRequests("the database refused")
        return real(self)

    monkeypatch.setattr(selection_job._Run, "run", broken_on_the_first)
    with clock.freeze("2026-11-20T02:00:00+08:00"):
        results = selection_job.run_scheduled(date(2026, 11, 20))
    assert [r.status for r in results] == ["failed", "completed"]
    assert selection_job.watermark() == D - timedelta(days=2)
    monkeypatch.setattr(selection_job._Run, "run", real)
    with clock.freeze("2026-11-20T03:00:00+08:00"):
        results = selection_job.run_scheduled(date(2026, 11, 20))
    assert [r.status for r in results] == ["completed", "already_completed"] and selection_job.watermark() == D


def test_a_fanned_out_date_completes_with_its_last_shard_and_only_then_moves_the_watermark(fakes, monkeypatch):
    monkeypatch.setenv("FIELDDESK_SELECTION_SHARDS", "2")
    reset_settings()
    fakes.marks.set(SELECTION_JOB, str(D - timedelta(days=1)), "x")
    for i in range(6):
        new_account(fakes, f"ac-s{i}")
    with clock.freeze("2026-11-20T02:00:00+08:00"):
        first = selection_fanout.run_shard(D, 0, remaining=lambda: 900.0)
        assert first.status == "completed" and fakes.runs.get_run(D)["status"] == "running"
        assert selection_job.watermark() == D - timedelta(days=1)
        second = selection_fanout.run_shard(D, 1, remaining=lambda: 900.0)
    assert second.status == "completed" and fakes.runs.get_run(D)["status"] == "completed"
    assert selection_job.watermark() == D
    assert int(fakes.runs.get_run(D)["counts"]["new_account"]["created"]) == 6 == len(fakes.selection.tasks)


def test_agents_whose_load_item_is_held_back_off_alone_and_the_rest_of_the_batch_lands_at_once(fakes, monkeypatch):
    # issue 18: one held LOAD item cancels a whole batch; retried whole behind a growing backoff, a run's end
    # waited ~20 s (bench.replay). DynamoDB names the held item: the others go again at once.
    for agent in ("cba-f3", "cba-f4"):
        fakes.selection.put_staff(agent_record(agent))
    for i in range(8):
        new_account(fakes, f"ac-h{i}")
    fakes.selection.held_loads["cba-f2"] = 3  # three adds touching cba-f2 refused, then it is free
    batches: list[list[str]] = []
    real = fakes.selection.add_loads_once

    def recorded(deltas, fence, mark):
        batches.append(sorted(deltas))
        return real(deltas, fence, mark)

    monkeypatch.setattr(fakes.selection, "add_loads_once", recorded)
    result = run()
    assert (result.status, result.totals()["created"]) == ("completed", 8)
    assert batches[0] == ["cba-f1", "cba-f2", "cba-f3", "cba-f4"]  # one batch, refused for cba-f2
    assert batches[1] == ["cba-f1", "cba-f3", "cba-f4"]  # the others at once, without cba-f2
    assert batches[2:] == [["cba-f2"]] * 3  # cba-f2 alone: refused twice more, then lands
    assert [fakes.selection.load(a) for a in ("cba-f1", "cba-f2", "cba-f3", "cba-f4")] == [2, 2, 2, 2]


def test_pages_stay_in_flight_while_the_next_is_read_and_every_write_lands_before_the_agents_are_counted(
    fakes, monkeypatch
):
    # issue 18: the run waited for each page's last write before reading the next page (workers idle behind
    # one throttled write's backoff). Here the first page's writes wait until the second page has been read:
    # a run that waits for them first would wait out the 5 s and the test fails.
    monkeypatch.setattr(selection_run, "TASKS_IN_FLIGHT", 4)
    for i in range(20):  # 7 pages of 3 (page_size=3)
        new_account(fakes, f"ac-p{i}")
    second_page_read, waited_out = threading.Event(), []
    real_pages, real_create = fakes.selection.inbox_pages, fakes.selection.create_task

    def pages(*args, **kwargs):
        for n, page in enumerate(real_pages(*args, **kwargs)):
            if n == 1:
                second_page_read.set()
            yield page

    def create(*args, **kwargs):
        if not second_page_read.wait(5):
            waited_out.append(args[0].task_id)
        return real_create(*args, **kwargs)

    monkeypatch.setattr(fakes.selection, "inbox_pages", pages)
    monkeypatch.setattr(fakes.selection, "create_task", create)
    result = run()
    assert waited_out == []
    assert (result.status, result.totals()["created"], len(fakes.selection.tasks)) == ("completed", 20, 20)
    assert fakes.selection.load("cba-f1") + fakes.selection.load("cba-f2") == 20  # counted after every write


def test_a_throttled_task_goes_behind_the_others_and_does_not_hold_its_worker(fakes, monkeypatch):
    """Issue 18: waiting out a throttled put's backoff on its worker (botocore's 50 ms resend) was 19% of the
    workers' time at 5% throttles. One worker, three tasks, the first one's put throttled once: the worker
    sends the other two before trying it again (a new try: a new token)."""
    monkeypatch.setenv("FIELDDESK_SELECTION_WORKERS", "1")
    reset_settings()
    for i in range(3):
        new_account(fakes, f"ac-q{i}")
    real, sends = fakes.selection.create_task, []

    def first_throttled(record, *args, token="", **kwargs):
        sends.append((record.account_id, token))
        if len(sends) == 1:
            # The run queues the page's three tasks one after another; on a loaded machine its worker can reach
            # this put before the other two are queued, and then nothing is there to go behind.
            time.sleep(0.05)
            raise TooManyRequests("throttled")
        return real(record, *args, token=token, **kwargs)

    monkeypatch.setattr(fakes.selection, "create_task", first_throttled)
    result = run()
    assert (result.status, result.totals()["created"]) == ("completed", 3)
    assert [a for a, _ in sends] == [sends[0][0], *sorted({a for a, _ in sends} - {sends[0][0]}), sends[0][0]]
    assert sends[0][1] != sends[-1][1]


def test_the_job_slows_every_put_down_while_most_are_throttled_and_not_for_a_few(monkeypatch):
    from chalicelib.domain import selection_patience

    class Clock:
        t = 0.0

        def monotonic(self):
            return self.t

        def sleep(self, seconds):
            self.t += seconds

    clock = Clock()
    monkeypatch.setattr(selection_patience, "time", clock)
    pace = selection_patience.SendPace()

    def two_seconds_of_puts(throttled_every: int) -> None:  # each closes one or two windows of its own puts
        for n in range(200):
            clock.t += 0.01
            pace.record(throttled=n % throttled_every == 0)

    two_seconds_of_puts(20)  # 5% throttled: no pause
    assert pace.pause == 0
    two_seconds_of_puts(2)  # half of them: every put waits, longer each such second
    first = pace.pause
    two_seconds_of_puts(2)
    assert 0 < first < pace.pause <= pace.PAUSE_MAX
    before = clock.t
    pace.wait()
    assert clock.t - before == pytest.approx(pace.pause)
    for _ in range(10):  # calm again: the pause halves away to nothing
        two_seconds_of_puts(20)
    assert pace.pause == 0
