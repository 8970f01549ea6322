"""Make moto's TransactWriteItems affordable on 100,000-item tables, for benchmarks only.

moto backs up a transaction by deep-copying every table it touches (once per
operation), which at 100k items costs minutes and gigabytes per transaction and
says nothing about DynamoDB. This backs up only the items the transaction
touches and restores them on cancellation: the same all-or-nothing outcome,
so request and item counts are unchanged. Never used by tests or deployed code.
"""

from __future__ import annotations

import copy
from unittest import mock


def install() -> None:
    from moto.dynamodb import models

    if getattr(models.DynamoDBBackend.transact_write_items, "_item_backup", False):
        return
    original = models.DynamoDBBackend.transact_write_items

    def transact_write_items(self, transact_items):
        backups = []
        for entry in transact_items:
            op_type, op = next(iter(entry.items()))
            table = self.get_table(op["TableName"])
            if op_type == "Put":
                key = {table.hash_key_attr: op["Item"][table.hash_key_attr]}
                if table.range_key_attr:
                    key[table.range_key_attr] = op["Item"][table.range_key_attr]
            else:
                key = op["Key"]
            current = self.get_item(op["TableName"], key)
            backups.append((op["TableName"], key, copy.deepcopy(current.to_json()["Attributes"]) if current else None))
        # moto's own rollback then reassigns the same table objects: a no-op we undo item by item below.
        real_deepcopy = copy.deepcopy

        def deepcopy(value, memo=None):
            return value if isinstance(value, models.Table) else real_deepcopy(value, memo)

        with mock.patch.object(models.copy, "deepcopy", deepcopy):
            try:
                return original(self, transact_items)
            except Exception:
                for table_name, key, attrs in reversed(backups):
                    if attrs is None:
                        if self.get_item(table_name, key) is not None:
                            self.delete_item(table_name, key)
                    else:
                        self.put_item(table_name, attrs)
                raise

    transact_write_items._item_backup = True
    models.DynamoDBBackend.transact_write_items = transact_write_items
