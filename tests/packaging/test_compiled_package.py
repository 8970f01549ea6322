"""The deployment zip carries compiled .pyc for our code: Lambda cannot write them, and compiling on every
cold start was paid by each request that imported a module first (issue 17 §7)."""

from __future__ import annotations

import importlib.util
import zipfile

from infra.package import compile_package


def test_our_modules_get_compiled_files_beside_them(tmp_path):
    zip_path = tmp_path / "deployment.zip"
    with zipfile.ZipFile(zip_path, "w") as zf:
        zf.writestr("app.py", "X = 1\n")
        zf.writestr("chalicelib/__init__.py", "")
        zf.writestr("chalicelib/api/visits.py", "def f():\n    return 2\n")
        zf.writestr("pydantic/main.py", "Y = 1\n")  # a vendored wheel's file: not ours, left as it is

    assert compile_package(zip_path) == 3
    names = zipfile.ZipFile(zip_path).namelist()
    tag = importlib.util.cache_from_source("visits.py").split("visits.")[1]  # e.g. cpython-311.pyc
    assert f"chalicelib/api/__pycache__/visits.{tag}" in names
    assert f"__pycache__/app.{tag}" in names
    assert not any(n.startswith("pydantic/__pycache__") for n in names)
    # unchecked-hash: the interpreter never compares a zip's timestamps with the source
    pyc = zipfile.ZipFile(zip_path).read(f"chalicelib/api/__pycache__/visits.{tag}")
    assert int.from_bytes(pyc[4:8], "little") == 0b01  # flags: hash-based, not checked
