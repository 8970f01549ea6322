"""The house conventions, through the HTTP API."""

from __future__ import annotations

from tests.conftest import token_for


def test_health_needs_no_auth_and_reports_version(api):
    status, body = api.get("/v1/health")
    assert status == 200
    assert body["status"] == "ok" and body["version"]
    assert api.last.headers["X-Request-Id"]


def test_me_returns_the_callers_staff_record(api):
    status, body = api.get("/v1/me", as_="cm-001")
    assert status == 200
    assert body["staff_id"] == "cm-001" and body["role"] == "client_manager"


def test_missing_and_bad_tokens_get_401_in_the_envelope(api):
    status, body = api.get("/v1/me")
    assert status == 401 and body["error"]["code"] == "unauthenticated"
    status, body = api.get("/v1/me", headers={"Authorization": "Bearer not-a-jwt"})
    assert status == 401 and body["error"]["code"] == "unauthenticated"
    forged = token_for("cm-001", secret="someone-elses-secret-which-is-long-enough")
    status, _ = api.get("/v1/me", headers={"Authorization": f"Bearer {forged}"})
    assert status == 401
    expired = token_for("cm-001", ttl=-10)
    status, _ = api.get("/v1/me", headers={"Authorization": f"Bearer {expired}"})
    assert status == 401
    wrong_aud = token_for("cm-001", audience="another-app")
    status, _ = api.get("/v1/me", headers={"Authorization": f"Bearer {wrong_aud}"})
    assert status == 401


def test_unknown_and_departed_staff_are_refused(api):
    status, _ = api.get("/v1/me", as_="nobody-here")
    assert status == 401
    status, _ = api.patch("/v1/staff/cm-002", {"status": "departed", "departed_on": "2026-11-20"}, as_="adm-001")
    assert status == 200
    status, body = api.get("/v1/me", as_="cm-002")
    assert status == 401 and "departed" in body["error"]["message"]


def _access_logs(call) -> list[dict]:
    """The access-log lines `call()` writes through the real handler and formatter."""
    import io
    import json

    from chalicelib.observability import logger

    handler = logger.handlers[0]
    sink = io.StringIO()
    previous = handler.setStream(sink)
    try:
        call()
    finally:
        handler.setStream(previous)
    lines = [json.loads(line) for line in sink.getvalue().splitlines() if line.startswith("{")]
    return [line for line in lines if line.get("message") == "request"]


def test_the_request_id_is_ours_and_the_clients_is_logged_beside_it(api):
    """Issue 16: the request id was taken from the client. Ours is answered and logged; theirs only logged."""
    import uuid

    logs = _access_logs(lambda: api.get("/v1/health", headers={"X-Request-Id": "support-ticket-1234"}))
    ours = api.last.headers["X-Request-Id"]
    assert ours != "support-ticket-1234" and uuid.UUID(ours)
    assert logs[-1]["request_id"] == ours and logs[-1]["client_request_id"] == "support-ticket-1234"
    # A value that is not an id (too short, or with other characters) is not logged at all.
    logs = _access_logs(lambda: api.get("/v1/health", headers={"X-Request-Id": "<script>"}))
    assert "client_request_id" not in logs[-1] and logs[-1]["request_id"] == api.last.headers["X-Request-Id"]
    logs = _access_logs(lambda: api.get("/v1/health"))
    assert "client_request_id" not in logs[-1]


def test_behind_api_gateway_the_request_id_is_the_gateways():
    """Through the Lambda entry point: API Gateway's requestContext.requestId, the id its own logs and
    gateway responses carry, even when the client sends another."""
    import json

    from app import app

    event = {
        "resource": "/v1/health",
        "path": "/v1/health",
        "httpMethod": "GET",
        "headers": {"Host": "x", "X-Request-Id": "client-chosen-id-1"},
        "multiValueHeaders": {"Host": ["x"], "X-Request-Id": ["client-chosen-id-1"]},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": None,
        "stageVariables": None,
        "body": None,
        "isBase64Encoded": False,
        "requestContext": {
            "resourcePath": "/v1/health",
            "httpMethod": "GET",
            "path": "/v1/v1/health",
            "requestId": "c0a8e1f2-1381-2345-6789-a13812345678",
            "stage": "v1",
            "identity": {},
        },
    }

    class Ctx:
        function_name = "fielddesk"
        memory_limit_in_mb = 512
        aws_request_id = "r"  # noqa: E702
        invoked_function_arn = "arn:aws:lambda:cn-north-1:123456789012:function:fielddesk"

        def get_remaining_time_in_millis(self):
            return 30000

    response = {}
    logs = _access_logs(lambda: response.update(app(event, Ctx())))
    assert response["statusCode"] == 200, json.dumps(response)[:500]
    headers = {k.lower(): v for k, v in response["headers"].items()}
    assert headers["x-request-id"] == "c0a8e1f2-1381-2345-6789-a13812345678"
    assert logs[-1]["request_id"] == "c0a8e1f2-1381-2345-6789-a13812345678"  # not redacted either
    assert logs[-1]["client_request_id"] == "client-chosen-id-1"


def test_oversized_body_gets_413(api):
    status, body = api.post("/v1/staff", raw="x" * (300 * 1024), as_="adm-001")
    assert status == 413 and body["error"]["code"] == "payload_too_large"


def test_invalid_json_and_unknown_fields_name_the_field(api):
    status, body = api.post("/v1/staff", raw="{not json", as_="adm-001")
    assert status == 400 and body["error"]["details"][0]["field"] == "body"
    status, body = api.post(
        "/v1/staff",
        {"staff_id": "x-1", "name": "甲", "role": "client_manager", "branch_id": "br-pudong", "salary": 1},
        as_="adm-001",
    )
    assert status == 400
    assert any(d["field"] == "salary" for d in body["error"]["details"])
    status, body = api.post(
        "/v1/staff", {"staff_id": "x-1", "name": "甲", "role": "wizard", "branch_id": "br-pudong"}, as_="adm-001"
    )
    assert status == 400 and body["error"]["details"][0]["field"] == "role"


def test_unsupported_method_keeps_the_envelope(api):
    status, body = api.call("DELETE", "/v1/health")
    assert status in (403, 405) and "error" in body


def test_idempotent_retry_returns_first_result_and_stores_once(api):
    staff = {"staff_id": "cm-050", "name": "重试", "role": "client_manager", "branch_id": "br-pudong"}
    key = {"Idempotency-Key": "form-submit-0001"}
    first = api.post("/v1/staff", staff, as_="adm-001", headers=key)
    again = api.post("/v1/staff", staff, as_="adm-001", headers=key)
    assert first[0] == 201 and again == first
    status, body = api.post("/v1/staff", {**staff, "name": "别的"}, as_="adm-001", headers=key)
    assert status == 422 and body["error"]["details"][0]["field"] == "Idempotency-Key"
    # Without the key the same body is a new submission and meets the stored record.
    assert api.post("/v1/staff", staff, as_="adm-001")[0] == 409


def test_idempotency_keys_are_scoped_to_the_caller(api):
    key = {"Idempotency-Key": "same-key-different-users"}
    a = {"staff_id": "cm-051", "name": "甲", "role": "client_manager", "branch_id": "br-pudong"}
    b = {**a, "staff_id": "cm-052"}
    assert api.post("/v1/staff", a, as_="adm-001", headers=key)[0] == 201
    assert api.post("/v1/staff", b, as_="adm-002", headers=key)[0] == 201
