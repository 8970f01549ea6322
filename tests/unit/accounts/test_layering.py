"""The account, import, conversion and reconcile rules reach storage through their ports only
(docs ARCHITECTURE "What each room may touch"; issue 17 §1)."""

from __future__ import annotations

import pathlib
import re

DOMAIN = pathlib.Path(__file__).resolve().parents[3] / "chalicelib" / "domain"
FILES = [
    *sorted((DOMAIN / "accounts").glob("*.py")),
    *(DOMAIN / f"{name}.py" for name in ("account_ports", "account_import", "account_csv", "conversion")),
    *(DOMAIN / f"{name}.py" for name in ("conversion_ports", "reconcile", "reconcile_ports")),
]
FORBIDDEN = re.compile(r"^\s*(from|import) .*(storage|boto3|botocore|chalice\b|wiring)|os\.environ", re.M)


def test_no_rule_imports_storage_boto3_chalice_or_reads_the_environment():
    present = [p for p in FILES if p.exists()]
    assert len(present) == len(FILES), sorted(set(FILES) - set(present))
    for path in present:
        assert not FORBIDDEN.search(path.read_text(encoding="utf-8")), path.name


def test_the_signed_in_principal_is_a_type_only():
    for path in FILES:
        for line in path.read_text(encoding="utf-8").splitlines():
            if re.match(r"from \.+auth import", line):
                raise AssertionError(f"{path.name}: a runtime import of auth ({line})")
