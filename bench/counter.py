"""A DynamoDB request counter with no side effect at import: the benchmarks and the tests that pin
route costs (tests/api/test_route_costs.py) count with the same one."""

from __future__ import annotations

import threading
from collections import Counter


class DynamoCounter:
    """Counts DynamoDB requests by operation and items read, through botocore's client entry point."""

    def __init__(self):
        self.requests: Counter = Counter()
        self.items_read = 0
        self._original = None

    def __enter__(self):
        from botocore.client import BaseClient

        self._original = original = BaseClient._make_api_call
        counter = self

        lock = threading.RLock()  # moto's in-process backend is not thread-safe; the job uses a pool

        def counting(client, operation, params):
            with lock:
                result = original(client, operation, params)
            if client.meta.service_model.service_name == "dynamodb":
                counter.requests[operation] += 1
                if operation in ("Query", "Scan"):
                    counter.items_read += result.get("ScannedCount", result.get("Count", 0))
                elif operation == "GetItem":
                    counter.items_read += 1 if result.get("Item") else 0
                elif operation == "BatchGetItem":
                    counter.items_read += sum(len(v) for v in result.get("Responses", {}).values())
            return result

        BaseClient._make_api_call = counting
        return self

    def __exit__(self, *exc):
        from botocore.client import BaseClient

        BaseClient._make_api_call = self._original

    def reset(self):
        self.requests.clear()
        self.items_read = 0

    @property
    def total(self) -> int:
        return sum(self.requests.values())

    @property
    def writes(self) -> int:
        return sum(
            n
            for op, n in self.requests.items()
            if op in ("PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem")
        )
