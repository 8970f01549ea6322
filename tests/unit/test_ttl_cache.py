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
