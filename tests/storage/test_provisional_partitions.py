"""The provisional-due index of a year is sharded 16 ways (issue 18: 5.2% of a fanned-out shard's writes on
one of 8). Tasks written under the 8-way layout (or the unsharded key before it) are still found by the
recompute when the year's calendar is published."""

from __future__ import annotations

from chalicelib.storage import base, keys
from chalicelib.storage.calendar import provisional_tasks
from chalicelib.storage.tasks import task_item
from tests.factories.tasks import make_task


def test_a_years_provisional_tasks_are_found_whatever_layout_they_were_written_in():
    written = []
    for n in range(24):
        task = make_task("new_account", f"ac-v{n:02d}", business_date="2027-01-08", due_provisional=True)
        written.append(task["task_id"])
    moved = {}
    for task_id in written[:8]:  # as the 8-way layout, and the unsharded key before it, put them
        item = base.get_item(**keys.callback_task(task_id))
        old = f"PROVISIONAL#2027#{keys.shard(task_id, 8)}" if len(moved) % 2 else "PROVISIONAL#2027"
        base.put({**item, "gsi5pk": old})
        moved[task_id] = old
    assert len({task_item(base.strip_keys(base.get_item(**keys.callback_task(t))))["gsi5pk"] for t in written}) > 8
    assert sorted(t["task_id"] for t in provisional_tasks(2027)) == sorted(written)


def test_a_days_due_partitions_include_every_key_an_open_task_was_written_under():
    """The due index went from 8 shards to 16 (issue 18) after the unsharded key: the overdue sweep and the
    requeue read every one of them."""
    read = set(keys.task_due_partitions("2027-02-17"))
    for n in range(40):
        task_id = f"periodic.ac-d{n:02d}.2026-11-19"
        assert keys.task_due_index("2027-02-17", task_id)["gsi3pk"] in read
        assert f"TASKDUE#2027-02-17#{keys.shard(task_id, 8)}" in read  # the 8-way layout
    assert "TASKDUE#2027-02-17" in read and len(read) == keys.TASK_DUE_SHARDS + 1 == 17
