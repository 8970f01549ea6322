"""The mobile forms in a real browser (Debian's Chromium, 360 px wide) against the local stack."""

from __future__ import annotations

import base64
import random
import uuid

from playwright.sync_api import expect

from tests.e2e.conftest import ARTIFACTS, require_route, sign_in

# A 2x2 PNG, small enough to be a visit photo.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP8z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg=="
)
LUJIAZUI = {"latitude": 31.2397, "longitude": 121.4998, "accuracy": 20}


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:6]}"


def visits_named(stack, who: str) -> list[dict]:
    return [v for v in stack.items("/v1/visits?limit=100", "cm-001") if v["person_met"] == who]


def open_visit_form(page, stack):
    sign_in(page, stack, "cm-001")
    page.goto(stack.app + "#/visits/new")
    page.wait_for_selector("#visit-form")


def fill_visit(page, who: str):
    page.fill("#f-person_met", who)
    page.fill("#f-discussed", "介绍基金定投与两融业务")


def submit_state(page, form: str):
    return page.locator(f"#{form} .status")


# --- sign in ------------------------------------------------------------------------------------
def test_sign_in_by_pasting_a_token_shows_my_forms(phone, stack):
    page = phone()
    page.goto(stack.app)
    page.fill("#f-token", "Bearer " + stack.token("cm-002"))
    page.click("#token-form button[type=submit]")
    expect(page.locator("h1")).to_contain_text("李娜")
    expect(page.locator("nav.menu a")).to_have_count(
        9
    )  # the manager's menu: complaint, travel report, leave and declaration (19 §3, §5, §6, §7)
    page.click("#lang")
    expect(page.locator("nav.menu")).to_contain_text("Log a visit")


def test_a_bad_token_is_refused_on_the_sign_in_page(phone, stack):
    page = phone()
    page.goto(stack.app)
    page.fill("#f-token", "not-a-token")
    page.click("#token-form button[type=submit]")
    expect(page.locator("#token-form .status")).to_have_attribute("data-state", "failed")
    expect(page.locator("nav.menu")).to_have_count(0)


# --- visit logs ---------------------------------------------------------------------------------
def test_visit_form_with_location_and_photo_is_sent_and_listed(phone, stack):
    page = phone(permissions=["geolocation"], geolocation=LUJIAZUI)
    open_visit_form(page, stack)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "visit-form-360.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scrolling
    who = unique("走访E2E")
    fill_visit(page, who)
    page.check("#f-location")
    expect(page.locator("#loc-state")).to_contain_text("31.2397")
    page.set_input_files("#f-photos", files=[{"name": "counter.png", "mimeType": "image/png", "buffer": PNG}])
    expect(page.locator("#photo-state")).to_contain_text("1")
    page.click("#visit-form button[type=submit]")
    expect(submit_state(page, "visit-form")).to_have_attribute("data-state", "sent")
    page.screenshot(path=str(ARTIFACTS / "visit-form-sent-360.png"))

    page.goto(stack.app + "#/visits")
    card = page.locator(".card.visit", has_text=who)
    expect(card).to_have_count(1)
    card.locator("a").click()
    expect(page.locator(".photos img")).to_have_count(1)
    page.wait_for_function(
        "() => { const i = document.querySelector('.photos img');" " return i && i.complete && i.naturalWidth === 2; }"
    )  # served by moto's S3
    [stored] = visits_named(stack, who)
    assert float(stored["location"]["lat"]) == 31.2397 and float(stored["location"]["lng"]) == 121.4998
    assert len(stored["photo_keys"]) == 1 and stored["outlet_id"] == "ot-icbc-lujiazui"


def test_api_field_errors_are_shown_next_to_their_fields(phone, stack):
    page = phone()
    open_visit_form(page, stack)
    page.fill("#f-discussed", "只填了内容")
    page.fill("#f-clients_count", "9999")
    page.click("#visit-form button[type=submit]")
    expect(submit_state(page, "visit-form")).to_have_attribute("data-state", "failed")
    for name in ("person_met", "clients_count"):
        expect(page.locator(f"[data-field={name}] .field-error")).to_be_visible()
        expect(page.locator(f"#f-{name}")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("[data-field=discussed] .field-error")).to_be_hidden()
    assert page.input_value("#f-discussed") == "只填了内容"  # nothing typed is lost
    expect(page.locator("#outbox-badge")).to_be_hidden()  # a refused form is not queued


