"""The per-route parts of an OpenAPI operation: its id, security, query parameters, success and error responses."""

from __future__ import annotations

import re
from typing import Any

PATH_PARAM = re.compile(r"{([^}]+)}")


def route_security(spec) -> list[dict] | None:
    if spec.public:
        return []
    roles = set(spec.roles)
    outlet = "outlet" in roles
    staff = bool(roles - {"outlet"})
    if outlet and staff:
        return [{"bearerAuth": []}, {"outletApiKey": []}]
    if outlet:
        return [{"outletApiKey": []}]
    return None  # the document-level default: bearerAuth


def query_parameters(query_schema: dict, defs: dict) -> list[dict]:
    if "$ref" in query_schema:
        query_schema = defs[query_schema["$ref"].rsplit("/", 1)[-1]]
    required = set(query_schema.get("required", []))
    params = []
    for name, prop in query_schema.get("properties", {}).items():
        prop = _not_null(dict(prop))
        # An enum keeps its meanings in its schema (x-enum-descriptions beside them); the parameter says them too.
        description = prop.get("description") if "enum" in prop else prop.pop("description", None)
        prop.pop("title", None)
        param = {"name": name, "in": "query", "required": name in required, "schema": prop}
        if description:
            param["description"] = description
        params.append(param)
    return params


def _not_null(prop: dict) -> dict:
    """A query string is never JSON null: `anyOf [X, null]` becomes X."""
    options = [o for o in prop.get("anyOf", []) if o != {"type": "null"}]
    if "anyOf" in prop and len(options) == 1:
        rest = {k: v for k, v in prop.items() if k != "anyOf"}
        prop = {**options[0], **rest}
    if prop.get("default", 0) is None:
        del prop["default"]
    return prop


def error_statuses(spec) -> list[int]:
    statuses = set(spec.errors) | {415, 429}
    if spec.body is not None or spec.query is not None or spec.idempotent:
        statuses.add(400)
    if spec.body is not None:
        statuses.add(413)
    if not spec.public:
        statuses |= {401, 403}
    if PATH_PARAM.search(spec.path):
        statuses.add(404)
    if spec.idempotent:
        statuses |= {409, 422}
    return sorted(s for s in statuses if s >= 400)


def operation_ids(routes) -> list[str]:
    ids, used = [], set()
    for spec in routes:
        base = spec.operation_id or f"{spec.method.lower()}_{re.sub(r'[^A-Za-z0-9]+', '_', spec.path).strip('_')}"
        op_id = base
        if op_id in used:
            op_id = f"{base}_{spec.method.lower()}_{re.sub(r'[^A-Za-z0-9]+', '_', spec.path).strip('_')}"
        used.add(op_id)
        ids.append(op_id)
    return ids


def success_response(spec, schemas: dict) -> dict:
    response: dict[str, Any] = {
        "description": spec.summary,
        "headers": {"X-Request-Id": {"$ref": "#/components/headers/XRequestId"}},
    }
    if spec.status == 204:
        return response
    if spec.response is not None:
        schema = schemas[("response", spec.response_model)]
    elif spec.content_type == "application/json":
        schema = {"type": "object"}
    else:
        schema = {"type": "string"}
    response["content"] = {spec.content_type: {"schema": schema}}
    return response
