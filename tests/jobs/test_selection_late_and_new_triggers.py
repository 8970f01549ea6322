"""Selection that never misses a required callback (issue 12): late events, late departures,
the transfer-out trigger, and no periodic callback before an account existed (issue 21)."""

from __future__ import annotations

from datetime import date, timedelta

from chalicelib import clock
from chalicelib.config import reset_settings
from chalicelib.domain import selection_job
from chalicelib.storage import accounts as account_store
from chalicelib.storage import base, keys
from tests.factories.accounts import feed, opened, trade, transfer_out, transferred_out

# The same fixture (demo staff, the sample off) and helpers as the selection job's own tests.
from tests.jobs.test_selection import ADMIN, D, run, staff, task  # noqa: E402,F401 - `staff` is an autouse fixture


def test_a_new_account_posted_after_its_days_run_is_selected_by_the_next_run_and_flagged_late():
    run(D)  # 11-19 ran before the opening of 11-19 was posted
    feed(opened("ac-late"))
    assert task("new_account", "ac-late", str(D)) is None
    result = run(D + timedelta(days=1))  # the next night
    t = task("new_account", "ac-late", str(D))
    assert t["deadline_on"] == "2026-11-20" and t["due_on"] == "2026-11-20"
    assert t["late_arrival"] is True and t["overdue"] is True  # created 11-21 02:00, after its deadline
    assert result.counts["new_account"]["late"] == 1
    assert run(D + timedelta(days=2)).totals()["created"] == 0  # selected once


def test_a_large_outflow_in_a_late_file_still_gets_its_risk_task():
    feed(opened("ac-1", on="2026-10-01"), trade("ac-1", "2026-11-10"))
    run(D)
    feed(transfer_out("ac-1", "600000.00", "900000.00", at="2026-11-18T10:00:00+08:00"))  # two days late
    run(D + timedelta(days=1))
    t = task("large_outflow", "ac-1", "2026-11-18")
    assert t["risk"] is True and t["deadline_on"] == "2026-11-19" and t["late_arrival"] is True


def test_an_event_dated_after_the_run_date_waits_for_its_own_run():
    feed(opened("ac-future", on="2026-11-21"))
    assert run(D).totals()["created"] == 0
    run(date(2026, 11, 21))
    assert task("new_account", "ac-future", "2026-11-21") is not None


def test_a_departure_recorded_with_a_date_before_the_last_run_triggers_its_clients_callbacks():
    from chalicelib.domain import directory
    from chalicelib.models.directory import StaffPatch

    feed(opened("ac-1", on="2026-10-01", manager="cm-002"), trade("ac-1", "2026-11-10"))
    run(D)
    directory.update_staff(ADMIN, "cm-002", StaffPatch(status="departed", departed_on="2026-11-10"))
    result = run(D + timedelta(days=1))
    t = task("departed_manager", "ac-1", "cm-002_2026-11-10")
    assert t["due_on"] == "2026-11-25" and result.counts["departed_manager"]["created"] == 1
    assert "%" not in t["task_id"] and ":" not in t["task_id"]  # issue 21: no encoding needed
    assert run(D + timedelta(days=2)).counts["departed_manager"]["candidates"] == 0  # done once


def test_a_core_clients_transfer_out_is_called_back_that_week_then_monthly():
    """003 第三十一条: 核心客户、重要客户在客户转出当周必须…回访,并每月至少与客户交流一次."""
    feed(
        opened("ac-gold", on="2026-01-05", tier="gold"),
        transferred_out("ac-gold", on="2026-11-18", event_id="t1"),
        opened("ac-plain", on="2026-01-05", n=2),
        transferred_out("ac-plain", on="2026-11-18", event_id="t2"),
    )
    result = run(date(2026, 11, 18))
    t = task("transferred_out", "ac-gold", "2026-11-18")
    assert t["due_on"] == "2026-11-20" and t["priority"] == 1  # that Friday
    assert task("transferred_out", "ac-plain", "2026-11-18") is None  # an ordinary client: no trigger
    assert result.counts["transferred_out"]["created"] == 1
    account = account_store.get_account("ac-gold")
    # Gold is called every 14 days already, more often than monthly: it keeps its cycle.
    assert account["monthly_contact"] is True and account_store.periodic_tier(account) == "gold"


def test_after_a_transfer_out_a_client_whose_tier_is_called_less_than_monthly_goes_monthly(monkeypatch):
    monkeypatch.setenv("FIELDDESK_PERIODIC_SILVER_DAYS", "60")
    reset_settings()
    feed(opened("ac-s", on="2026-01-05", tier="silver"))
    assert base.get_item(**keys.account("ac-s"))["gsi6pk"].startswith("PERIODIC#silver#")
    feed(transferred_out("ac-s", on="2026-11-18"))
    assert base.get_item(**keys.account("ac-s"))["gsi6pk"].startswith("PERIODIC#monthly#")


def test_no_periodic_callback_dated_before_the_account_existed():
    """Issue 21: an account opened 2026-12-02 got a periodic task with business date 2026-11-27."""
    day = date(2026, 11, 27)
    account_id = next(
        f"ac-g{i}"
        for i in range(10000)
        if account_store.periodic_phase(f"ac-g{i}", 14) == account_store.periodic_bucket(day, 14)
    )
    feed(opened(account_id, on="2026-12-02", tier="gold"))
    with clock.freeze("2026-12-03T02:00:00+08:00"):  # a catch-up run of 11-27 after the opening
        result = selection_job.run_date(day)
    assert task("periodic", account_id, str(day)) is None
    assert result.counts["periodic"]["skipped"] == {"first_period_not_over": 1}
    # 12-11 is the account's next slot, still inside its first 14 days: skipped too; 12-25 is the first.
    for later, expected in ((date(2026, 12, 11), None), (date(2026, 12, 25), "periodic")):
        run(later)
        found = task("periodic", account_id, str(later))
        assert (found or {}).get("trigger") == expected


def test_compliance_sees_each_clients_callbacks_per_quarter(api):
    feed(opened("ac-q", on=str(D)))
    run(D)
    status, body = api.get("/v1/accounts/ac-q/callback-quarters?year=2026", as_="cmp-001")
    assert status == 200 and body["cap_per_quarter"] == 2
    q4 = body["quarters"][3]
    assert q4["quarter"] == "2026Q4" and q4["callbacks"] == 1 and q4["task_ids"] == [f"new_account.ac-q.{D}"]
    assert api.get("/v1/accounts/ac-q/callback-quarters?year=2026", as_="cba-001")[0] == 403
    assert api.get("/v1/accounts/nope/callback-quarters?year=2026", as_="cmp-001")[0] == 404
    status, err = api.get("/v1/accounts/ac-q/callback-quarters?year=99", as_="cmp-001")
    assert status == 400 and err["error"]["details"][0]["field"] == "query.year"
