"""Thin helpers over the single FieldDesk table, under one name.

Area repositories (storage/<area>.py) build items with `keys` and call these as `base.<helper>`: some forty
modules do, so this module gathers the helpers from where they live rather than each repository importing
four modules. Tests that replace a helper patch it here (`monkeypatch.setattr(base, "transact", ...)`),
which reaches every repository that calls it through `base`.

- item_codec.py: values DynamoDB can hold, items (de)serialized, key attributes stripped
- request_errors.py: ClientError codes (and requests left unanswered) become domain exceptions there and nowhere
  else
- items.py: single-item reads and writes, conditional puts and updates, batches
- queries.py: key-condition queries and their pages
- transactions.py: transaction operations and the all-or-nothing request
"""

from __future__ import annotations

from .item_codec import KEY_ATTRS, strip_keys, to_dynamo
from .items import batch_get, batch_put, get_item, put, put_new, update
from .queries import Page, query, query_all, query_kept, query_records
from .request_errors import TransactionCancelled, WriteConflict
from .transactions import transact, tx_check, tx_put, tx_update

__all__ = [
    "KEY_ATTRS",
    "Page",
    "TransactionCancelled",
    "WriteConflict",
    "batch_get",
    "batch_put",
    "get_item",
    "put",
    "put_new",
    "query",
    "query_all",
    "query_kept",
    "query_records",
    "strip_keys",
    "to_dynamo",
    "transact",
    "tx_check",
    "tx_put",
    "tx_update",
    "update",
]
