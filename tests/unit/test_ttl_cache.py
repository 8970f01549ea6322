"""The per-container cache reads once per miss, however many threads ask at once."""

import threading
import time

from chalicelib.storage.cache import ttl_cache


def test_threads_asking_at_once_cause_one_read():
    reads = []

    @ttl_cache(60)
    def lookup(key):
        reads.append(key)
        time.sleep(0.05)  # a DynamoDB read: long enough for every thread to miss together
        return {"key": key}

    threads = [threading.Thread(target=lookup, args=(2026,)) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert reads == [2026]


def test_cache_clear_forgets_and_none_is_never_kept():
    reads = []

    @ttl_cache(60)
    def lookup(key, *, fresh=False):
        reads.append((key, fresh))
        return None if key == "missing" else {"key": key}

    assert lookup("a") == {"key": "a"} and lookup("a") == {"key": "a"}
    assert lookup("a", fresh=True) == {"key": "a"}  # keyword arguments are part of the key
    assert lookup("missing") is None and lookup("missing") is None  # a miss is read again next time
    lookup.cache_clear()
    lookup("a")
    assert reads == [("a", False), ("a", True), ("missing", False), ("missing", False), ("a", False)]
    assert lookup.__name__ == "lookup"  # functools.update_wrapper: logs and tracebacks name the function
