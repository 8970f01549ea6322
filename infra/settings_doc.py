"""The configuration table in docs/operations.md, generated from chalicelib/config.py.

Every setting is listed with its environment variable, default and section; those the
CloudFormation stack sets for every function (infra/resources.json Globals) say so.
`make openapi` refreshes it with the OpenAPI document; a test fails when it is stale.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "operations.md"
CONFIG = ROOT / "chalicelib" / "config.py"
BEGIN, END = "<!-- settings:begin -->", "<!-- settings:end -->"
_SECTION = re.compile(r"^    # --- (.+?) -+\s*$")
_FIELD = re.compile(r"^    (\w+): ")
_LOCAL_ONLY = {
    "DYNAMODB_ENDPOINT_URL",
    "S3_ENDPOINT_URL",
    "FIELDDESK_JWT_SECRET",
    "FIELDDESK_FIELD_KEY_LOCAL",
    "FIELDDESK_DEV_TOKENS",
}
_SECRET = re.compile(r"secret|hash_key|token_key|field_key")


def _sections() -> dict[str, str]:
    section, out = "general", {}
    for line in CONFIG.read_text(encoding="utf-8").splitlines():
        if m := _SECTION.match(line):
            section = m.group(1)
        elif m := _FIELD.match(line):
            out[m.group(1)] = section
    return out


def _default(info) -> str:
    value = info.get_default(call_default_factory=True)
    if isinstance(value, list):
        value = ",".join(str(v) for v in value)
    return "(empty)" if value in ("", None) else str(value)


def table() -> str:
    from chalicelib.config import Settings

    stack_vars = set(
        json.loads((ROOT / "infra" / "resources.json").read_text())["Globals"]["Function"]["Environment"]["Variables"]
    )
    sections = _sections()
    rows = ["| variable | default | section | production value |", "| --- | --- | --- | --- |"]
    for name, info in Settings.model_fields.items():
        env = info.validation_alias if isinstance(info.validation_alias, str) else f"FIELDDESK_{name.upper()}"
        default = "local-only value; never used in prod" if _SECRET.search(name) else f"`{_default(info)}`"
        if env in _LOCAL_ONLY:
            prod = "local and test stages only; unset in prod"
        elif env in stack_vars:
            prod = "set by the stack (infra/resources.json Globals)"
        elif env == "FIELDDESK_SELECTION_QUEUE_URL":
            prod = "set by infra/package.py on the selection's two functions (the shard queue)"
        elif env == "AWS_DEFAULT_REGION":
            prod = "set by Lambda"
        elif env == "FIELDDESK_STAGE":
            prod = "required; `.chalice/config.json` stage (checked by `make package`)"
        elif env == "FIELDDESK_JWT_MODE":
            prod = "`.chalice/config.json` prod stage (jwks; unset means jwks)"
        else:
            prod = "default, or add it to the prod stage's environment_variables"
        rows.append(f"| `{env}` | {default} | {sections.get(name, 'general')} | {prod} |")
    return "\n".join([BEGIN, *rows, END])


def render(text: str) -> str:
    return re.sub(re.escape(BEGIN) + ".*?" + re.escape(END), lambda _: table(), text, flags=re.S)


def write() -> bool:
    text = DOC.read_text(encoding="utf-8")
    new = render(text)
    DOC.write_text(new, encoding="utf-8")
    return new != text
