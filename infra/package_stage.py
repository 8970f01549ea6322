"""Step 0 of `infra/package.py`: a stage that would not start is not packaged. Its settings are built as its
functions will build them in Lambda (the stack's Globals, overridden by .chalice/config.json)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MERGE_TEMPLATE = ROOT / "infra" / "resources.json"
CHALICE_CONFIG = ROOT / ".chalice" / "config.json"


# A CloudFormation value only the deployment resolves (an ARN, a stack name, a condition): set, and
# https so a JWKS URL given this way passes; its real value is the stack's business.
STACK_VALUE = "https://resolved-by-cloudformation.invalid/"


def _stack_value(value, parameters: dict) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and set(value) == {"Ref"} and value["Ref"] in parameters:
        name = value["Ref"]  # a parameter: what `make deploy` passes (CFN_PARAM_*), else its default
        return str(os.environ.get(f"CFN_PARAM_{name}", parameters[name].get("Default", "")))
    return STACK_VALUE


def lambda_environment(stage: str) -> dict[str, str]:
    """The environment the stage's functions get: the stack's Globals, overridden by .chalice/config.json
    (top level, then the stage), plus what Lambda itself sets. Nothing from the packaging shell."""
    config = json.loads(CHALICE_CONFIG.read_text())
    if stage not in config.get("stages", {}):
        raise SystemExit(f"no stage {stage!r} in .chalice/config.json")
    resources = json.loads(MERGE_TEMPLATE.read_text())
    parameters = resources.get("Parameters", {})
    env = {
        name: _stack_value(value, parameters)
        for name, value in resources["Globals"]["Function"]["Environment"]["Variables"].items()
    }
    env.update(config.get("environment_variables", {}))
    env.update(config["stages"][stage].get("environment_variables", {}))
    env.update(
        AWS_LAMBDA_FUNCTION_NAME=f"fielddesk-{stage}-APIHandler",
        AWS_DEFAULT_REGION=os.environ.get("AWS_DEFAULT_REGION", "cn-north-1"),
    )
    return env


def check_stage(stage: str):
    """The stage's Settings as Lambda would build them; SystemExit naming the setting that would fail."""
    from unittest import mock

    from pydantic import ValidationError

    sys.path.insert(0, str(ROOT))
    from chalicelib.config import DEV_STAGES, Settings

    if stage in DEV_STAGES:
        raise SystemExit(
            f"the {stage} stage runs on a developer's machine only (make run, tests); "
            "deploy a stage of its own, e.g. staging or prod"
        )
    env = lambda_environment(stage)
    with mock.patch.dict(os.environ, env, clear=True):
        try:
            return Settings()
        except ValidationError as err:
            reasons = "; ".join(e["msg"].removeprefix("Value error, ") for e in err.errors())
            raise SystemExit(f"stage {stage} would refuse to start in Lambda: {reasons}") from None
