"""The daily travel report form (出差日报, 000 第二篇 §1; 004: by 21:00) in a real browser, 360 px wide."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from playwright.sync_api import expect

from tests.e2e.conftest import ARTIFACTS, require_route, sign_in

SHANGHAI = timezone(timedelta(hours=8))


def test_a_travelling_manager_files_the_days_report_once(phone, stack):
    require_route("POST", "/v1/travel-reports")
    today = datetime.now(SHANGHAI).date().isoformat()
    # The supervisor records the travel (approved at once); a rerun on the same stack finds it covered.
    status, body = stack.call(
        "POST",
        "/v1/travel-periods",
        {"manager_id": "cm-001", "start_on": today, "end_on": today, "destination": "苏州", "purpose": "拜访网点客户"},
        as_="sup-001",
    )
    assert status in (201, 409), body
    page = phone()
    sign_in(page, stack, "cm-001")
    page.click("nav.menu a[href='#/travel-reports/new']")
    page.wait_for_selector("#travel-report-form")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scrolling
    page.fill("#f-day", today)
    page.fill("#f-location", "苏州工业园区支行")
    page.fill("#f-met", "王行长、两位意向客户")
    page.click("#travel-report-form button[type=submit]")
    expect(page.locator("[data-field=work] .field-error")).to_be_visible()  # what was done is required
    page.fill("#f-work", "讲解两融业务，约定下周开户")
    page.click("#travel-report-form button[type=submit]")
    state = page.locator("#travel-report-form .status")
    expect(state).to_have_attribute("data-state", "sent")
    expect(state).to_contain_text("汇报")  # on time, or late with its hour
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "travel-report-sent-360.png"), full_page=True)
    [stored] = [r for r in stack.items("/v1/travel-reports", "cm-001") if r["day"] == today]
    assert stored["location"] == "苏州工业园区支行"

    # The same day again: refused, and said in Chinese at the day's field.
    page.fill("#f-day", today)
    page.fill("#f-location", "苏州")
    page.fill("#f-met", "客户")
    page.fill("#f-work", "再次提交")
    page.click("#travel-report-form button[type=submit]")
    expect(state).to_have_attribute("data-state", "failed")
    expect(page.locator("[data-field=day] .field-error")).to_contain_text("已提交")


def test_a_day_without_approved_travel_is_refused_in_chinese(phone, stack):
    require_route("POST", "/v1/travel-reports")
    page = phone()
    sign_in(page, stack, "cm-002")
    page.goto(stack.app + "#/travel-reports/new")
    page.wait_for_selector("#travel-report-form")
    page.fill("#f-location", "杭州")
    page.fill("#f-met", "客户")
    page.fill("#f-work", "拜访")
    page.click("#travel-report-form button[type=submit]")
    expect(page.locator("#travel-report-form .status")).to_have_attribute("data-state", "failed")
    expect(page.locator("[data-field=day] .field-error")).to_contain_text("出差期间")
