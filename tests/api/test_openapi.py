"""The OpenAPI document: valid, complete, served, and committed up to date."""

from __future__ import annotations

import json
import re

import pytest
from openapi_spec_validator import validate

import app  # noqa: F401  - registers every route
from chalicelib.api.route_spec import ROUTES, RouteSpec
from chalicelib.openapi import build_document
from infra.openapi_doc import DOC, render


@pytest.fixture(scope="module")
def document():
    return build_document(version="0.0.0-test")


def test_document_is_valid_openapi(document):
    validate(document)
    assert document["openapi"].startswith("3.1")


def test_every_registered_route_is_described_with_its_method(document):
    assert ROUTES, "no routes registered"
    for spec in ROUTES:
        assert spec.path in document["paths"], f"{spec.path} missing from the OpenAPI document"
        assert spec.method.lower() in document["paths"][spec.path], f"{spec.method} {spec.path} missing"
    ids = [op["operationId"] for item in document["paths"].values() for op in item.values()]
    assert len(ids) == len(set(ids)) == len(ROUTES)


def test_committed_document_is_up_to_date():
    assert DOC.exists(), "docs/openapi.json is missing: run `make openapi`"
    assert (
        DOC.read_text(encoding="utf-8") == render()
    ), "docs/openapi.json is out of date: run `make openapi` and commit the result"


def test_route_overview_is_up_to_date():
    from infra import routes_doc

    assert (
        routes_doc.DOC.read_text(encoding="utf-8") == routes_doc.render()
    ), "docs/routes.md is out of date: run `make openapi` and commit the result"


def test_request_and_response_schemas_come_from_the_models(document):
    post = document["paths"]["/v1/staff"]["post"]
    assert post["requestBody"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/StaffIn"}
    assert post["responses"]["201"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/StaffOut"
    }
    staff_in = document["components"]["schemas"]["StaffIn"]
    assert staff_in["additionalProperties"] is False and "staff_id" in staff_in["required"]
    # Nested models are hoisted into components, never left in a local $defs.
    assert "$defs" not in json.dumps(document)
    assert "Location" in document["components"]["schemas"]


def test_errors_use_the_envelope_and_auth_errors_only_on_authenticated_routes(document):
    envelope = document["components"]["schemas"]["ErrorEnvelope"]
    assert envelope["required"] == ["error"]
    for status in ("400", "401", "403", "404", "409", "413", "415", "422", "429"):
        schema = document["components"]["responses"][f"E{status}"]["content"]["application/json"]["schema"]
        assert schema == {"$ref": "#/components/schemas/ErrorEnvelope"}
    health = document["paths"]["/v1/health"]["get"]
    assert health["security"] == [] and "401" not in health["responses"] and "400" not in health["responses"]
    me = document["paths"]["/v1/me"]["get"]
    assert {"401", "403", "429"} <= set(me["responses"]) and "400" not in me["responses"]
    assert "400" in document["paths"]["/v1/staff"]["get"]["responses"]  # query
    assert {"400", "409", "413", "422"} <= set(document["paths"]["/v1/staff"]["post"]["responses"])
    assert "404" in document["paths"]["/v1/staff/{staff_id}"]["get"]["responses"]


def test_security_schemes_follow_the_roles(document):
    schemes = document["components"]["securitySchemes"]
    assert schemes["bearerAuth"] == {**schemes["bearerAuth"], "type": "http", "scheme": "bearer"}
    assert schemes["outletApiKey"] == {**schemes["outletApiKey"], "type": "apiKey", "in": "header", "name": "X-Api-Key"}
    assert document["security"] == [{"bearerAuth": []}]
    outlet_only = RouteSpec(path="/v1/x", method="POST", roles=("outlet",), summary="outlet")
    mixed = RouteSpec(path="/v1/y/{y_id}", method="GET", roles=("outlet", "admin"), summary="mixed")
    doc = build_document([outlet_only, mixed], version="t")
    assert doc["paths"]["/v1/x"]["post"]["security"] == [{"outletApiKey": []}]
    assert doc["paths"]["/v1/y/{y_id}"]["get"]["security"] == [{"bearerAuth": []}, {"outletApiKey": []}]
    validate(doc)


def test_parameters_path_query_and_idempotency_key(document):
    get_staff = document["paths"]["/v1/staff/{staff_id}"]["get"]
    assert get_staff["parameters"][0] == {
        **get_staff["parameters"][0],
        "name": "staff_id",
        "in": "path",
        "required": True,
    }
    listing = {p["name"]: p for p in document["paths"]["/v1/staff"]["get"]["parameters"]}
    assert set(listing) == {"branch_id", "role", "limit", "next_token"}
    assert listing["limit"]["schema"]["maximum"] == 100 and listing["role"]["schema"]["enum"]
    assert all(p["in"] == "query" and not p["required"] for p in listing.values())
    post_params = document["paths"]["/v1/staff"]["post"]["parameters"]
    assert {"$ref": "#/components/parameters/IdempotencyKey"} in post_params
    key = document["components"]["parameters"]["IdempotencyKey"]
    assert key["in"] == "header" and key["name"] == "Idempotency-Key"
    assert re.match(key["schema"]["pattern"], "retry-0001") and not re.match(key["schema"]["pattern"], "short")
    patch = document["paths"]["/v1/staff/{staff_id}"]["patch"]
    assert all(p.get("$ref") != "#/components/parameters/IdempotencyKey" for p in patch["parameters"])


def test_served_publicly_and_matches_the_generator(api):
    status, body = api.get("/v1/openapi.json")
    assert status == 200
    assert set(body["paths"]) == set(build_document()["paths"])
    assert "/v1/openapi.json" in body["paths"]
    assert api.last.headers["Content-Type"].startswith("application/json")


def test_configuration_table_in_operations_guide_is_up_to_date():
    from infra import settings_doc

    text = settings_doc.DOC.read_text(encoding="utf-8")
    assert (
        settings_doc.render(text) == text
    ), "the configuration table in docs/operations.md is out of date: run `make openapi` and commit"
    from chalicelib.config import Settings

    for name in Settings.model_fields:
        assert f"FIELDDESK_{name.upper()}" in text or name in (
            "aws_region",
            "dynamodb_endpoint_url",
            "s3_endpoint_url",
        ), name
