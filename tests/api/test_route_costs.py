"""DynamoDB requests per route, pinned (issue 18 §4): a read by id or a list makes 1 request (the caller's
staff record is cached), a write with an Idempotency-Key at most 3, a penalty entry at most 4.

Counts, not timings: each route runs once warm (principal, outlet and catalogue caches filled), then its
requests are counted. `python -m bench.routes` prints the same figures next to their targets.
"""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from bench.counter import DynamoCounter
from chalicelib import clock

NOW = "2026-11-20T10:00:00+08:00"  # a Friday
VISIT = {
    "kind": "phone",
    "visited_at": "2026-11-20T09:30:00+08:00",
    "unit_name": "某单位",
    "person_met": "王先生",
    "person_contact": "13912345678",
    "discussed": "基金定投",
    "outlet_id": "ot-icbc-lujiazui",
}


@pytest.fixture(autouse=True)
def steady(monkeypatch):
    from chalicelib.config import reset_settings

    # The longest the principal cache may keep a record: a slow machine must not expire it mid-test.
    monkeypatch.setenv("FIELDDESK_PRINCIPAL_CACHE_SECONDS", "30")
    reset_settings()
    with clock.freeze(NOW):
        yield
    reset_settings()


def cost(call) -> tuple[int, dict, tuple]:
    """(requests, by operation, the call's answer) of `call` run after one warm run."""
    call()
    with DynamoCounter() as counter:
        answer = call()
    return counter.total, dict(counter.requests), answer


def key() -> dict:
    return {"Idempotency-Key": uuid.uuid4().hex}


def test_a_visit_with_a_key_costs_3_and_a_supervisors_filtered_list_1(api):
    total, ops, (status, _) = cost(lambda: api.post("/v1/visits", VISIT, as_="cm-001", headers=key()))
    assert status == 201 and total == 3, ops  # idempotency in progress + one transaction + idempotency done
    assert ops == {"PutItem": 1, "TransactWriteItems": 1, "UpdateItem": 1}
    for path, who in [("/v1/visits?manager_id=cm-001", "sup-001"), ("/v1/visits", "sup-001"), ("/v1/visits", "cm-001")]:
        total, ops, (status, _) = cost(lambda path=path, who=who: api.get(path, as_=who))
        assert status == 200 and total == 1, (path, ops)


def test_a_visit_in_a_signed_off_week_is_still_refused_without_a_reason_and_pending_with_one(api):
    # The sign-off is checked by the log's write, not read before it: the rule is unchanged.
    assert api.post("/v1/visits/signoffs", {"manager_id": "cm-001", "week": "2026-W46"}, as_="sup-001")[0] == 201
    late = {**VISIT, "visited_at": "2026-11-13T09:30:00+08:00"}
    status, body = api.post("/v1/visits", late, as_="cm-001")
    assert status == 400 and body["error"]["details"][0]["field"] == "late_reason"
    status, body = api.post("/v1/visits", {**late, "late_reason": "外出未带手机补录"}, as_="cm-001")
    assert status == 201 and body["status"] == "pending_approval", body


def prospect(phone: str) -> dict:
    return {"name": "测试", "phone": phone, "class": "B", "source": "own_network", "first_contact_on": "2026-11-20"}


def test_a_prospect_with_a_key_costs_3_and_the_lists_1(api):
    phones = iter(f"1391234{n:04d}" for n in range(100))
    total, ops, (status, body) = cost(
        lambda: api.post("/v1/prospects", prospect(next(phones)), as_="cm-001", headers=key())
    )
    assert status == 201 and total == 3, ops  # the quota, claims, prospect and month counter: one transaction
    for path, who in [
        ("/v1/prospects", "cm-001"),
        ("/v1/prospects?owner_id=cm-001", "sup-001"),
        ("/v1/prospects/pool", "cm-001"),
        (f"/v1/prospects/{body['prospect_id']}", "cm-001"),
    ]:
        total, ops, (status, _) = cost(lambda path=path, who=who: api.get(path, as_=who))
        assert status == 200 and total == 1, (path, ops)


def pooled(count: int) -> list[str]:
    from chalicelib.domain.prospects import registration
    from chalicelib.wiring import prospects

    deps = prospects.deps()
    ids = []
    for n in range(count):
        record = registration.new_record(
            deps,
            branch_id="br-pudong",
            name="池客户",
            phone=f"1370000{n:04d}",
            id_number=None,
            prospect_class="B",
            source="own_network",
            outlet_id=None,
            first_contact_on=date(2026, 11, 20),
            need="",
            note="",
            registered_by="sup-001",
            owner=None,
        )
        deps.repo.create(record, counted_for=None)
        ids.append(record.prospect_id)
    return ids


