"""Binding a port without importing its module at cold start.

`wiring.install()` runs when app.py is imported, and importing app.py must load no domain module
(tests/unit/test_lazy_routes.py): a port whose module is not loaded yet is bound when that module is
first imported (it calls `bound_on_import` on its port), one already loaded is bound at once. Neutral:
no storage, no domain; the factory (with its storage import inside) comes from chalicelib/wiring/.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

_pending: dict[tuple[str, str], Callable[[], Any]] = {}


def bind_when_imported(module: str, port: str, factory: Callable[[], Any]) -> None:
    loaded = sys.modules.get(module)
    if loaded is not None and hasattr(loaded, port):
        getattr(loaded, port).bind(factory)
    else:
        _pending[(module, port)] = factory


def bound_on_import(module: str, port: str, target: Any) -> None:
    """Called by a ports module right after it declares `target`: binds what wiring asked for, if anything."""
    factory = _pending.pop((module, port), None)
    if factory is not None:
        target.bind(factory)
