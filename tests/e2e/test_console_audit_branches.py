"""Issue 20 §1-§2 in the browser: compliance searches the disclosure audit on the server (person, client,
days), an admin lists and opens branches; each at 1280 px and 360 px, axe clean, refusals shown, errors in
Chinese. Screenshots: <artifacts>/console-audit-branches/."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from playwright.sync_api import expect

from tests.e2e.axe import serious_violations
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.test_console import column, console_url, desk, sign_in  # noqa: F401  (desk: a fixture)

SHOTS = ARTIFACTS / "console-audit-branches"
CN = timezone(timedelta(hours=8))
WIDTHS = (1280, 360)
WAIT = 20000  # ms: the machine is shared; a first page load can take longer than expect's 5 s


def check(page, name: str, width: int) -> None:
    """Screenshot `name` (it carries the width), no sideways scrolling, no serious or critical axe finding."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    page.evaluate("window.scrollTo(0, 0)")  # the sticky header must not sit over what was last clicked
    assert page.evaluate("document.documentElement.scrollWidth") <= width, name
    assert serious_violations(page) == [], name


@pytest.fixture(scope="module")
def revealed(stack) -> str:
    """A demo prospect of cm-001's, revealed once now (so the audit has a record to find)."""
    prospects = stack.items("/v1/prospects?limit=5", "cm-001")
    if not prospects:
        pytest.skip("cm-001 has no demo prospect to reveal")
    pid = prospects[0]["prospect_id"]
    status, body = stack.call(
        "POST",
        f"/v1/prospects/{pid}/reveal",
        {"purpose": "follow_up", "reason": "E2E 审计查询核对号码", "fields": ["phone"]},
        as_="cm-001",
        headers={"Idempotency-Key": "e2e-reveal-" + uuid.uuid4().hex},
    )
    assert status == 200, body
    return pid


@pytest.mark.parametrize("width", WIDTHS)
def test_compliance_searches_the_audit_by_person_client_and_days(desk, stack, revealed, width):  # noqa: F811
    today = datetime.now(CN).date().isoformat()
    query = f"actor_id=cm-001&subject_kind=prospect&subject_id={revealed}&from={today}&to={today}"
    status, api = stack.call("GET", f"/v1/audit/reveals/search?limit=50&{query}", as_="cmp-001")
    assert status == 200 and api["items"], api
    page = desk(width)
    sign_in(page, stack, "cmp-001")
    page.goto(console_url(stack) + f"#/audit?actor=cm-001&kind=prospect&subject={revealed}&from={today}&to={today}")
    expect(page.locator("#audit-table tbody td[data-col='actor_id']")).to_have_count(len(api["items"]), timeout=WAIT)
    assert set(column(page, "#audit-table", "actor_id")) == {"cm-001"}
    assert set(column(page, "#audit-table", "subject_id")) == {revealed}
    check(page, f"audit-search-{width}", width)
    # the form carries the search to the API: another person finds nothing of this client's today
    page.fill("#audit-actor", "cm-nobody")
    page.click("#audit-filter button[type=submit]")
    expect(page).to_have_url(re.compile("actor=cm-nobody"))
    expect(page.locator("#audit-table tbody td[data-col='actor_id']")).to_have_count(0, timeout=WAIT)
    # a bad range is the API's 400, said in Chinese (never its English sentence)
    page.goto(console_url(stack) + "#/audit?from=2026-12-02&to=2026-11-01")
    banner = page.locator("#audit-body .banner")
    expect(banner).to_contain_text("起始日期不能晚于截止日期", timeout=WAIT)
    assert not re.search(r"must not be after", banner.inner_text())
    check(page, f"audit-bad-range-{width}", width)


def test_the_audit_pages_on_with_load_more(desk, stack, revealed):  # noqa: F811
    for i in range(2):
        stack.call(
            "POST",
            f"/v1/prospects/{revealed}/reveal",
            {"purpose": "follow_up", "reason": f"E2E 分页核对号码 {i}", "fields": ["phone"]},
            as_="cm-001",
            headers={"Idempotency-Key": "e2e-reveal-" + uuid.uuid4().hex},
        )
    status, api = stack.call("GET", "/v1/audit/reveals/search?limit=100&actor_id=cm-001", as_="cmp-001")
    assert status == 200 and len(api["items"]) >= 3
    page = desk(1280)
    sign_in(page, stack, "cmp-001")
    page.goto(console_url(stack) + "#/audit?actor=cm-001")
    rows = page.locator("#audit-table tbody td[data-col='actor_id']")
    expect(rows).to_have_count(min(50, len(api["items"])), timeout=WAIT)
    if len(api["items"]) > 50:  # the demo data rarely holds more than a page; then "load more" is shown
        page.click("#audit-more")
        expect(rows).to_have_count(min(100, len(api["items"])), timeout=WAIT)
    else:
        expect(page.locator("#audit-more")).to_have_count(0, timeout=WAIT)