def test_offline_submission_is_queued_then_sent_once_when_back_online(phone, stack):
    page = phone()
    open_visit_form(page, stack)
    who = unique("离线E2E")
    page.context.set_offline(True)
    expect(page.locator("#net")).to_contain_text("离线")
    fill_visit(page, who)
    page.click("#visit-form button[type=submit]")
    expect(submit_state(page, "visit-form")).to_have_attribute("data-state", "queued")
    expect(page.locator("#outbox-badge")).to_have_text("待发送 1")
    page.goto(stack.app + "#/visits")
    expect(page.locator(".card.queued", has_text=who)).to_have_count(1)
    assert visits_named(stack, who) == []

    page.context.set_offline(False)
    expect(page.locator(".card.visit", has_text=who)).to_have_count(1)
    expect(page.locator(".card.queued")).to_have_count(0)
    expect(page.locator("#outbox-badge")).to_be_hidden()
    assert len(visits_named(stack, who)) == 1


def test_a_submission_retried_after_a_timeout_is_stored_once(phone, stack):
    page = phone()
    open_visit_form(page, stack)
    who = unique("超时E2E")
    fill_visit(page, who)
    keys = []

    def reach_server_but_lose_the_answer(route):
        if route.request.method != "POST":
            return route.continue_()
        keys.append(route.request.headers.get("idempotency-key"))
        if len(keys) == 1:
            route.fetch()  # the server stores it...
            return route.abort("timedout")  # ...and the phone never hears back
        return route.continue_()

    page.route("**/v1/visits", reach_server_but_lose_the_answer)
    page.click("#visit-form button[type=submit]")
    expect(submit_state(page, "visit-form")).to_have_attribute("data-state", "queued")
    assert len(visits_named(stack, who)) == 1
    page.evaluate("window.FieldDesk.flush()")
    expect(page.locator("#outbox-badge")).to_be_hidden()
    assert len(keys) == 2 and keys[0] == keys[1] and keys[0]
    assert len(visits_named(stack, who)) == 1


def test_the_queue_survives_a_reload(phone, stack):
    page = phone()
    open_visit_form(page, stack)
    who = unique("重载E2E")
    fill_visit(page, who)
    page.route(
        "**/v1/visits", lambda r: r.abort("internetdisconnected") if r.request.method == "POST" else r.continue_()
    )
    page.click("#visit-form button[type=submit]")
    expect(submit_state(page, "visit-form")).to_have_attribute("data-state", "queued")
    page.reload()
    expect(page.locator("#outbox-badge")).to_have_text("待发送 1")
    page.goto(stack.app + "#/outbox")
    expect(page.locator("#outbox-list .card")).to_contain_text(who)
    page.unroute("**/v1/visits")
    page.click("#retry")
    expect(page.locator("#outbox-badge")).to_be_hidden()
    assert len(visits_named(stack, who)) == 1