def test_a_pool_claim_costs_2_and_its_retry_1_with_the_first_answer_and_one_pick(api):
    from chalicelib.storage import base, keys

    first, second = pooled(2)
    assert api.post(f"/v1/prospects/{first}/claim", as_="cm-001", headers=key())[0] == 200  # warm
    headers = key()
    with DynamoCounter() as counter:
        status, claimed = api.post(f"/v1/prospects/{second}/claim", as_="cm-001", headers=headers)
    assert status == 200 and claimed["owner_id"] == "cm-001", claimed
    assert counter.total == 2, counter.requests  # read the prospect, one transaction (prospect + the pick)
    with DynamoCounter() as counter:
        again = api.post(f"/v1/prospects/{second}/claim", as_="cm-001", headers=headers)
    assert again == (200, claimed) and counter.total == 1, counter.requests  # answered from the record
    picks = base.get_item(**keys.pool_picks("cm-001", "2026-11-20"))
    assert int(picks["picks"]) == 2
    # Another manager's claim, or the same manager without that key, is refused as before.
    assert api.post(f"/v1/prospects/{second}/claim", as_="cm-002", headers=key())[0] == 409
    assert api.post(f"/v1/prospects/{second}/claim", as_="cm-001", headers=key())[0] == 409


def penalty(rule="DRESS", day="2026-11-19", manager="cm-001") -> dict:
    return {"manager_id": manager, "rule_code": rule, "breach_date": day, "evidence_note": "巡查"}


def test_a_penalty_costs_4_warm_and_5_as_its_managers_first_of_the_month(api):
    total, ops, (status, _) = cost(lambda: api.post("/v1/penalties", penalty(), as_="sup-001", headers=key()))
    assert status == 201 and total == 4, ops  # idempotency x2, the month ledger, one transaction
    assert ops == {"PutItem": 1, "GetItem": 1, "TransactWriteItems": 1, "UpdateItem": 1}
    with DynamoCounter() as counter:  # no ledger for cm-002's October yet: the month is read once
        assert (
            api.post("/v1/penalties", penalty(manager="cm-002", day="2026-10-30"), as_="sup-001", headers=key())[0]
            == 201
        )
    assert counter.total == 5 and counter.requests["Query"] == 1, counter.requests
    for path in ["/v1/penalties?manager_id=cm-001", "/v1/flags?staff_id=cm-001"]:
        total, ops, (status, _) = cost(lambda path=path: api.get(path, as_="sup-001"))
        assert status == 200 and total == 1, (path, ops)


def test_the_ledger_keeps_the_escalation_rules_across_voids_and_old_penalties(api):
    # TRAVEL_RULE: "more than 3 in a month" (000 第二篇); a voided one no longer counts.
    from chalicelib.storage import penalties as repo

    ids = [
        api.post("/v1/penalties", penalty("TRAVEL_RULE", f"2026-11-{d:02d}"), as_="sup-001")[1]["penalty_id"]
        for d in (2, 3, 4)
    ]
    assert api.post(f"/v1/penalties/{ids[0]}/void", {"reason": "误录"}, as_="sup-001")[0] == 200
    api.post("/v1/penalties", penalty("TRAVEL_RULE", "2026-11-05"), as_="sup-001")
    assert repo.get_flag("TRAVEL.cm-001.2026-11") is None  # 3 active, not more than 3
    _, fifth = api.post("/v1/penalties", penalty("TRAVEL_RULE", "2026-11-06"), as_="sup-001")
    flag = repo.get_flag("TRAVEL.cm-001.2026-11")
    assert flag and ids[0] not in flag["penalty_ids"] and fifth["penalty_id"] in flag["penalty_ids"]
    assert len(flag["penalty_ids"]) == 4


def test_a_month_without_a_ledger_is_rebuilt_from_its_penalties_once(api):
    # Penalties entered before ledgers existed: the first entry after reads the month, then the ledger.
    from chalicelib.storage import base, keys

    for d in (2, 3):
        api.post("/v1/penalties", penalty("LATE", f"2026-11-{d:02d}"), as_="sup-001")
    base.transact(
        [
            {
                "Delete": {
                    "TableName": "fielddesk",
                    "Key": {
                        "pk": {"S": keys.penalty_ledger("cm-001", "2026-11")["pk"]},
                        "sk": {"S": keys.penalty_ledger("cm-001", "2026-11")["sk"]},
                    },
                }
            }
        ]
    )
    from chalicelib.storage import penalties as repo

    assert repo.get_ledger("cm-001", "2026-11") is None
    api.post("/v1/penalties", penalty("LATE", "2026-11-04"), as_="sup-001")
    ledger = repo.get_ledger("cm-001", "2026-11")
    assert ledger["complete"] and len(ledger["penalties"]) == 3
    assert "REPEAT.cm-001.LATE.2026-11" in ledger["flags"]  # raised at the second, known to the rebuilt ledger


