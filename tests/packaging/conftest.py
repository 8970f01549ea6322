"""The package is built once per session: chalice package, then the SAM transform per region."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from infra import package, package_deploy

ROOT = Path(__file__).resolve().parents[2]
REGIONS = ("us-east-1", "cn-north-1")


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("package")
    summary = package.build("prod", out)
    template = json.loads((out / "sam.json").read_text())
    return out, template, summary


@pytest.fixture(scope="session")
def transformed(built):
    """infra/cfn_check.py in the tool venv: the SAM transform (as CloudFormation runs it), cycles, cfn-lint.

    Returns (report, completed process); the plain templates are `report["regions"][r]["template"]`.
    """
    out, _, _ = built
    result = subprocess.run(
        [
            str(package_deploy.cfn_tool_python()),
            str(ROOT / "infra" / "cfn_check.py"),
            str(out / "sam.json"),
            "--regions",
            *REGIONS,
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert "{" in result.stdout, result.stderr[-3000:]
    return json.loads(result.stdout[result.stdout.index("{") :]), result
