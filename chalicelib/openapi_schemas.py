"""The schemas of the OpenAPI document: every route's models in one pydantic pass, named for client generators.

Request models in validation mode, responses in serialization mode (`TypeAdapter.json_schemas`), their
`$defs` hoisted into `components.schemas` under names a generator keeps apart; every enum says what each
value means.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, TypeAdapter
from pydantic.json_schema import JsonSchemaMode

REF_TEMPLATE = "#/components/schemas/{model}"


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


def route_schemas(routes) -> tuple[dict, dict]:
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


def document_enums(node) -> None:
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
            document_enums(value)
    elif isinstance(node, list):
        for value in node:
            document_enums(value)


def _renamed_ref(ref: str, names: dict[str, str]) -> str:
    name = ref.rsplit("/", 1)[-1]
    return REF_TEMPLATE.format(model=names.get(name, name))
