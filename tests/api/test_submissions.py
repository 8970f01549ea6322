"""Retries recognised by the data, resource-scoped keys, in_progress and Retry-After, bounded JSON."""

from __future__ import annotations

import json

import pytest
from botocore.client import BaseClient

from chalicelib import clock

NOW = "2026-11-20T16:00:00+08:00"
VISIT = {
    "kind": "on_site",
    "visited_at": "2026-11-20T10:00:00+08:00",
    "unit_name": "某公司",
    "person_met": "李总",
    "discussed": "两融",
    "outcome": "有兴趣",
    "clients_count": 1,
}


@pytest.fixture(autouse=True)
def frozen():
    with clock.freeze(NOW):
        yield


def _fail_idempotency_success(monkeypatch):
    """The idempotency record cannot be marked complete after the domain write succeeded."""
    original = BaseClient._make_api_call

    def flaky(self, operation, params):
        if operation == "UpdateItem" and "idempotency" in params.get("TableName", ""):
            from botocore.exceptions import ClientError

            raise ClientError({"Error": {"Code": "InternalServerError", "Message": "x"}}, operation)
        return original(self, operation, params)

    monkeypatch.setattr(BaseClient, "_make_api_call", flaky)
    return lambda: monkeypatch.setattr(BaseClient, "_make_api_call", original)


def test_a_visit_whose_idempotency_record_was_lost_is_answered_once_and_stored_once(api, monkeypatch):
    from chalicelib.config import reset_settings
    from chalicelib.storage.queries import query_all

    # The table keeps saying "in progress" for no time: the record itself must answer the retry.
    monkeypatch.setenv("FIELDDESK_IDEMPOTENCY_IN_PROGRESS_SECONDS", "0")
    reset_settings()
    restore = _fail_idempotency_success(monkeypatch)
    headers = {"Idempotency-Key": "visit-lost-success-1"}
    first_status, first = api.post("/v1/visits", VISIT, as_="cm-001", headers=headers)
    assert first_status == 201, first  # the write happened: success, not a 503
    restore()
    status, again = api.post("/v1/visits", VISIT, as_="cm-001", headers=headers)
    assert status == 201 and again["visit_id"] == first["visit_id"], again
    assert len(query_all("STAFF#cm-001#VISITS", index="gsi1")) == 1
    reset_settings()


def test_a_retry_while_the_first_attempt_is_in_progress_gets_the_in_progress_code_and_retry_after(api, monkeypatch):
    restore = _fail_idempotency_success(monkeypatch)
    headers = {"Idempotency-Key": "visit-in-progress-1"}
    assert api.post("/v1/visits", VISIT, as_="cm-001", headers=headers)[0] == 201
    restore()
    status, body = api.post("/v1/visits", VISIT, as_="cm-001", headers=headers)
    assert status == 409 and body["error"]["code"] == "in_progress", body
    assert api.last.headers["Retry-After"] == "1"


def test_one_key_on_two_resources_is_two_submissions(api):
    # Scoped to the resource path: the key sent to another visit's notes is not a replay of the first.
    _, a = api.post("/v1/visits", VISIT, as_="cm-001")
    _, b = api.post("/v1/visits", VISIT, as_="cm-001")
    headers = {"Idempotency-Key": "note-key-0001"}
    assert api.post(f"/v1/visits/{a['visit_id']}/notes", {"text": "更正"}, as_="cm-001", headers=headers)[0] == 201
    assert api.post(f"/v1/visits/{b['visit_id']}/notes", {"text": "更正"}, as_="cm-001", headers=headers)[0] == 201
    _, read_b = api.get(f"/v1/visits/{b['visit_id']}", as_="cm-001")
    assert len(read_b["notes"]) == 1


def test_a_throttled_write_answers_429_with_retry_after(api, monkeypatch):
    original = BaseClient._make_api_call

    def throttled(self, operation, params):
        # The log's write: one transaction with its week's sign-off check (a plain put without one).
        if operation == "TransactWriteItems" or (operation == "PutItem" and params.get("TableName") == "fielddesk"):
            from botocore.exceptions import ClientError

            raise ClientError({"Error": {"Code": "ThrottlingException", "Message": "x"}}, operation)
        return original(self, operation, params)

    monkeypatch.setattr(BaseClient, "_make_api_call", throttled)
    status, body = api.post("/v1/visits", VISIT, as_="cm-001")
    assert status == 429 and body["error"]["code"] == "too_many_requests"
    assert api.last.headers["Retry-After"] == "1"


@pytest.mark.parametrize("path", ["/v1/visits", "/v1/penalties", "/v1/prospects"])
def test_a_body_nested_a_thousand_levels_deep_is_a_400_not_a_500(api, path):
    raw = "[" * 1000 + "]" * 1000
    status, body = api.call("POST", path, raw=json.dumps({"a": "x"})[:-1] + ', "b": ' + raw + "}", as_="cm-001")
    assert status in (400, 403), body
    if status == 400:
        assert body["error"]["details"][0]["field"] == "body"


def test_a_deeply_nested_body_is_refused_before_parsing_for_an_allowed_caller(api):
    raw = '{"kind": ' + "[" * 1000 + "]" * 1000 + "}"
    status, body = api.call("POST", "/v1/visits", raw=raw, as_="cm-001")
    assert status == 400 and "nested" in body["error"]["message"], body


def test_a_page_token_from_one_list_variant_is_a_400_on_another(api):
    for _ in range(3):
        api.post("/v1/visits", VISIT, as_="cm-001")
    status, page = api.get("/v1/visits?manager_id=cm-001&limit=1", as_="sup-001")
    assert status == 200 and page["next_token"], page
    status, body = api.get(f"/v1/visits?limit=1&next_token={page['next_token']}", as_="sup-001")
    assert status == 400 and body["error"]["details"][0]["field"] == "next_token", body
