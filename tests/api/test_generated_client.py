"""An integrator's client, generated from docs/openapi.json alone, covers every operation and works.

No client generator is installed here (openapi-python-client is not a dependency), so the test
builds the client a generator would: one method per operationId, path and query parameters
from the document, request bodies and every answer validated against the document's schemas
(jsonschema, draft 2020-12, `$ref`s resolved inside the document). Three operations are then
called through it against the app on moto.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import quote, urlencode

import jsonschema
import pytest

from chalicelib import clock

DOC = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"
METHODS = ("get", "put", "post", "patch", "delete")


@pytest.fixture(scope="module")
def document() -> dict:
    return json.loads(DOC.read_text(encoding="utf-8"))


def _refs(node):
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            yield node["$ref"]
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def _resolve(document: dict, ref: str):
    assert ref.startswith("#/"), ref
    node = document
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


class GeneratedClient:
    """What a generator makes of the document: `client.record_visit(body=..., as_=...)` -> (status, data)."""

    def __init__(self, document: dict, transport):
        self.document, self.transport, self.operations = document, transport, {}
        for path, item in document["paths"].items():
            for method in METHODS:
                if method in item:
                    op = item[method]
                    assert op["operationId"] not in self.operations, op["operationId"]
                    self.operations[op["operationId"]] = (method, path, op)

    def validator(self, schema: dict):
        # The document's components at the root, so `#/components/...` resolves as in the document.
        return jsonschema.Draft202012Validator({**schema, "components": self.document["components"]})

    def parameters(self, op: dict) -> list[dict]:
        return [_resolve(self.document, p["$ref"]) if "$ref" in p else p for p in op.get("parameters", [])]

    def response_schema(self, op: dict, status: int, content_type: str) -> dict | None:
        answer = op["responses"].get(str(status))
        assert answer is not None, f"{op['operationId']} answered {status}, which the document does not list"
        answer = _resolve(self.document, answer["$ref"]) if "$ref" in answer else answer
        content = answer.get("content")
        if not content:
            return None
        assert content_type in content, (op["operationId"], status, content_type, list(content))
        return content[content_type]["schema"]

    def __getattr__(self, operation_id: str):
        if operation_id not in self.operations:
            raise AttributeError(operation_id)
        return lambda **kw: self.call(operation_id, **kw)

    def call(self, operation_id: str, *, body=None, as_=None, **arguments):
        method, path, op = self.operations[operation_id]
        query, headers = {}, {}
        for param in self.parameters(op):
            name, value = param["name"], arguments.pop(param["name"].replace("-", "_"), None)
            if value is None:
                if param.get("required"):
                    raise TypeError(f"{operation_id}() needs {name}")
                continue
            if param["in"] == "path":
                path = path.replace("{%s}" % name, quote(str(value), safe=""))
            elif param["in"] == "query":
                query[name] = value
            else:
                headers[name] = value
        if arguments:
            raise TypeError(f"{operation_id}() got unexpected arguments {sorted(arguments)}")
        if "requestBody" in op:
            self.validator(op["requestBody"]["content"]["application/json"]["schema"]).validate(body)
        url = path + ("?" + urlencode(query) if query else "")
        status, data = self.transport.call(method.upper(), url, body, as_=as_, headers=headers)
        content_type = (self.transport.last.headers.get("Content-Type") or "").split(";")[0]
        schema = self.response_schema(op, status, content_type)
        if schema is not None and content_type == "application/json":
            self.validator(schema).validate(data)
        return status, data


def test_every_operation_has_an_operation_id_and_every_ref_resolves(document):
    ids = [op.get("operationId") for item in document["paths"].values() for m, op in item.items() if m in METHODS]
    assert all(ids) and len(ids) == len(set(ids))
    for ref in set(_refs(document)):
        _resolve(document, ref)  # KeyError names a dangling reference


def test_schema_names_are_unique_identifiers_a_generator_keeps_apart(document):
    names = list(document["components"]["schemas"])
    assert all(re.fullmatch(r"[A-Za-z][A-Za-z0-9]*", n) for n in names), [n for n in names if "__" in n or "-" in n]
    # Generators fold case and drop separators: names must stay distinct after that, too.
    folded = [n.lower() for n in names]
    assert len(folded) == len(set(folded))
    assert {
        "VisitsRevealOut",
        "ProspectsRevealOut",
        "AccountsRevealOut",
        "RuleOverrideInput",
        "RuleOverrideOutput",
    } <= set(names)


def test_the_document_names_its_servers(document):
    urls = [s["url"] for s in document["servers"]]
    assert urls[0] == "https://{host}" and "http://127.0.0.1:8000" in urls
    for server in document["servers"]:
        assert set(re.findall(r"{(\w+)}", server["url"])) == set(server.get("variables", {}))


def test_the_generated_client_covers_every_operation_and_its_schemas_compile(document):
    client = GeneratedClient(document, transport=None)
    assert len(client.operations) == sum(1 for item in document["paths"].values() for m in item if m in METHODS)
    for operation_id, (_method, path, op) in client.operations.items():
        declared = {p["name"] for p in client.parameters(op) if p["in"] == "path"}
        assert declared == set(re.findall(r"{([^}]+)}", path)), operation_id
        schemas = [
            content["schema"]
            for answer in op["responses"].values()
            for content in (_resolve(document, answer["$ref"]) if "$ref" in answer else answer)
            .get("content", {})
            .values()
        ]
        if "requestBody" in op:
            schemas.append(op["requestBody"]["content"]["application/json"]["schema"])
        for schema in schemas:
            validator = client.validator(schema)
            validator.check_schema(validator.schema)
            for ref in _refs(schema):
                _resolve(document, ref)


def test_three_operations_called_through_the_generated_client(api, document):
    client = GeneratedClient(document, api)
    status, health = client.health()
    assert status == 200 and health["status"] == "ok"
    status, me = client.me(as_="cm-001")
    assert status == 200 and me["staff_id"] == "cm-001"
    visit = {
        "kind": "on_site",
        "visited_at": "2026-11-20T10:00:00+08:00",
        "unit_name": "张江高科技园区某公司",
        "person_met": "李总",
        "discussed": "介绍两融业务",
        "outcome": "有兴趣",
        "clients_count": 2,
    }
    with clock.freeze("2026-11-20T16:00:00+08:00"):
        status, created = client.record_visit(body=visit, as_="cm-001", Idempotency_Key="generated-client-0001")
        assert status == 201, created
        status, page = client.list_visits(as_="cm-001")
    assert status == 200 and created["visit_id"] in [v["visit_id"] for v in page["items"]]
    with pytest.raises(jsonschema.ValidationError):  # the client refuses what the document refuses
        client.record_visit(body={**visit, "kind": "teleport"}, as_="cm-001")
    status, error = client.me()  # and an error answer is validated against the envelope
    assert status == 401 and error["error"]["code"]


def _body_validator(document, operation_id):
    client = GeneratedClient(document, transport=None)
    op = client.operations[operation_id][2]
    return client.validator(op["requestBody"]["content"]["application/json"]["schema"])


def test_fields_required_at_run_time_are_required_in_the_schema(document):
    visits = _body_validator(document, "record_visit")
    visit = {"kind": "on_site", "visited_at": "2026-11-20T10:00:00+08:00", "person_met": "李总", "discussed": "两融"}
    assert not visits.is_valid(visit) and not visits.is_valid({**visit, "unit_name": None})
    assert visits.is_valid({**visit, "unit_name": "某公司"}) and visits.is_valid({**visit, "outlet_id": "ol-1"})

    attempts = _body_validator(document, "record_attempt")
    assert attempts.is_valid({"channel": "phone", "reached": False, "reason": "no_answer"})
    reached = {
        "channel": "phone",
        "reached": True,
        "answered_by": "client",
        "identity_confirmed": True,
        "recording_ref": "rec-1",
        "dialled_number": "13912345678",
    }
    assert not attempts.is_valid(reached), "a reached phone call carries the client's satisfaction"
    assert attempts.is_valid({**reached, "satisfaction": 5})
    del reached["recording_ref"]
    assert not attempts.is_valid({**reached, "satisfaction": 5}), "and the recording as evidence"


def test_the_schema_requires_what_the_domain_requires_of_every_channel():
    """The schema's if/then rules come from the tables the domain checks (models/callbacks.py)."""
    from chalicelib.domain.callback_work import required_content
    from chalicelib.models.callbacks import AttemptIn, Channel

    rules = AttemptIn.model_json_schema()["allOf"]
    task = {"trigger": "departed_manager", "status": "open"}  # a trigger that adds nothing of its own
    for channel in Channel:
        schema_required = set()
        for rule in rules:
            condition = rule["if"]["properties"]
            if condition.get("channel", {"const": channel.value})["const"] == channel.value:
                schema_required |= set(rule["then"]["required"])
        assert schema_required == set(required_content(task, channel.value)), channel
