"""The manager's leave and month-end declaration forms (issue 19 §6, §7) in Debian's Chromium, 360 px wide."""

from __future__ import annotations

import datetime
import random

from playwright.sync_api import expect

from tests.e2e.conftest import require_route, sign_in


def a_future_weekday() -> str:
    """A working day far enough ahead that reruns against one stack rarely meet their own leave."""
    day = datetime.date.today() + datetime.timedelta(days=random.randint(60, 700))
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    return day.isoformat()


def test_a_manager_asks_for_leave_sees_it_pending_and_withdraws_it(phone, stack):
    require_route("POST", "/v1/leave")
    page = phone()
    sign_in(page, stack, "cm-002")
    expect(page.locator("nav.menu a[href='#/leave']")).to_have_text("请假")
    page.click("nav.menu a[href='#/leave']")
    page.wait_for_selector("#leave-form")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    # Today is not in advance (000 第四条 "须提前"): the first day is marked, in Chinese.
    today = datetime.date.today().isoformat()
    page.fill("#f-start_date", today)
    page.fill("#f-end_date", today)
    page.fill("#f-reason", "家中有事")
    page.click("#leave-form button[type=submit]")
    expect(page.locator("[data-field=start_date] .field-error")).to_contain_text("须提前")
    day = a_future_weekday()
    page.fill("#f-start_date", day)
    page.fill("#f-end_date", day)
    page.select_option("#f-half_day", "pm")
    page.select_option("#f-kind", "sick")
    page.fill("#f-reason", "看病")
    page.click("#leave-form button[type=submit]")
    card = page.locator(f"#leave-list [data-status=pending]:has-text('{day}')")
    expect(card).to_have_count(1)
    expect(card).to_contain_text("下午")
    expect(card).to_contain_text("待审批")
    mine = [i for i in stack.items("/v1/leave?limit=100", "cm-002") if i["start_date"] == day]
    assert [(i["half_day"], i["kind"], i["days"], i["status"]) for i in mine] == [("pm", "sick", "0.5", "pending")]
    card.locator("[data-withdraw]").click()
    expect(page.locator(f"#leave-list [data-leave='{mine[0]['leave_id']}']")).to_have_attribute(
        "data-status", "withdrawn"
    )
    page.click("#lang")
    expect(page.locator("h1")).to_have_text("Leave")


def test_a_manager_declares_the_months_accounts_and_a_bad_number_is_marked(phone, stack):
    require_route("POST", "/v1/declarations")
    page = phone()
    sign_in(page, stack, "cm-001")
    page.click("nav.menu a[href='#/declarations']")
    page.wait_for_selector("#declaration-form")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.fill("#f-account_ids", "E2E001, E2E#02")
    page.click("#declaration-form button[type=submit]")
    expect(page.locator("[data-field=account_ids] .field-error")).to_be_visible()
    expect(page.locator("#declaration-form .status")).to_have_attribute("data-state", "failed")
    page.fill("#f-account_ids", "E2E001\nE2E002")
    page.click("#declaration-form button[type=submit]")
    expect(page.locator("#declaration-form .status")).to_have_attribute("data-state", "sent")
    expect(page.locator("#declared-list [data-account]")).to_have_count(2)
    # Not accounts of the branch: shown as not found, without saying whose they might be.
    expect(page.locator("#declared-list [data-account=E2E002]")).to_have_attribute("data-found", "no")
    month = datetime.date.today().isoformat()[:7]
    (mine,) = stack.items(f"/v1/declarations?month={month}", "cm-001")
    assert mine["account_ids"] == ["E2E001", "E2E002"]
    # Reopened, the page shows the month's list to edit.
    page.reload()
    page.wait_for_selector("#declared-list")
    expect(page.locator("#f-account_ids")).to_have_value("E2E001\nE2E002")
