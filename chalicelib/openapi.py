"""The OpenAPI 3.1 document, generated from the route registry.

Every route declared through `api.routing.route` is in `routing.ROUTES` with its
roles, models and statuses; this module turns that list into one document, so a
route added anywhere appears here without further work. Schemas come from
pydantic (`TypeAdapter.json_schemas`, request models in validation mode, responses
in serialization mode) with their `$defs` hoisted into `components.schemas`.

`make openapi` writes the document to docs/openapi.json; a test fails when the
committed copy is stale, invalid, or misses a route.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, TypeAdapter
from pydantic.json_schema import JsonSchemaMode

OPENAPI_VERSION = "3.1.0"
TITLE = "FieldDesk API"
REF_TEMPLATE = "#/components/schemas/{model}"
ERROR_REF = {"$ref": "#/components/schemas/ErrorEnvelope"}
_PATH_PARAM = re.compile(r"{([^}]+)}")

# Paths start with /v1/: the custom domain's base path maps to the API stage (docs/operations.md).
SERVERS = [
    {
        "url": "https://{host}",
        "description": "Production: the API's custom domain (ICP-filed in China)",
        "variables": {
            "host": {
                "default": "api.fielddesk.example.cn",
                "description": "the brokerage's API domain, base path mapped to stage v1",
            }
        },
    },
    {
        "url": "https://{api_id}.execute-api.{region}.{suffix}/v1",
        "description": "The raw API Gateway stage URL (unreachable in China before the ICP filing)",
        "variables": {
            "api_id": {"default": "abcdef1234", "description": "the stack's RestAPIId output"},
            "region": {
                "default": "cn-north-1",
                "enum": ["cn-north-1", "cn-northwest-1", "us-east-1", "ap-southeast-1"],
            },
            "suffix": {"default": "amazonaws.com.cn", "enum": ["amazonaws.com.cn", "amazonaws.com"]},
        },
    },
    {"url": "http://127.0.0.1:8000", "description": "`make run` on a development machine"},
]

ERROR_DESCRIPTIONS = {
    400: "Invalid input; `error.details` names each failing field",
    401: "Missing, invalid or expired credentials",
    403: "The caller's role or scope may not do this",
    404: "No such resource (or not visible to the caller)",
    409: "Conflict: the resource exists, the state moved on, or the same submission is in progress",
    413: "Request body too large",
    415: "Unsupported media type: send `Content-Type: application/json` (or none)",
    422: "Well-formed but refused by the rules (or Idempotency-Key reused with another body)",
    429: "Rate limit or quota exceeded (API Gateway usage plan); retry after a pause",
    503: "A dependency (database, API Gateway, KMS) refused or failed; nothing was changed; retry",
}

DESCRIPTION = """FieldDesk back end for client managers, callback agents and partner bank outlets.

* Staff authenticate with a bearer JWT (Cognito in production); partner bank outlets with `X-Api-Key`.
* Every failure has one shape: `{"error": {"code", "message", "details"}}`.
* POST routes accept an `Idempotency-Key` header: a retry returns the first result.
* Lists are cursor-paginated: pass `next_token` from the previous page; `limit` caps the page size.
"""


class ErrorDetail(BaseModel):
    model_config = ConfigDict(extra="allow")
    field: str
    message: str
    type: str | None = None


class ErrorBody(BaseModel):
    model_config = ConfigDict(extra="allow")
    code: str
    message: str
    details: list[ErrorDetail] = []


class ErrorEnvelope(BaseModel):
    """The one error shape every refusal has, ours and API Gateway's alike."""

    error: ErrorBody


def _adapter(tp: Any) -> TypeAdapter:
    return TypeAdapter(tp)


