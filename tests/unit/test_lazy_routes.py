"""Cold start: importing app.py builds no model or domain module; routes name their models lazily."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import BaseModel

import app  # noqa: F401  - registers every route
from chalicelib.api.routing import ROUTES, RouteSpec, route

ROOT = Path(__file__).resolve().parents[2]


def test_every_lazy_reference_resolves_to_a_model():
    refs = 0
    for spec in ROUTES:
        for raw, resolved in (
            (spec.body, spec.body_model),
            (spec.query, spec.query_model),
            (spec.response, spec.response_model),
        ):
            if isinstance(raw, str):
                refs += 1
                assert isinstance(resolved, type) and issubclass(
                    resolved, BaseModel
                ), f"{spec.method} {spec.path}: {raw} is not a pydantic model"
                assert f"{resolved.__module__}:{resolved.__name__}" == raw
    assert refs > 50


def test_a_class_is_kept_as_it_is():
    class M(BaseModel):
        x: int = 0

    spec = RouteSpec(path="/x", method="GET", roles=(), summary="x", body=M, response=dict)
    assert spec.body_model is M and spec.response_model is dict and spec.query_model is None


@pytest.mark.parametrize("ref", ["chalicelib.models.visits.VisitIn", ":VisitIn", "chalicelib.models.visits:"])
def test_a_malformed_reference_is_refused_at_declaration(ref):
    with pytest.raises(ValueError):
        route(None, "/x", roles=[], summary="x", body=ref)


def test_importing_the_app_loads_no_model_or_domain_module():
    code = (
        "import json, sys; import app; print(json.dumps(sorted(m for m in sys.modules "
        "if m.startswith(('chalicelib.models.', 'chalicelib.domain.')))))"
    )
    env = {**os.environ, "AWS_DEFAULT_REGION": os.environ.get("AWS_DEFAULT_REGION", "cn-north-1")}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout
    assert json.loads(out.strip().splitlines()[-1]) == ["chalicelib.models.common"]