def test_a_catalogue_version_added_in_another_container_is_used_at_once(api):
    # The catalogue is cached per container; the penalty's transaction checks the scope's revision.
    from chalicelib.storage import base, keys

    assert api.post("/v1/penalties", penalty(), as_="sup-001")[1]["points"] == 5  # caches the catalogue
    override = {
        "scope": "BRANCH#br-pudong",
        "effective_from": "2026-11-01",
        "overrides": [{"code": "DRESS", "amount": "8"}],
        "note": "",
        "created_by": "adm-001",
        "created_at": "2026-11-20T09:00:00+08:00",
    }
    head = keys.rule_head("BRANCH#br-pudong")
    # Written as another container would: its cache cleared there, not here.
    base.transact(
        [
            base.tx_put({**keys.rule_version(override["scope"], override["effective_from"]), **override}),
            base.tx_update(head["pk"], head["sk"], "ADD rev :one", values={":one": 1}),
        ]
    )
    status, body = api.post("/v1/penalties", penalty(), as_="sup-001")
    assert status == 201 and body["points"] == 8 and body["rule_version"]["branch_effective_from"] == "2026-11-01"


def test_an_overturned_appeal_leaves_the_ledger_and_a_void_of_an_old_penalty_marks_it_stale(api):
    from chalicelib.storage import base, keys
    from chalicelib.storage import penalties as repo

    _, first = api.post("/v1/penalties", penalty("LATE", "2026-11-02"), as_="sup-001")
    assert api.post(f"/v1/penalties/{first['penalty_id']}/appeal", {"reason": "堵车有证明"}, as_="cm-001")[0] == 200
    decision = {"outcome": "overturned", "reason": "交通管制证明"}
    assert api.post(f"/v1/penalties/{first['penalty_id']}/appeal/decision", decision, as_="sup-002")[0] == 200
    assert first["penalty_id"] not in repo.get_ledger("cm-001", "2026-11")["penalties"]
    _, second = api.post("/v1/penalties", penalty("LATE", "2026-11-03"), as_="sup-001")
    assert repo.get_flag("REPEAT.cm-001.LATE.2026-11") is None  # the overturned one does not count
    # A penalty entered before ledgers (no `ledgered`): its void marks the month's ledger stale.
    base.update(**keys.penalty(second["penalty_id"]), expression="REMOVE ledgered", return_values="NONE")
    assert api.post(f"/v1/penalties/{second['penalty_id']}/void", {"reason": "误录"}, as_="sup-001")[0] == 200
    assert repo.get_ledger("cm-001", "2026-11")["stale"] is True
    api.post("/v1/penalties", penalty("LATE", "2026-11-04"), as_="sup-001")
    ledger = repo.get_ledger("cm-001", "2026-11")
    assert not ledger.get("stale") and len(ledger["penalties"]) == 1  # rebuilt: the voided one is gone
    assert repo.get_flag("REPEAT.cm-001.LATE.2026-11") is None


def test_a_visit_naming_the_managers_own_client_costs_3_and_counts_toward_its_plan(api):
    from tests.factories.accounts import opened

    with clock.freeze("2026-11-02T09:00:00+08:00"):
        events = [opened(a, on="2026-11-02", n=i) for i, a in enumerate(("ka", "kb"), 1)]
        assert api.post("/v1/account-events", {"events": events}, as_="sys-001")[0] == 200
    body = {**VISIT, "account_id": "ka"}
    total, ops, (status, _) = cost(lambda: api.post("/v1/visits", body, as_="cm-001", headers=key()))
    assert status == 201 and total == 3, ops  # the account is checked by the write, not read before it
    from chalicelib.storage import base, keys

    contacts = base.get_item(**keys.account_contacts("ka", "cm-001"))
    assert contacts and "2026-W47" in contacts["contact_weeks"]
    # Another manager's log of the client is recorded and not counted; an unknown account is a 400.
    assert api.post("/v1/visits", body, as_="cm-002")[0] == 201
    assert base.get_item(**keys.account_contacts("ka", "cm-002")) is None
    status, refused = api.post("/v1/visits", {**VISIT, "account_id": "nope"}, as_="cm-001")
    assert status == 400 and refused["error"]["details"][0]["field"] == "account_id"