def _schemas(routes) -> tuple[dict, dict]:
    """One pass over all models so names are shared and input/output variants are told apart."""
    inputs: list[tuple[Any, JsonSchemaMode, TypeAdapter]] = [
        (("error", ErrorEnvelope), "serialization", _adapter(ErrorEnvelope))
    ]
    seen = {("error", ErrorEnvelope)}
    for spec in routes:
        # The *_model properties resolve lazy "module:Name" references (see api.routing).
        variants: tuple[tuple[str, Any, JsonSchemaMode], ...] = (
            ("body", spec.body_model, "validation"),
            ("query", spec.query_model, "validation"),
            ("response", spec.response_model, "serialization"),
        )
        for kind, tp, mode in variants:
            if tp is None or (kind, tp) in seen:
                continue
            seen.add((kind, tp))
            inputs.append(((kind, tp), mode, _adapter(tp)))
    mapping, top = TypeAdapter.json_schemas(inputs, ref_template=REF_TEMPLATE)
    schemas = {key: schema for (key, _mode), schema in mapping.items()}
    defs = dict(top.get("$defs", {}))
    names = client_names(defs)
    return _renamed(schemas, names), {names[n]: _renamed(d, names) for n, d in defs.items()}


def client_name(name: str) -> str:
    """A schema name a client generator keeps apart from every other.

    pydantic names two models of one name by module (`chalicelib__models__visits__RevealIn`) and a
    model whose input and output differ `RuleOverride-Input`/`-Output`; generators turn both kinds
    into the same class name and drop operations. Here: `VisitsRevealOut`, `RuleOverrideInput`.
    """
    if "__" in name:
        area, model = name.split("__")[-2:]
        name = "".join(part[:1].upper() + part[1:] for part in area.split("_")) + model
    for suffix in ("-Input", "-Output"):
        if name.endswith(suffix):
            name = name[: -len(suffix)] + suffix[1:]
    return name


def client_names(defs: dict) -> dict[str, str]:
    names = {n: client_name(n) for n in defs}
    clashes = {new for new in names.values() if list(names.values()).count(new) > 1}
    if clashes or not all(re.fullmatch(r"[A-Za-z][A-Za-z0-9]*", n) for n in names.values()):
        raise ValueError(f"OpenAPI schema names collide or are not identifiers: {sorted(clashes) or names}")
    return names


def _renamed(node, names: dict[str, str]):
    if isinstance(node, dict):
        out = {k: _renamed(v, names) for k, v in node.items()}
        ref = out.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            out["$ref"] = _renamed_ref(ref, names)
        mapping = out.get("discriminator", {}).get("mapping") if isinstance(out.get("discriminator"), dict) else None
        if isinstance(mapping, dict):  # a discriminated union names its members by $ref too
            out["discriminator"] = {
                **out["discriminator"],
                "mapping": {k: _renamed_ref(v, names) for k, v in mapping.items()},
            }
        return out
    if isinstance(node, list):
        return [_renamed(v, names) for v in node]
    return node


def _document_enums(node) -> None:
    """Every enum says what each value means (chalicelib/enum_meanings.py): a description and
    `x-enum-descriptions` in value order. An enum with no meanings there is left bare (the contract
    test fails on it)."""
    from .enum_meanings import for_values

    if isinstance(node, dict):
        values = node.get("enum")
        if isinstance(values, list) and len(values) > 1 and "x-enum-descriptions" not in node:
            meanings = for_values(values)
            if meanings:
                node["x-enum-descriptions"] = [meanings[str(v)] for v in values]
                text = "; ".join(f"`{v}`: {meanings[str(v)]}" for v in values)
                node["description"] = f"{node['description']} ({text})" if node.get("description") else text
        for value in node.values():
            _document_enums(value)
    elif isinstance(node, list):
        for value in node:
            _document_enums(value)


def _renamed_ref(ref: str, names: dict[str, str]) -> str:
    name = ref.rsplit("/", 1)[-1]
    return REF_TEMPLATE.format(model=names.get(name, name))


def _security(spec) -> list[dict] | None:
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


def _query_parameters(query_schema: dict, defs: dict) -> list[dict]:
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


def _error_statuses(spec) -> list[int]:
    statuses = set(spec.errors) | {415, 429}
    if spec.body is not None or spec.query is not None or spec.idempotent:
        statuses.add(400)
    if spec.body is not None:
        statuses.add(413)
    if not spec.public:
        statuses |= {401, 403}
    if _PATH_PARAM.search(spec.path):
        statuses.add(404)
    if spec.idempotent:
        statuses |= {409, 422}
    return sorted(s for s in statuses if s >= 400)


