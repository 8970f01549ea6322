"""A small per-container TTL cache for directory reads (outlets) that rarely change.

Lambda containers are short-lived and single-threaded per request; a minute of
staleness is the accepted trade for one DynamoDB read less per request.
"""

from __future__ import annotations

import functools
import threading
import time

_caches: list[dict] = []


def ttl_cache(seconds: float):
    def decorator(fn):
        store: dict = {}
        _caches.append(store)
        # One read per miss, not one per thread: the selection job's workers ask for the same
        # calendar at once, and without the lock each of them would read it (a race, and a cost).
        lock = threading.Lock()

        @functools.wraps(fn)
        def wrapper(*args):
            hit = store.get(args)
            if hit and hit[0] > time.monotonic():
                return hit[1]
            with lock:
                hit = store.get(args)
                if hit and hit[0] > time.monotonic():
                    return hit[1]
                value = fn(*args)
                if value is not None:
                    store[args] = (time.monotonic() + seconds, value)
            return value

        wrapper.cache_clear = store.clear
        return wrapper

    return decorator


def clear_all() -> None:
    for store in _caches:
        store.clear()
