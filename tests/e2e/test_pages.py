"""Issue 20 §3 in the browser: every phone page at 360 px with no serious axe finding, server refusals in
Chinese, "load more", masked phones, the outcome form's reveal and problem item, the offline photo cap."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from playwright.sync_api import expect

from tests.e2e.axe import serious_violations
from tests.e2e.conftest import ARTIFACTS, sign_in

SHOTS = ARTIFACTS / "pages"
MASKED = re.compile(r"1\d\d\*{4}\d{4}")
# A run of Latin words: what an English server sentence looks like inside the Chinese interface.
ENGLISH = re.compile(r"[A-Za-z]{3,}(?: [A-Za-z]{2,}){2,}")

# Each page, and what shows it has rendered (a hash change keeps the previous page until then).
PAGES = {
    "cm-001": {
        "#/": "nav.menu",
        "#/visits/new": "#visit-form",
        "#/visits": "#visit-list",
        "#/prospects/new": "#prospect-form",
        "#/prospects": "#prospect-list",
        "#/complaints/new": "#complaint-form",
        "#/travel-reports/new": "#travel-report-form",
        "#/leave": "#leave-form",
        "#/declarations": "#declaration-form",
        "#/outbox": "#outbox-list",
    },
    "cba-001": {"#/": "nav.menu", "#/tasks": "#task-list"},
}


def check_page(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}-360.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, name  # no sideways scrolling
    assert serious_violations(page) == [], name


@pytest.mark.parametrize("staff_id", sorted(PAGES))
def test_every_page_loads_at_360_px_without_serious_axe_findings(phone, stack, staff_id):
    page = phone()
    sign_in(page, stack, staff_id)
    for at, shown in PAGES[staff_id].items():
        page.goto(stack.app + at)
        expect(page.locator(shown)).to_have_count(1)  # an empty list has no height, but it is there
        page.wait_for_load_state("networkidle")
        check_page(page, staff_id + "-" + (at.strip("#/").replace("/", "-") or "home"))
    # The language switch: its accessible name starts with what it shows; the English page is clean too.
    page.click("#lang")
    expect(page.locator("#lang")).to_have_text("中文")
    expect(page.locator("main h1")).not_to_contain_text(re.compile("[\u4e00-\u9fff]{4}"))  # re-rendered in English
    assert page.get_attribute("#lang", "aria-label").startswith("中文")
    page.wait_for_load_state("networkidle")
    check_page(page, staff_id + "-en")


def test_the_task_page_has_no_serious_axe_findings_and_its_cards_show_masked_phones(phone, stack):
    page = phone()
    sign_in(page, stack, "cba-001")
    page.goto(stack.app + "#/tasks")
    cards = page.locator("#task-list .card.task")
    expect(cards.first).to_be_visible()
    demo = page.locator("#task-list .card.task[data-task*='DEMO-']")  # the demo accounts have phones on file
    assert demo.count() >= 2
    for text in demo.all_inner_texts():
        assert MASKED.search(text), text  # the masked phone, not "· ·"
    for text in cards.all_inner_texts():
        assert not re.search(r"1\d{10}", text), text  # never the full number
    cards.first.locator("a.button").click()
    page.wait_for_selector("#attempt-form")
    page.locator("#problem summary").click()  # the folded problem item is checked too
    check_page(page, "cba-001-task")


def test_the_outbox_badge_is_a_44_px_touch_target(phone, stack):
    page = phone()
    sign_in(page, stack, "cm-001")
    page.goto(stack.app + "#/visits/new")
    page.wait_for_selector("#visit-form")
    page.context.set_offline(True)
    page.fill("#f-person_met", "徽章E2E" + uuid.uuid4().hex[:4])
    page.fill("#f-discussed", "离线提交")
    page.click("#visit-form button[type=submit]")
    expect(page.locator("#outbox-badge")).to_be_visible()
    assert page.locator("#outbox-badge").bounding_box()["height"] >= 44
    page.context.set_offline(False)
    expect(page.locator("#outbox-badge")).to_be_hidden()


def test_a_refused_submission_is_explained_in_chinese(phone, stack):
    """The API answers in English; the Chinese page shows its code and details in Chinese only."""
    page = phone()
    sign_in(page, stack, "cm-001")
    page.goto(stack.app + "#/visits/new")
    page.wait_for_selector("#visit-form")
    page.fill("#f-person_met", "未来E2E")
    page.fill("#f-discussed", "时间填在未来")
    future = (datetime.now(timezone(timedelta(hours=8))) + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    page.fill("#f-visited_at", future)
    page.fill("#f-clients_count", "9999")
    page.click("#visit-form button[type=submit]")
    status = page.locator("#visit-form .status")
    expect(status).to_have_attribute("data-state", "failed")
    expect(status).to_have_text("请修改标出的字段后重新提交")
    expect(page.locator("[data-field=clients_count] .field-error")).to_have_text("数值过大")  # pydantic's type
    page.fill("#f-clients_count", "1")
    page.click("#visit-form button[type=submit]")
    expect(page.locator("[data-field=visited_at] .field-error")).to_have_text("不能晚于当前时间")  # the rule's sentence
    texts = page.locator(".field-error:visible").all_inner_texts()
    assert texts and all(not ENGLISH.search(x) for x in texts), texts
    # The same refusal in the English interface reads as English.
    page.click("#lang")
    # The switch re-renders the form: wait for the English page, or the fills land in the old one.
    expect(page.locator("h1")).to_have_text("Log a visit")
    page.wait_for_selector("#visit-form")
    page.fill("#f-person_met", "future E2E")
    page.fill("#f-discussed", "in the future")
    page.fill("#f-visited_at", future)
    page.click("#visit-form button[type=submit]")
    expect(page.locator("[data-field=visited_at] .field-error")).to_have_text("Cannot be in the future")


def test_a_collision_is_told_in_chinese(phone, stack):
    number = "139" + uuid.uuid4().int.__str__()[:8]
    today = datetime.now(timezone(timedelta(hours=8))).date().isoformat()
    status, _ = stack.call(
        "POST",
        "/v1/prospects",
        {"name": "先到E2E", "phone": number, "class": "B", "source": "own_network", "first_contact_on": today},
        as_="cm-001",
    )
    assert status == 201
    page = phone()
    sign_in(page, stack, "cm-002")
    page.goto(stack.app + "#/prospects/new")
    page.fill("#f-name", "后到E2E")
    page.fill("#f-phone", number)
    page.click("#prospect-form button[type=submit]")
    expect(page.locator("#prospect-form .status")).to_have_text("发送失败：该客户已被登记")


def test_load_more_appends_the_next_page(phone, stack):
    for i in range(2):
        status, _ = stack.call(
            "POST",
            "/v1/visits",
            {
                "kind": "phone",
                "visited_at": datetime.now(timezone(timedelta(hours=8))).isoformat(timespec="seconds"),
                "unit_name": "分页单位",
                "person_met": f"分页E2E{i}",
                "discussed": "分页",
            },
            as_="cm-002",
            headers={"Idempotency-Key": "e2e-more-" + uuid.uuid4().hex},
        )
        assert status == 201
    page = phone()
    sign_in(page, stack, "cm-002")
    # The page asks for 50; the server is asked for 1, so its real next_token drives the button.
    page.route(
        re.compile(r".*/v1/visits\?limit=50$"),
        lambda route: route.continue_(url=route.request.url.replace("limit=50", "limit=1")),
    )
    page.goto(stack.app + "#/visits")
    expect(page.locator("#visit-list .card.visit")).to_have_count(1)
    total = len(stack.items("/v1/visits?limit=100", "cm-002"))
    more = page.locator("[data-more=visit-list]")
    more.click()
    expect(page.locator("#visit-list .card.visit")).to_have_count(min(total, 51))
    if total <= 51:
        expect(more).to_have_count(0)  # the last page has no next_token


def test_reveal_and_dial_then_masked_again_and_a_problem_item_with_the_outcome(phone, stack):
    page = phone()
    sign_in(page, stack, "cba-001")
    page.goto(stack.app + "#/tasks")
    card = page.locator("#task-list .card.task", has_text="长期无交易")
    expect(card).to_have_count(1)
    task_id = card.get_attribute("data-task")
    card.locator("a.button").click()
    page.wait_for_selector("#attempt-form")
    expect(page.locator("#call-window")).to_be_visible()  # the call window or the client's own time

    page.click("#reveal-button")
    expect(page.locator("#revealed-phone")).to_contain_text("13800000002")
    assert page.get_attribute("#dial", "href") == "tel:13800000002"
    assert page.input_value("#f-dialled_number") == "13800000002"  # the number dialled, as evidence
    page.click("#call-done")
    expect(page.locator("#remasked")).to_contain_text("138****0002")
    assert "13800000002" not in page.inner_text("#reveal")

    # Reached, with the content a dormant callback needs and a problem item whose cause is missing: the
    # server names the field next to it, in Chinese.
    page.fill("#f-recording_ref", "rec-e2e-" + uuid.uuid4().hex[:6])
    page.check("#f-answered_by-0")
    page.check("#f-identity_confirmed")
    for question in (
        "account_changes_confirmed",
        "no_staff_trading",
        "risks_disclosed",
        "no_discretionary_authority",
        "no_return_promise",
        "no_signing_for_client",
    ):
        page.check(f"#f-checklist\\.{question}-0")
    page.check("#f-satisfaction-4")
    page.locator("#problem summary").click()
    page.select_option("#f-problems-0-category", "service_attitude")
    page.fill("#f-problems-0-responsible_department", "营业部")
    page.click("#attempt-form button[type=submit]")
    expect(page.locator("[data-field='problems.0.cause'] .field-error")).to_have_text("必填")
    page.fill("#f-problems-0-cause", "客户反映柜台服务态度差")
    page.click("#attempt-form button[type=submit]")
    expect(page.locator("#attempt-form .status")).to_have_attribute("data-state", "sent")
    expect(page.locator("#attempt-form .status")).to_contain_text("已生成问题件")
    status, task = stack.call("GET", f"/v1/callback-tasks/{task_id}", as_="cba-001")
    assert status == 200 and task["status"] == "done" and task["history"][-1]["dialled_number_masked"] == "138****0002"
    problems = stack.items("/v1/problems?status=open&limit=100", "cmp-001")
    assert any(p.get("task_id") == task_id and p["cause"] == "客户反映柜台服务态度差" for p in problems)


def test_a_photo_over_the_limit_is_refused_before_it_is_queued(phone, stack):
    page = phone()
    sign_in(page, stack, "cm-001")
    page.goto(stack.app + "#/visits/new")
    page.wait_for_selector("#visit-form")
    page.context.set_offline(True)
    page.fill("#f-person_met", "大图E2E")
    page.fill("#f-discussed", "照片太大")
    big = b"\x89PNG\r\n\x1a\n" + b"\0" * (6 * 1024 * 1024)
    page.set_input_files("#f-photos", files=[{"name": "huge.png", "mimeType": "image/png", "buffer": big}])
    expect(page.locator("[data-field=photos] .field-error")).to_contain_text("超过每张 5 MB")
    page.click("#visit-form button[type=submit]")
    expect(page.locator("#visit-form .status")).to_have_attribute("data-state", "failed")
    expect(page.locator("#outbox-badge")).to_be_hidden()  # nothing was queued
    assert page.evaluate("window.FieldDesk.outbox().then(a => a.length)") == 0
    page.context.set_offline(False)


def test_the_queue_retries_by_the_in_progress_code_not_by_the_english_text(phone, stack):
    import json

    page = phone()
    sign_in(page, stack, "cm-001")
    page.goto(stack.app + "#/visits/new")
    page.wait_for_selector("#visit-form")
    answers = [
        {"code": "in_progress", "message": "已在处理"},  # the code says: retry
        {"code": "conflict", "message": "this submission is still in progress"},
    ]  # English text only

    def answer(route):
        if route.request.method != "POST":
            return route.continue_()
        error = answers.pop(0) if answers else None
        if not error:
            return route.continue_()
        route.fulfill(status=409, content_type="application/json", body=json.dumps({"error": {**error, "details": []}}))

    page.route("**/v1/visits", answer)
    page.fill("#f-person_met", "进行中E2E")
    page.fill("#f-discussed", "重试判断")
    page.click("#visit-form button[type=submit]")
    expect(page.locator("#visit-form .status")).to_have_attribute("data-state", "queued")
    page.evaluate("window.FieldDesk.flush()")
    # The second answer is a plain conflict: refused for good, kept in the outbox as failed, in Chinese.
    page.goto(stack.app + "#/outbox")
    expect(page.locator("#outbox-list .card.failed")).to_contain_text("数据已被他人更改或已存在")
    page.click("[data-delete]")
    expect(page.locator("#outbox-badge")).to_be_hidden()


def test_a_late_visit_asks_for_its_reason_next_to_a_field_that_appears(phone, stack):
    page = phone()
    sign_in(page, stack, "cm-002")
    page.goto(stack.app + "#/visits/new")
    page.wait_for_selector("#visit-form")
    expect(page.locator("#f-late_reason")).to_be_hidden()
    who = "补录E2E" + uuid.uuid4().hex[:4]
    page.fill("#f-person_met", who)
    page.fill("#f-discussed", "十天前的走访")
    page.fill(
        "#f-visited_at", (datetime.now(timezone(timedelta(hours=8))) - timedelta(days=10)).strftime("%Y-%m-%dT%H:%M")
    )
    page.click("#visit-form button[type=submit]")
    expect(page.locator("[data-field=late_reason] .field-error")).to_contain_text("请填写补录原因")
    page.fill("#f-late_reason", "外出培训一周，回来补录")
    page.click("#visit-form button[type=submit]")
    expect(page.locator("#visit-form .status")).to_have_attribute("data-state", "sent")
    assert [v for v in stack.items("/v1/visits?limit=100", "cm-002") if v["person_met"] == who]