def _operation_ids(routes) -> list[str]:
    ids, used = [], set()
    for spec in routes:
        base = spec.operation_id or f"{spec.method.lower()}_{re.sub(r'[^A-Za-z0-9]+', '_', spec.path).strip('_')}"
        op_id = base
        if op_id in used:
            op_id = f"{base}_{spec.method.lower()}_{re.sub(r'[^A-Za-z0-9]+', '_', spec.path).strip('_')}"
        used.add(op_id)
        ids.append(op_id)
    return ids


def _success_response(spec, schemas: dict) -> dict:
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


def build_document(routes=None, *, version: str | None = None) -> dict:
    """The OpenAPI document for `routes` (default: every registered route)."""
    if routes is None:
        from .api.routing import ROUTES

        routes = ROUTES
    if version is None:
        from .config import get_settings

        version = get_settings().version
    schemas, defs = _schemas(routes)
    _document_enums(defs)
    _document_enums(schemas)
    paths: dict[str, dict] = {}
    for spec, op_id in zip(routes, _operation_ids(routes), strict=False):
        op: dict[str, Any] = {"operationId": op_id, "summary": spec.summary}
        if spec.tags:
            op["tags"] = list(spec.tags)
        description = []
        if not spec.public:
            description.append("Allowed roles: " + ", ".join(f"`{r}`" for r in spec.roles))
        if spec.order:
            description.append(f"Order: {spec.order}")
        if description:
            op["description"] = "\n\n".join(description)
        parameters = [
            {
                "name": name,
                "in": "path",
                "required": True,
                "schema": {"type": "string", "minLength": 1, "maxLength": 128},
            }
            for name in _PATH_PARAM.findall(spec.path)
        ]
        if spec.query is not None:
            parameters += _query_parameters(schemas[("query", spec.query_model)], defs)
        if spec.idempotent:
            parameters.append({"$ref": "#/components/parameters/IdempotencyKey"})
        if parameters:
            op["parameters"] = parameters
        if spec.body is not None:
            op["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": schemas[("body", spec.body_model)]}},
            }
        security = _security(spec)
        if security is not None:
            op["security"] = security
        responses = {str(spec.status): _success_response(spec, schemas)}
        for status in _error_statuses(spec):
            responses[str(status)] = {"$ref": f"#/components/responses/E{status}"}
        op["responses"] = responses
        paths.setdefault(spec.path, {})[spec.method.lower()] = op
    return {
        "openapi": OPENAPI_VERSION,
        "info": {"title": TITLE, "version": version, "description": DESCRIPTION},
        "servers": SERVERS,
        "paths": dict(sorted(paths.items())),
        "security": [{"bearerAuth": []}],
        "components": {
            "schemas": dict(sorted(defs.items())),
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "JWT",
                    "description": "Staff: an RS256/ES256 JWT of the stack's OIDC issuer (Cognito or the "
                    "brokerage's IdP): the ID token, or the access token where the "
                    "stack's TokenUse is access.",
                },
                "outletApiKey": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "X-Api-Key",
                    "description": "Partner bank outlets: `fdk_<key id>.<secret>`, issued by an admin.",
                },
            },
            "parameters": {"IdempotencyKey": _idempotency_parameter()},
            "headers": {
                "XRequestId": {
                    "description": "Echoes a well-formed X-Request-Id, else a new id; " "quote it to support.",
                    "schema": {"type": "string"},
                }
            },
            "responses": {
                f"E{status}": {
                    "description": text,
                    "headers": {"X-Request-Id": {"$ref": "#/components/headers/XRequestId"}},
                    "content": {"application/json": {"schema": ERROR_REF}},
                }
                for status, text in ERROR_DESCRIPTIONS.items()
            },
        },
    }


def _idempotency_parameter() -> dict:
    from .api.routing import _IDEMPOTENCY_KEY

    return {
        "name": "Idempotency-Key",
        "in": "header",
        "required": False,
        "description": "Retry-safe submission: the same key and body within 24 h returns the first "
        "result and stores nothing twice; the same key with another body is refused (422).",
        "schema": {"type": "string", "pattern": _IDEMPOTENCY_KEY.pattern},
    }
