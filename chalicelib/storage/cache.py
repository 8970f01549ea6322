"""A small per-container TTL cache for directory reads (outlets) that rarely change.

Lambda containers are short-lived and single-threaded per request; a minute of
staleness is the accepted trade for one DynamoDB read less per request.
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable, Hashable
from typing import Generic, ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")

_caches: list[dict] = []


class TtlCached(Generic[P, R]):
    """`fn` with its results kept `seconds` per argument tuple (None is never kept); `cache_clear()` forgets."""

    def __init__(self, fn: Callable[P, R], seconds: float) -> None:
        self._fn = fn
        self._seconds = seconds
        self._store: dict[Hashable, tuple[float, R]] = {}
        _caches.append(self._store)
        # One read per miss, not one per thread: the selection job's workers ask for the same
        # calendar at once, and without the lock each of them would read it (a race, and a cost).
        self._lock = threading.Lock()
        functools.update_wrapper(self, fn)

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R:
        key: Hashable = (args, tuple(sorted(kwargs.items()))) if kwargs else args
        hit = self._store.get(key)
        if hit and hit[0] > time.monotonic():
            return hit[1]
        with self._lock:
            hit = self._store.get(key)
            if hit and hit[0] > time.monotonic():
                return hit[1]
            value = self._fn(*args, **kwargs)
            if value is not None:
                self._store[key] = (time.monotonic() + self._seconds, value)
        return value

    def cache_clear(self) -> None:
        self._store.clear()


def ttl_cache(seconds: float) -> Callable[[Callable[P, R]], TtlCached[P, R]]:
    def decorator(fn: Callable[P, R]) -> TtlCached[P, R]:
        return TtlCached(fn, seconds)

    return decorator


def clear_all() -> None:
    for store in _caches:
        store.clear()
