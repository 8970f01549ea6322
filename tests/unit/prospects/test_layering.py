"""The prospects domain depends on its ports only (docs ARCHITECTURE "What each room may touch")."""

from __future__ import annotations

import pathlib
import subprocess
import sys

DOMAIN = pathlib.Path(__file__).resolve().parents[3] / "chalicelib" / "domain" / "prospects"
MODULES = sorted(p.stem for p in DOMAIN.glob("*.py") if p.stem != "__init__")


def test_importing_the_rules_loads_no_storage_chalice_boto3_or_settings():
    probe = (
        "import importlib, sys\n"
        f"for m in {MODULES!r}: importlib.import_module('chalicelib.domain.prospects.' + m)\n"
        "bad = [m for m in sys.modules"
        " if m.startswith(('chalicelib.storage', 'chalicelib.wiring', 'chalice.', 'boto3'))"
        " or m in ('chalice', 'chalicelib.config', 'chalicelib.auth')]\n"
        "print(bad)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=DOMAIN.parents[2]
    )
    assert MODULES and out.stdout.strip() == "[]", out.stdout + out.stderr


def test_no_rule_reads_the_environment():
    for path in DOMAIN.glob("*.py"):
        source = path.read_text(encoding="utf-8")
        assert "environ" not in source and "get_settings" not in source, path.name
