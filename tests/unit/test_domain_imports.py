"""The domain depends on protocols, never on storage (issue 17 §1, ../shared/ARCHITECTURE.md "What each room may
touch"): no domain module imports a storage or wiring module, boto3/botocore or chalice, or reads os.environ."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

DOMAIN = Path(__file__).resolve().parents[2] / "chalicelib" / "domain"
FORBIDDEN = ("chalicelib.storage", "chalicelib.wiring", "boto3", "botocore", "chalice")


def imported(source: str, package: str) -> set[str]:
    """Every module an import statement names, at any depth (TYPE_CHECKING and function bodies included)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            names |= {base} | {f"{base}.{a.name}" for a in node.names}
    return names


def violations(source: str, package: str) -> list[str]:
    bad = sorted(n for n in imported(source, package) if any(n == f or n.startswith(f + ".") for f in FORBIDDEN))
    tree = ast.parse(source)
    if any(
        isinstance(n, ast.Attribute) and n.attr in ("environ", "getenv") and getattr(n.value, "id", "") == "os"
        for n in ast.walk(tree)
    ):
        bad.append("os.environ")
    return bad


def _package(path: Path) -> str:
    return ".".join(("chalicelib",) + path.relative_to(DOMAIN.parent).parent.parts)


MODULES = sorted(DOMAIN.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(DOMAIN)))
def test_a_domain_module_reaches_storage_only_through_a_port(path):
    bad = violations(path.read_text(encoding="utf-8"), _package(path))
    assert not bad, f"{path.relative_to(DOMAIN)} imports {bad}: go through a port (chalicelib/domain/ports.py)"


def test_the_check_sees_relative_absolute_and_environment_reads():
    source = "import os\nfrom ..storage import visits\nimport boto3\nX = os.environ['A']\n"
    assert violations(source, "chalicelib.domain") == [
        "boto3",
        "chalicelib.storage",
        "chalicelib.storage.visits",
        "os.environ",
    ]
    assert violations("from ...storage.keys import task\n", "chalicelib.domain.visits") == [
        "chalicelib.storage.keys",
        "chalicelib.storage.keys.task",
    ]
    assert violations("from . import workdays\nfrom ..models import visits\n", "chalicelib.domain") == []