def test_the_pages_open_offline_after_a_first_visit(phone, stack):
    page = phone(service_workers="allow")
    sign_in(page, stack, "cm-001")
    page.wait_for_function("() => navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    page.context.set_offline(True)
    page.goto(stack.app + "#/visits/new")
    page.reload()
    expect(page.locator("#visit-form")).to_be_visible()
    expect(page.locator("#net")).to_contain_text("离线")


# --- intent clients -----------------------------------------------------------------------------
def new_phone_number() -> str:
    return "139" + "".join(random.choice("0123456789") for _ in range(8))


def test_register_a_prospect_then_a_second_claim_sees_the_collision(phone, stack):
    require_route("POST", "/v1/prospects")
    number, name = new_phone_number(), unique("客户")
    page = phone()
    sign_in(page, stack, "cm-001")
    page.goto(stack.app + "#/prospects/new")
    page.fill("#f-name", name)
    page.fill("#f-phone", number)
    page.check("#f-class-0")  # A
    page.click("#prospect-form button[type=submit]")
    expect(submit_state(page, "prospect-form")).to_have_attribute("data-state", "sent")
    page.goto(stack.app + "#/prospects")
    expect(page.locator(".card.prospect", has_text=name)).to_have_count(1)

    other = phone()
    sign_in(other, stack, "cm-002")
    other.goto(stack.app + "#/prospects/new")
    other.fill("#f-name", "另一个名字")
    other.fill("#f-phone", number)
    other.click("#prospect-form button[type=submit]")
    expect(other.locator("#collision")).to_be_visible()
    expect(other.locator("#collision")).to_contain_text("已被登记")
    expect(other.locator("#collision")).not_to_contain_text(name)  # never the prospect's details
    other.goto(stack.app + "#/prospects")
    expect(other.locator(".card.prospect", has_text=name)).to_have_count(0)


def test_a_bad_phone_number_is_marked_on_its_field(phone, stack):
    require_route("POST", "/v1/prospects")
    page = phone()
    sign_in(page, stack, "cm-001")
    page.goto(stack.app + "#/prospects/new")
    page.fill("#f-name", unique("客户"))
    page.fill("#f-phone", "12345")
    page.click("#prospect-form button[type=submit]")
    expect(page.locator("[data-field=phone] .field-error")).to_be_visible()


def test_add_a_follow_up_to_my_prospect(phone, stack):
    require_route("POST", "/v1/prospects/{prospect_id}/follow-ups")
    from datetime import datetime, timedelta, timezone

    today = datetime.now(timezone(timedelta(hours=8))).date().isoformat()
    status, prospect = stack.call(
        "POST",
        "/v1/prospects",
        {
            "name": unique("跟进"),
            "phone": new_phone_number(),
            "class": "B",
            "source": "own_network",
            "first_contact_on": today,
        },
        as_="cm-001",
    )
    assert status == 201, prospect
    page = phone()
    sign_in(page, stack, "cm-001")
    page.goto(stack.app + "#/prospects")
    page.locator(".card.prospect", has_text=prospect["name"]).locator("a.button").click()
    page.wait_for_selector("#follow-up-form")
    summary = unique("电话沟通，约周五见面")
    page.select_option("#f-channel", "phone")
    page.fill("#f-summary", summary)
    page.select_option("#f-class_change", "A")
    page.click("#follow-up-form button[type=submit]")
    expect(page.locator("#follow-up-list")).to_contain_text(summary)
    status, detail = stack.call("GET", f"/v1/prospects/{prospect['prospect_id']}", as_="cm-001")
    assert [f["summary"] for f in detail["follow_ups"]] == [summary] and detail["class"] == "A"


# --- callbacks ----------------------------------------------------------------------------------
def test_callback_agent_records_outcomes_from_the_task_list(phone, stack):
    require_route("GET", "/v1/callback-tasks/mine")
    require_route("POST", "/v1/callback-tasks/{task_id}/attempts")
    page = phone()
    sign_in(page, stack, "cba-001")
    page.click("a[href='#/tasks']")
    expect(page.locator("#task-list .card.task").first).to_be_visible()
    task_id = page.locator("#task-list .card.task").first.get_attribute("data-task")
    page.locator(f"[data-task='{task_id}'] a.button").click()
    page.wait_for_selector("#attempt-form")

    # Not reached: the reason is asked for, the checklist is not.
    page.check("#f-reached-1")
    expect(page.locator("#f-checklist-account_changes_confirmed")).to_be_hidden()
    page.select_option("#f-reason", "no_answer")
    page.click("#attempt-form button[type=submit]")
    expect(submit_state(page, "attempt-form")).to_have_attribute("data-state", "sent")
    expect(page.locator("#attempt-list .card")).to_have_count(1)

    # Reached by phone without the recording reference: the API names the field.
    page.check("#f-reached-0")
    page.check("#f-identity_confirmed")
    page.check("#f-satisfaction-4")
    page.click("#attempt-form button[type=submit]")
    expect(page.locator("[data-field=recording_ref] .field-error")).to_be_visible()
    expect(page.locator("[data-field=dialled_number] .field-error")).to_be_visible()
    # The checklist is 是/否 per question, nothing preselected; one answered, the rest not: no submission.
    assert page.locator("#attempt-form input[name^='checklist.']:checked").count() == 0
    page.check("#f-checklist\\.account_changes_confirmed-0")
    page.click("#attempt-form button[type=submit]")
    expect(page.locator("#f-checklist-err")).to_be_visible()
    status, task = stack.call("GET", f"/v1/callback-tasks/{task_id}", as_="cba-001")
    assert status == 200 and task["attempts"] == 1


def test_callback_agent_claims_a_task_from_the_branch_queue(phone, stack):
    require_route("POST", "/v1/callback-tasks/{task_id}/claim")
    page = phone()
    sign_in(page, stack, "cba-002")
    page.goto(stack.app + "#/tasks")
    claim = page.locator("#queue-list [data-claim]").first
    expect(claim).to_be_visible()
    task_id = claim.get_attribute("data-claim")
    claim.click()
    expect(page.locator(f"#task-list [data-task='{task_id}']")).to_have_count(1)


def test_a_manager_records_a_complaint_and_a_missing_content_is_marked(phone, stack):
    require_route("POST", "/v1/complaints")
    page = phone()
    sign_in(page, stack, "cm-001")
    page.goto(stack.app + "#/complaints/new")
    page.fill("#f-client_name", unique("客户"))
    page.select_option("#f-channel", "in_person")
    page.click("#complaint-form button[type=submit]")
    expect(page.locator("[data-field=content] .field-error")).to_be_visible()
    page.fill("#f-content", "理财产品收益与介绍不符")
    page.click("#complaint-form button[type=submit]")
    expect(submit_state(page, "complaint-form")).to_have_attribute("data-state", "sent")
    expect(page.locator("#complaint-form .status")).to_contain_text("前处理")
