"""Cold start: importing app.py builds no model or domain module; routes name their models typed and lazily
(`lambda: module.Name` over a lazy module handle, chalicelib/lazy.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import BaseModel

import app  # noqa: F401  - registers every route
from chalicelib.api.route_spec import ROUTES, RouteSpec
from chalicelib.api.routing import route

ROOT = Path(__file__).resolve().parents[2]


def test_every_lazy_reference_resolves_to_a_model():
    refs = 0
    for spec in ROUTES:
        for raw, resolved in (
            (spec.body, spec.body_model),
            (spec.query, spec.query_model),
            (spec.response, spec.response_model),
        ):
            assert not isinstance(raw, str), f"{spec.method} {spec.path}: string model reference {raw!r}"
            if callable(raw) and not isinstance(raw, type):
                refs += 1
                assert isinstance(resolved, type) and issubclass(
                    resolved, BaseModel
                ), f"{spec.method} {spec.path}: {raw} does not return a pydantic model"
    assert refs > 150


def test_a_class_is_kept_as_it_is():
    class M(BaseModel):
        x: int = 0

    spec = RouteSpec(path="/x", method="GET", roles=(), summary="x", body=M, response=dict)
    assert spec.body_model is M and spec.response_model is dict and spec.query_model is None


def test_a_callable_is_called_once():
    class M(BaseModel):
        x: int = 0

    calls = []
    spec = RouteSpec(path="/x", method="GET", roles=(), summary="x", body=lambda: calls.append(1) or M)
    assert spec.body_model is M and spec.body_model is M and calls == [1]


@pytest.mark.parametrize("ref", ["chalicelib.models.visits:VisitIn", "VisitIn"])
def test_a_string_reference_is_refused_at_declaration(ref):
    # a string passed mypy and a typo in it answered 500 at run time (issue 17 §3)
    with pytest.raises(TypeError):
        route(None, "/x", roles=[], summary="x", body=ref)


def _fresh_interpreter(code: str):
    """What `code` prints as its last line (JSON), run in a fresh interpreter that imports the app itself."""
    env = {**os.environ, "AWS_DEFAULT_REGION": os.environ.get("AWS_DEFAULT_REGION", "cn-north-1")}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def test_importing_the_app_loads_no_model_or_domain_module():
    loaded = _fresh_interpreter(
        "import json, sys; import app; print(json.dumps(sorted(m for m in sys.modules "
        "if m.startswith(('chalicelib.models.', 'chalicelib.domain.')))))"
    )
    # wiring.install() binds each port on its first use (tests/unit/test_wiring.py): no ports module loads
    assert loaded == ["chalicelib.domain.ports", "chalicelib.models.common"]


def test_the_garbage_collector_is_paused_for_the_import_only_and_what_it_built_is_frozen():
    # app.py pauses the collector over its imports (cold start, issue 17 §7); requests and jobs must find
    # it running again, or a long selection run would never collect its garbage.
    before, after, frozen = _fresh_interpreter(
        "import gc, json; before = gc.isenabled(); import app; "
        "print(json.dumps([before, gc.isenabled(), gc.get_freeze_count()]))"
    )
    assert before and after
    assert frozen > 10_000  # the modules, classes and models the import built
