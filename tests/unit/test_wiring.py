"""Every domain port is bound on its first use by its area's wiring (chalicelib/wiring/__init__.py), and
importing the app binds nothing yet (cold start, issue 17 §7)."""

from __future__ import annotations

import importlib
import json
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import chalicelib.domain as domain
from chalicelib import wiring
from chalicelib.domain.ports import Port

ROOT = Path(__file__).resolve().parents[2]


def _ports() -> list[Port]:
    found: dict[int, Port] = {}
    for info in pkgutil.walk_packages(domain.__path__, "chalicelib.domain."):
        module = importlib.import_module(info.name)
        found.update({id(v): v for v in vars(module).values() if isinstance(v, Port)})
    return list(found.values())


def test_every_port_has_one_name_and_an_area_that_binds_it():
    ports = _ports()
    names = [p.name for p in ports]
    assert len(ports) >= 29 and len(set(names)) == len(names), names
    for port in ports:
        assert port.name in wiring.AREAS, f"add {port.name!r} to chalicelib.wiring.AREAS"
        wiring.bind_area(port.name)
        assert port.bound, f"wiring.{wiring.AREAS[port.name]}.install() does not bind {port.name!r}"


def test_a_first_use_binds_the_area_but_keeps_a_fake_on_another_of_its_ports():
    from chalicelib.domain.visit_ports import PHOTOS, VISITS

    saved = [(p._factory, p._impl) for p in (VISITS, PHOTOS)]
    try:
        for p in (VISITS, PHOTOS):
            p._factory = p._impl = None
        with VISITS.override("fake visits"):
            PHOTOS()  # the visits area binds its ports now
            assert VISITS() == "fake visits"
        assert VISITS.bound is False or VISITS() != "fake visits"
    finally:
        for p, (factory, impl) in zip((VISITS, PHOTOS), saved, strict=True):
            p._factory, p._impl = factory, impl


def test_importing_the_app_imports_no_port_until_a_request_reaches_it():
    code = (
        "import json, sys; import app; from chalicelib.domain.directory_ports import DIRECTORY; "
        "before = sorted(m for m in sys.modules if m.endswith('_ports')); DIRECTORY(); "
        "print(json.dumps([before, DIRECTORY.bound]))"
    )
    env = {**os.environ, "AWS_DEFAULT_REGION": os.environ.get("AWS_DEFAULT_REGION", "cn-north-1")}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    before, bound = json.loads(out.stdout.strip().splitlines()[-1])
    assert before == ["chalicelib.domain.directory_ports"] and bound is True
