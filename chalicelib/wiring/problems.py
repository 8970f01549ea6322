"""Problem items: the DynamoDB adapter behind `PROBLEMS` (domain/problems_ports.py), registered by name so
importing the app loads neither the domain nor the adapter."""

from __future__ import annotations

from typing import Any


def _adapter() -> Any:
    from ..storage.problems_repo import DynamoProblemRepository

    return DynamoProblemRepository()


def install() -> None:
    from . import register

    register("problems", _adapter)
