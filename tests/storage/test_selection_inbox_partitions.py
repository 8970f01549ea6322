"""The selection inbox's index is split into parts per shard (issue 18: a fanned-out shard consumed every
entry of its shard on one gsi2 key, 8.9% of its writes). Entries written before the split, under the
shard's single key, are still read and consumed: nothing waiting is lost by deploying the change."""

from __future__ import annotations

from datetime import date

from chalicelib.config import get_settings
from chalicelib.storage import base, keys
from chalicelib.storage import selection as store
from chalicelib.storage.accounts import inbox_item

D = date(2026, 11, 19)


def entry(account_id: str) -> dict:
    return {
        "account_id": account_id,
        "trigger": "new_account",
        "episode": str(D),
        "event_on": str(D),
        "account": {"account_id": account_id},
    }


def test_entries_spread_over_their_shards_parts_and_one_written_before_the_split_is_still_read():
    accounts = [f"ac-p{i:02d}" for i in range(40)]
    for a in accounts:
        base.put(inbox_item(entry(a)))
    old = inbox_item(entry("ac-before"))
    shard = keys.shard("ac-before", get_settings().selection_shards)
    base.put({**old, "gsi2pk": f"SELECT#{shard}"})  # the layout before the split
    parts = {inbox_item(entry(a))["gsi2pk"] for a in accounts}
    assert len(parts) > get_settings().selection_shards  # more than one key per shard
    waiting = [e for page in store.inbox_pages(D) for e in page]
    assert sorted(e["account_id"] for e in waiting) == sorted([*accounts, "ac-before"])
    store.consume_all([(e["inbox_key"], "") for e in waiting])
    assert [e for page in store.inbox_pages(D) for e in page] == []
