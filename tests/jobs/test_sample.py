"""The regulator's 10% sample (CSRC 2010: at least 10% of last year-end's clients, excluding
dormant and suspended, called back each year), planned day by day by the selection job."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from chalicelib import clock
from chalicelib.domain import sample, selection_job
from chalicelib.storage import base, keys
from chalicelib.storage.callback_work import get_year_end
from tests.conftest import seeded
from tests.factories.accounts import closed, feed, opened, trade
from tests.factories.tasks import make_task

D = date(2026, 11, 19)  # a Thursday; 30 working days are left in 2026 from here (Dec 31 included)
CLIENTS = [f"ac-y{i:02d}" for i in range(20)]


@pytest.fixture(autouse=True)
def book(directory, monkeypatch):
    from chalicelib.config import reset_settings

    # One shard: the snapshot reads every day's activity bucket since mid-2025 (fewer queries on moto).
    monkeypatch.setenv("FIELDDESK_SELECTION_SHARDS", "1")
    reset_settings()
    seeded("sample-book@2026-11-18T20:00+08:00,1-shard", feed_book)  # fed once per worker (~2.7 s)
    yield


def feed_book() -> None:
    with clock.freeze("2026-11-18T20:00:00+08:00"):
        events = []
        for n, a in enumerate(CLIENTS, start=1):
            events += [opened(a, on="2025-03-03", n=n), trade(a, "2025-12-20"), trade(a, "2026-11-10")]
        # Outside the denominator: opened in 2026, dormant at the year-end, closed before it.
        events += [
            opened("ac-new2026", on="2026-02-02", n=50),
            trade("ac-new2026", "2026-11-10"),
            opened("ac-dormant", on="2024-01-02", n=51),
            trade("ac-dormant", "2025-03-01"),
            opened("ac-closed", on="2024-01-02", n=52),
            closed("ac-closed", on="2025-10-10"),
        ]
        feed(*events)


def run(day: date = D, **kw):
    with clock.freeze(f"{day + timedelta(days=1)}T02:00:00+08:00"):
        return selection_job.run_date(day, **kw)


def sampled(day: date = D) -> set[str]:
    found = base.query_all(f"BRANCH#br-pudong#TASKS#{day:%Y-%m}", index="gsi2", sk_begins=f"{day}#sample.")
    return {t["account_id"] for t in found}


def test_the_denominator_is_a_snapshot_of_last_year_ends_open_not_dormant_clients():
    run()
    year_end = get_year_end("br-pudong", 2025)
    assert year_end["clients"] == 20 and year_end["source"] == "snapshot"
    assert sample.plan("br-pudong", D)["target"] == 2  # ceil(10% of 20)


def test_each_working_day_picks_an_even_slice_and_a_rerun_picks_the_same_clients():
    first = run()
    picked = sampled()
    assert len(picked) == 1 and picked <= set(CLIENTS)  # ceil(2 / 30 working days left)
    assert first.counts["sample"]["created"] == 1
    again = run()
    assert sampled() == picked and again.counts["sample"]["created"] == 0
    task = base.get_item(**keys.callback_task(f"sample.{next(iter(picked))}.2026"))
    assert task["due_on"] == "2026-12-03"  # 10 working days (deadline_sample)


def test_a_weekend_picks_nobody_and_falling_behind_is_caught_up():
    assert run(date(2026, 11, 21)).counts["sample"]["candidates"] == 0  # a Saturday
    late = date(2026, 12, 31)  # the year's last working day, nothing picked yet
    run(late)
    assert len(sampled(late)) == 2  # the whole remaining target at once


def test_the_same_client_is_never_sampled_twice_in_a_year_nor_past_the_quarterly_cap():
    run()
    first = sampled()
    # Every other client already had two callbacks this quarter (their tasks: the cap counts tasks, issue 18),
    # neither counting toward the sample's coverage: the sample holds back from them.
    for a in CLIENTS:
        if a not in first:
            make_task("new_account", a, business_date="2026-10-09")
            make_task("large_outflow", a, business_date="2026-11-02")
    result = run(date(2026, 12, 31))
    assert sampled(date(2026, 12, 31)) == set()
    skipped = result.counts["sample"]["skipped"]
    # (a periodic callback made earlier in the same run counts as this year's callback)
    assert skipped["capped"] + skipped.get("sample_called_back_this_year", 0) == 19 and skipped["capped"] >= 17


def test_the_snapshot_can_be_recomputed_by_an_operator():
    run()
    with clock.freeze("2026-11-20T09:00:00+08:00"):
        assert sample.take_snapshot(2025, by="adm-001")["br-pudong"] == 20
    assert get_year_end("br-pudong", 2025)["computed_by"] == "adm-001"
