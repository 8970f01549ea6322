"""A module handle that imports its module on first use: typed routes without an eager cold start.

Route modules name their domain and model modules through `lazy("chalicelib.domain.visits")` at run time
and through a plain import under `TYPE_CHECKING`, so mypy and an IDE follow every reference while a cold
start pays only for the modules of the routes it serves (issue 17 §3 and §7: importing every model and
domain module eagerly added ~120-190 ms and ~500 ms to the import of app.py, measured 2026-12-02).

    if TYPE_CHECKING:
        from ..domain import visits
        from ..models import visits as m
    else:
        visits = lazy("chalicelib.domain.visits")
        m = lazy("chalicelib.models.visits")

    @route(bp, "/v1/visits", "POST", body=lambda: m.VisitIn, response=lambda: m.VisitOut, ...)
    def record_visit(ctx: Ctx, body: m.VisitIn) -> dict:
        return visits.record_visit(ctx.principal, body)

A model is given to `route` as a zero-argument callable so the decorator does not load its module; the
route resolves it once, on the first request or when the OpenAPI document is built.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any


class LazyModule:
    """Stands in for a module until an attribute is read; then it is the module (its attributes copied)."""

    def __init__(self, name: str) -> None:
        self.__dict__["_lazy_name"] = name

    def _load(self) -> ModuleType:
        module = importlib.import_module(self.__dict__["_lazy_name"])
        self.__dict__.update(vars(module))  # later reads are plain attribute lookups
        return module

    def __getattr__(self, attr: str) -> Any:  # only called for names not yet copied
        return getattr(self._load(), attr)

    def __repr__(self) -> str:
        return f"<lazy module {self.__dict__['_lazy_name']!r}>"


def lazy(name: str) -> Any:
    """A handle on module `name` that imports it on first attribute access (typed `Any`: declare the real
    module under TYPE_CHECKING for the type checker)."""
    return LazyModule(name)