@pytest.mark.parametrize("width", WIDTHS)
def test_an_admin_lists_and_opens_branches(desk, stack, width):  # noqa: F811
    page = desk(width)
    sign_in(page, stack, "adm-001")
    page.goto(console_url(stack) + "#/branches")
    listed = stack.items("/v1/branches?limit=100", "adm-001")
    expect(page.locator("#branch-table tbody td[data-col='branch_id']")).to_have_count(len(listed), timeout=WAIT)
    assert column(page, "#branch-table", "branch_id") == [b["branch_id"] for b in listed]
    assert column(page, "#branch-table", "name") == [b["name"] for b in listed]
    check(page, f"branches-{width}", width)
    new_id = f"br-e2e{width}-{uuid.uuid4().hex[:6]}"
    page.fill("#b-branch_id", new_id)
    page.fill("#b-name", "E2E 测试营业部")
    page.click("#branch-form button[type=submit]")
    expect(page.locator("#branch-status")).to_have_attribute("data-state", "sent", timeout=WAIT)
    expect(page.locator(f"#branch-table tbody td[data-col='branch_id']:text-is('{new_id}')")).to_have_count(
        1, timeout=WAIT
    )
    status, got = stack.call("GET", f"/v1/branches/{new_id}", as_="adm-001")
    assert status == 200 and got["name"] == "E2E 测试营业部"
    # the same id again: the API's 409 branch_exists, in Chinese
    page.fill("#b-branch_id", new_id)
    page.fill("#b-name", "重复")
    page.click("#branch-form button[type=submit]")
    expect(page.locator("#branch-status")).to_have_attribute("data-state", "failed", timeout=WAIT)
    expect(page.locator("#branch-status")).to_contain_text("该营业部编号已存在")
    check(page, f"branches-exists-{width}", width)


@pytest.mark.parametrize(
    "staff_id,at,section", [("sup-001", "#/branches", "#branches"), ("sup-001", "#/audit", "#audit")]
)
def test_what_a_supervisor_may_not_see_is_refused(desk, stack, staff_id, at, section):  # noqa: F811
    page = desk(360)
    sign_in(page, stack, staff_id)
    page.goto(console_url(stack) + at)
    expect(page.locator(f"{section} .refused")).to_have_text("当前角色无权查看此内容（接口已拒绝）。", timeout=WAIT)
    check(page, f"refused-{staff_id}-{at.strip('#/')}", 360)


@pytest.mark.parametrize("width", WIDTHS)
def test_an_admin_publishes_a_calendar_year(desk, stack, width):  # noqa: F811
    page = desk(width)
    sign_in(page, stack, "adm-001")
    page.goto(console_url(stack) + "#/calendar?year=2099")
    page.wait_for_selector("#publish-form", timeout=WAIT)
    # a weekday as a make-up working day: the API's 400, in Chinese with the field's Chinese name
    page.fill("#p-holidays", "2099-01-01, 2099-01-02")
    page.fill("#p-makeup", "2099-01-05")
    page.click("#publish-form button[type=submit]")
    status_box = page.locator("#publish-status")
    expect(status_box).to_have_attribute("data-state", "failed", timeout=WAIT)
    expect(status_box).to_contain_text("调休上班日须为周六或周日")
    assert not re.search(r"[a-z]{4,}", status_box.inner_text()), status_box.inner_text()
    check(page, f"calendar-refused-{width}", width)
    page.fill("#p-makeup", "2099-01-03")
    page.fill("#p-note", "E2E 发布")
    page.click("#publish-form button[type=submit]")
    expect(status_box).to_have_attribute("data-state", "sent", timeout=WAIT)
    status, cal = stack.call("GET", "/v1/calendar/2099", as_="adm-001")
    assert (
        status == 200 and cal["holidays"] == ["2099-01-01", "2099-01-02"] and cal["makeup_workdays"] == ["2099-01-03"]
    )
    expect(status_box).to_contain_text(f"已发布第 {cal['version']} 版")
    expect(page.locator("#holiday-table tbody td[data-col='day']")).to_have_count(2, timeout=WAIT)
    expect(page.locator(f"#version-table tbody td[data-col='version']:text-is('{cal['version']}')")).to_have_count(
        1, timeout=WAIT
    )
    check(page, f"calendar-published-{width}", width)


