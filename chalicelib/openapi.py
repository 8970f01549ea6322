"""The OpenAPI 3.1 document, generated from the route registry.

Every route declared through `api.routing.route` is in `route_spec.ROUTES` with its
roles, models and statuses; this module turns that list into one document, so a
route added anywhere appears here without further work. Schemas come from
pydantic (`TypeAdapter.json_schemas`, request models in validation mode, responses
in serialization mode) with their `$defs` hoisted into `components.schemas`.

`make openapi` writes the document to docs/openapi.json; a test fails when the
committed copy is stale, invalid, or misses a route. The schemas and their names are
openapi_schemas.py's, each operation's parts (id, security, parameters, responses) openapi_operations.py's.
"""

from __future__ import annotations

from typing import Any

from .openapi_operations import (
    PATH_PARAM,
    error_statuses,
    operation_ids,
    query_parameters,
    route_security,
    success_response,
)
from .openapi_schemas import document_enums, route_schemas

OPENAPI_VERSION = "3.1.0"
TITLE = "FieldDesk API"
ERROR_REF = {"$ref": "#/components/schemas/ErrorEnvelope"}

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


def build_document(routes=None, *, version: str | None = None) -> dict:
    """The OpenAPI document for `routes` (default: every registered route)."""
    if routes is None:
        from .api.route_spec import ROUTES

        routes = ROUTES
    if version is None:
        from .config import get_settings

        version = get_settings().version
    schemas, defs = route_schemas(routes)
    document_enums(defs)
    document_enums(schemas)
    paths: dict[str, dict] = {}
    for spec, op_id in zip(routes, operation_ids(routes), strict=False):
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
            for name in PATH_PARAM.findall(spec.path)
        ]
        if spec.query is not None:
            parameters += query_parameters(schemas[("query", spec.query_model)], defs)
        if spec.idempotent:
            parameters.append({"$ref": "#/components/parameters/IdempotencyKey"})
        if parameters:
            op["parameters"] = parameters
        if spec.body is not None:
            op["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": schemas[("body", spec.body_model)]}},
            }
        security = route_security(spec)
        if security is not None:
            op["security"] = security
        responses = {str(spec.status): success_response(spec, schemas)}
        for status in error_statuses(spec):
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
