"""The integrator's contract in docs/openapi.json (issue 15 §5): typed answers, one schema per account
event, documented enums and list orders, stable types. Walks the committed document (test_openapi.py
checks that it is the generated one), then checks through the API that what is read back keeps the
type it was written with."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chalicelib import clock
from chalicelib.models.accounts import EVENT_TYPES

DOC = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"

# The OpenAPI document itself is the one answer that is any JSON object.
UNTYPED_ANSWERS = {"openapi_document"}
# Nested objects still typed `object` with no properties.
# This list may only shrink: a new untyped object fails, and so does an entry here that got typed.
KNOWN_UNTYPED = {"TaskDetailOut.detail", "TaskOut.detail"}  # a trigger's facts: keys depend on the trigger


@pytest.fixture(scope="module")
def doc() -> dict:
    return json.loads(DOC.read_text(encoding="utf-8"))


def _operations(doc):
    for path, item in doc["paths"].items():
        for method, op in item.items():
            yield method, path, op


def _answer(op) -> dict | None:
    for status, answer in op["responses"].items():
        if status.startswith("2") and "content" in answer and "application/json" in answer["content"]:
            return answer["content"]["application/json"]["schema"]
    return None


def _untyped(schema: dict) -> bool:
    return (
        schema.get("type") == "object"
        and not schema.get("properties")
        and not isinstance(schema.get("additionalProperties"), dict)
    ) or schema == {}


def _options(prop: dict) -> list[dict]:
    return [o for o in prop.get("anyOf", [prop]) if o != {"type": "null"}]


def test_every_json_answer_is_a_typed_schema(doc):
    untyped = []
    for method, path, op in _operations(doc):
        schema = _answer(op)
        if schema is None or op["operationId"] in UNTYPED_ANSWERS:
            continue
        if "$ref" not in schema and _untyped(schema):
            untyped.append(f"{method.upper()} {path}")
    assert not untyped, f"answers typed only as `object`: {untyped}"


def test_no_schema_has_untyped_items_and_nested_objects_only_shrink(doc):
    found, empty_items = set(), []
    for name, schema in doc["components"]["schemas"].items():
        for prop_name, prop in schema.get("properties", {}).items():
            if prop.get("items") == {}:
                empty_items.append(f"{name}.{prop_name}")
            for option in _options(prop):
                if _untyped(option):
                    found.add(f"{name}.{prop_name}")
                if (
                    option.get("type") == "array"
                    and isinstance(option.get("items"), dict)
                    and _untyped(option["items"])
                ):
                    found.add(f"{name}.{prop_name}[]")
    assert not empty_items, f"`items: {{}}` in {empty_items}"
    assert not found - KNOWN_UNTYPED, f"new untyped objects: {sorted(found - KNOWN_UNTYPED)}"
    assert not KNOWN_UNTYPED - found, f"typed now, drop from KNOWN_UNTYPED: {sorted(KNOWN_UNTYPED - found)}"


def test_the_report_answers_have_their_own_schemas(doc):
    ref = {op["operationId"]: (_answer(op) or {}).get("$ref", "").rsplit("/", 1)[-1] for _, _, op in _operations(doc)}
    assert ref["monthly_report"] == "MonthlyReport" and ref["attrition_report"] == "AttritionReport"
    assert ref["get_scorecard"] == "Scorecard" and ref["get_rollup"] == "ScorecardRollup"
    assert ref["coverage_report"] == "CoverageOut" and ref["get_import"] == "ImportSummary"
    assert ref["set_year_end"] == "YearEndOut" and ref["review_task"] == "ReviewRecordOut"
    card = doc["components"]["schemas"]["Scorecard"]["properties"]
    assert card["yuan_owed"]["type"] == "string", "money is a decimal string, never a float"


def test_account_events_are_one_schema_per_type_with_a_discriminator(doc):
    schemas = doc["components"]["schemas"]
    items = schemas["AccountEventBatch"]["properties"]["events"]["items"]
    assert items["discriminator"]["propertyName"] == "type"
    mapping = items["discriminator"]["mapping"]
    assert sorted(mapping) == sorted(EVENT_TYPES)
    assert sorted(o["$ref"] for o in items["oneOf"]) == sorted(mapping.values())
    for event_type, ref in mapping.items():
        member = schemas[ref.rsplit("/", 1)[-1]]
        assert member["properties"]["type"]["const"] == event_type and "type" in member["required"]
    assert "phone" in schemas["AccountOpened"]["required"] and "amount" in schemas["TransferOut"]["required"]


def _enums(node, where):
    if isinstance(node, dict):
        if isinstance(node.get("enum"), list) and len(node["enum"]) > 1:
            yield where, node
        for key, value in node.items():
            yield from _enums(value, f"{where}/{key}")
    elif isinstance(node, list):
        for value in node:
            yield from _enums(value, where)


def test_every_enum_says_what_each_value_means(doc):
    bare = []
    places = [("#/components/schemas", doc["components"]["schemas"])]
    places += [(op["operationId"], op.get("parameters", [])) for _, _, op in _operations(doc)]
    for where, node in places:
        for at, enum in _enums(node, where):
            meanings = enum.get("x-enum-descriptions", [])
            if (
                len(meanings) != len(enum["enum"])
                or not all(meanings)
                or not all(f"`{v}`" in enum.get("description", "") for v in enum["enum"])
            ):
                bare.append((at, enum["enum"]))
    assert not bare, f"enums without a meaning for each value (chalicelib/enum_meanings.py): {bare}"
    task = doc["components"]["schemas"]["TaskOut"]["properties"]
    assert "`closed_unreached`" in task["status"]["description"]
    assert task["priority"]["description"].startswith("0 is the most urgent")


def test_every_list_says_its_order(doc):
    schemas = doc["components"]["schemas"]
    unordered = []
    for method, path, op in _operations(doc):
        ref = (_answer(op) or {}).get("$ref")
        if method == "get" and ref and "items" in schemas[ref.rsplit("/", 1)[-1]].get("properties", {}):
            if "Order: " not in op.get("description", ""):
                unordered.append(path)
    assert not unordered, f"list routes that do not say their order: {unordered}"
    mine = doc["paths"]["/v1/callback-tasks/mine"]["get"]["description"]
    assert "Order: risk tasks first" in mine and "priority" in mine


def _types(prop: dict) -> set[str]:
    return {o.get("type", "ref") for o in _options(prop)}


def test_a_field_written_as_a_number_is_read_as_a_number(doc):
    schemas = doc["components"]["schemas"]
    attempt, outcome = schemas["AttemptIn"]["properties"], schemas["OutcomeOut"]["properties"]
    assert _types(attempt["satisfaction"]) == _types(outcome["satisfaction"]) == {"integer"}
    assert _types(schemas["AttemptRecordOut"]["properties"]["satisfaction"]) == {"integer"}
    assert _types(schemas["LocationOut"]["properties"]["lat"]) == {"number"}


# --- through the API: what is read back has the type it was written with --------------------------------
NOW = "2026-11-20T10:00:00+08:00"


def test_satisfaction_stays_an_integer_on_every_read(api):
    from tests.api.test_callback_work import REACHED
    from tests.factories.tasks import make_account, make_task

    with clock.freeze(NOW):
        make_account("A002")
        task = make_task("dormant", "A002", business_date="2026-11-20", due_on="2026-11-20", priority=5)
        status, written = api.post(f"/v1/callback-tasks/{task['task_id']}/attempts", REACHED, as_="cba-001")
        assert status == 201, written
        assert written["task"]["outcome"]["satisfaction"] == 5 and written["attempt"]["satisfaction"] == 5
        status, read = api.get(f"/v1/callback-tasks/{task['task_id']}", as_="cba-001")
    assert status == 200
    # Read back from DynamoDB (a Decimal there): still the JSON integer 5, never "5".
    assert read["outcome"]["satisfaction"] == 5 and type(read["outcome"]["satisfaction"]) is int
    assert [type(h["satisfaction"]) for h in read["history"]] == [int]


def test_a_visits_coordinates_stay_numbers_on_read(api):
    body = {
        "kind": "on_site",
        "visited_at": "2026-11-20T09:30:00+08:00",
        "unit_name": "陆家嘴某公司",
        "person_met": "李四",
        "discussed": "开户流程",
        "clients_count": 2,
        "location": {"lat": 31.2397, "lng": 121.4998, "accuracy_m": 12.5},
    }
    with clock.freeze(NOW):
        status, written = api.post("/v1/visits", body, as_="cm-001")
        assert status == 201, written
        status, read = api.get(f"/v1/visits/{written['visit_id']}", as_="cm-001")
    assert status == 200
    assert read["location"] == {"lat": 31.2397, "lng": 121.4998, "accuracy_m": 12.5}