def test_compliance_reads_the_calendar_but_is_offered_no_publishing(desk, stack):  # noqa: F811
    page = desk(1280)
    sign_in(page, stack, "cmp-001")
    page.goto(console_url(stack) + "#/calendar")
    page.wait_for_selector("#holiday-table", timeout=WAIT)
    expect(page.locator("#publish-form")).to_have_count(0)
    status, _ = stack.call("PUT", "/v1/calendar/2099", {"holidays": [], "makeup_workdays": []}, as_="cmp-001")
    assert status == 403


def test_sign_in_returns_to_the_console_page_the_user_came_from(desk, stack):  # noqa: F811
    page = desk(360)
    page.goto(console_url(stack) + "#/branches")
    page.wait_for_selector("#demo-form", timeout=WAIT)  # not signed in: the shared sign-in form
    page.select_option("#f-staff_id", "adm-001")
    page.click("#demo-form button[type=submit]")
    expect(page).to_have_url(re.compile("#/branches$"), timeout=WAIT)
    page.wait_for_selector("#branch-table", timeout=WAIT)
    # and the phone app, signed in by the same session, is not asked to sign in again
    page.goto(stack.app + "#/outbox")
    page.wait_for_selector("#signout, main h1", timeout=WAIT)
    expect(page.locator("#demo-form")).to_have_count(0)
    check(page, "return-after-sign-in", 360)


def test_a_supervisor_voids_an_open_penalty(desk, stack):  # noqa: F811
    note = "E2E 作废 " + uuid.uuid4().hex[:6]
    status, made = stack.call(
        "POST",
        "/v1/penalties",
        {
            "manager_id": "cm-002",
            "rule_code": "DRESS",
            "breach_date": datetime.now(CN).date().isoformat(),
            "evidence_note": note,
        },
        as_="sup-001",
        headers={"Idempotency-Key": "e2e-pen-" + uuid.uuid4().hex},
    )
    assert status == 201, made
    page = desk(1280)
    sign_in(page, stack, "sup-001")
    page.goto(console_url(stack) + "#/penalties")
    button = page.locator(f"[data-void='{made['penalty_id']}']")
    expect(button).to_have_count(1, timeout=WAIT)
    page.once("dialog", lambda d: d.accept("证据不足，作废"))
    button.click()
    expect(page.locator(f"[data-void='{made['penalty_id']}']")).to_have_count(0, timeout=WAIT)
    status, got = stack.call("GET", f"/v1/penalties/{made['penalty_id']}", as_="sup-001")
    assert status == 200 and got["status"] == "voided", got
    check(page, "penalty-voided-1280", 1280)


def test_an_admin_edits_a_member_and_records_the_departure(desk, stack):  # noqa: F811
    sid = "cm-e2e" + uuid.uuid4().hex[:5]
    status, body = stack.call(
        "POST",
        "/v1/staff",
        {"staff_id": sid, "name": "测试员", "role": "client_manager", "branch_id": "br-pudong"},
        as_="adm-001",
        headers={"Idempotency-Key": "e2e-staff-" + uuid.uuid4().hex},
    )
    assert status == 201, body
    page = desk(360)
    sign_in(page, stack, "adm-001")
    page.goto(console_url(stack) + "#/staff")
    page.click(f"[data-edit='{sid}']", timeout=WAIT)
    page.fill("#e-name", "测试员改名")
    page.click("#edit-form button[type=submit]")
    expect(page.locator("#edit-status")).to_have_attribute("data-state", "sent", timeout=WAIT)
    assert stack.call("GET", f"/v1/staff/{sid}", as_="adm-001")[1]["name"] == "测试员改名"
    check(page, "staff-edited-360", 360)
    # A saved edit reloads the list 1.2 s later (admin.js `again`), closing the panel: wait for the reloaded
    # row before opening it again, or the reload can close the panel under the next click.
    expect(page.locator(f"tr:has([data-edit='{sid}'])")).to_contain_text("测试员改名", timeout=WAIT)
    page.click(f"[data-edit='{sid}']", timeout=WAIT)
    page.click("#depart-form button[type=submit]")  # no date: the API's 400, in Chinese
    expect(page.locator("#edit-status")).to_have_attribute("data-state", "failed", timeout=WAIT)
    assert not re.search(r"required|departed_on", page.locator("#edit-status").inner_text())
    page.fill("#e-departed_on", datetime.now(CN).date().isoformat())
    page.click("#depart-form button[type=submit]")
    expect(page.locator("#edit-status")).to_have_attribute("data-state", "sent", timeout=WAIT)
    got = stack.call("GET", f"/v1/staff/{sid}", as_="adm-001")[1]
    assert got["status"] == "departed" and got["departed_on"] == datetime.now(CN).date().isoformat()
    check(page, "staff-departed-360", 360)