def test_a_callback_task_read_costs_1_and_the_agents_list_1(api):
    """Issue 18 §4: the task carries its client's masked phone (written by selection), so a read by id is its
    item collection alone (task, attempts, reviews), and the agent's list needs no account batch."""
    from chalicelib.domain import selection
    from tests.factories.tasks import make_account, make_task

    account = make_account("A001")
    assert "phone_masked" in selection.INBOX_SNAPSHOT  # what selection copies onto the task
    t = make_task("new_account", "A001", assignee_id="cba-001", phone_masked=account["phone_masked"])
    total, ops, (status, body) = cost(lambda: api.get(f"/v1/callback-tasks/{t['task_id']}", as_="cba-001"))
    assert status == 200 and body["phone_masked"] == "138****5678" and total == 1, ops
    assert ops == {"Query": 1}
    total, ops, (status, body) = cost(lambda: api.get("/v1/callback-tasks/mine", as_="cba-001"))
    assert status == 200 and body["items"][0]["phone_masked"] == "138****5678" and total == 1, ops
    # A task written before it carried the masked phone still shows it, from its account: one more read.
    old = make_task("dormant", "A001", assignee_id="cba-001")
    total, ops, (status, body) = cost(lambda: api.get(f"/v1/callback-tasks/{old['task_id']}", as_="cba-001"))
    assert status == 200 and body["phone_masked"] == "138****5678" and total == 2, ops


def test_a_task_claim_costs_2_and_its_retry_1_with_the_first_answer_and_one_load(api):
    """Issue 18 §4 ("a task claim 4"): the claimed task carries the submission's reference, so a retried key is
    answered from the task and the route needs no idempotency record (read the task, one transaction)."""
    from tests.factories.tasks import make_account, make_task

    make_account("A001")
    warm, queued = (make_task(t, "A001", assignee_id=None) for t in ("new_account", "dormant"))
    from chalicelib.storage import callback_work

    assert api.post(f"/v1/callback-tasks/{warm['task_id']}/claim", as_="cba-001", headers=key())[0] == 200
    before = callback_work.agent_loads(["cba-001"]).get("cba-001", 0)
    headers = key()
    with DynamoCounter() as counter:
        status, claimed = api.post(f"/v1/callback-tasks/{queued['task_id']}/claim", as_="cba-001", headers=headers)
    assert status == 200 and claimed["assignee_id"] == "cba-001", claimed
    assert counter.total == 2, counter.requests  # the task, one transaction (task + the agent's load)
    with DynamoCounter() as counter:
        again = api.post(f"/v1/callback-tasks/{queued['task_id']}/claim", as_="cba-001", headers=headers)
    assert again == (200, claimed) and counter.total == 1, counter.requests  # answered from the task
    assert callback_work.agent_loads(["cba-001"])["cba-001"] == before + 1  # counted once, not per retry
    # Another agent's claim, or the same agent without that key, is refused as before.
    assert api.post(f"/v1/callback-tasks/{queued['task_id']}/claim", as_="cba-002", headers=key())[0] == 409
    assert api.post(f"/v1/callback-tasks/{queued['task_id']}/claim", as_="cba-001", headers=key())[0] == 409


def test_an_attempt_with_a_key_costs_2_and_its_retry_1_with_the_first_answer(api):
    """Issue 18 §4 ("an attempt 4-5"): the attempt's id comes from the key and it carries the submission's
    reference, so a retry is answered from the stored attempt: no idempotency record."""
    from tests.factories.tasks import make_account, make_task

    make_account("A001")
    warm, held = (make_task(t, "A001", assignee_id="cba-001") for t in ("new_account", "dormant"))
    no_answer = {"channel": "phone", "reached": False, "reason": "no_answer"}
    assert api.post(f"/v1/callback-tasks/{warm['task_id']}/attempts", no_answer, as_="cba-001", headers=key())[0] == 201
    headers = key()
    with DynamoCounter() as counter:
        status, first = api.post(
            f"/v1/callback-tasks/{held['task_id']}/attempts", no_answer, as_="cba-001", headers=headers
        )
    assert status == 201 and first["task"]["attempts"] == 1, first
    assert counter.total == 2, counter.requests  # the task's collection (a retry? and the task), one transaction
    with DynamoCounter() as counter:
        again = api.post(f"/v1/callback-tasks/{held['task_id']}/attempts", no_answer, as_="cba-001", headers=headers)
    assert again[0] == 201 and again[1]["attempt"] == first["attempt"] and counter.total == 1, counter.requests
    assert again[1]["task"]["attempts"] == 1  # recorded once
    reused = {**no_answer, "reason": "busy"}
    status, body = api.post(f"/v1/callback-tasks/{held['task_id']}/attempts", reused, as_="cba-001", headers=headers)
    assert status == 422 and body["error"]["details"][0]["field"] == "Idempotency-Key", body
