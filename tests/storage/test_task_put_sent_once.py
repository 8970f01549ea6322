"""The selection's task put is sent once (issue 18): a throttle reaches the job at once, which re-queues the
task and sends the next one meanwhile (domain/selection_create.py); the job client's other requests keep
botocore's resends (DynamoDB's legacy policy, 50 ms doubling). Faults injected under botocore."""

from __future__ import annotations

import pytest

from chalicelib.errors import TooManyRequests
from chalicelib.models.tasks import TaskRecord
from chalicelib.storage import base, clients, keys
from chalicelib.storage.selection import create_task
from tests.factories.tasks import make_task
from tests.fault_harness import FaultInjector


def test_a_throttled_task_put_is_not_resent_by_botocore_but_the_jobs_other_requests_are():
    stored = make_task("new_account", "ac-held")
    record = TaskRecord.model_validate(
        {
            **stored,
            "account_id": "ac-once",
            "task_id": keys.callback_task_id("new_account", "ac-once", stored["episode"]),
        }
    )
    throttled = FaultInjector(rate=1.0, seed=1, kinds=("throttle",))  # every request's first send refused
    with clients.job_retries():
        with throttled.active():
            with pytest.raises(TooManyRequests):
                create_task(record, token="t1")
            assert throttled.counts["throttle"] == 1  # sent once, refused, not resent
            assert base.get_item(**keys.callback_task(stored["task_id"]))["account_id"] == "ac-held"  # resent
            assert throttled.counts["throttle"] == 2
        assert base.get_item(**keys.callback_task(record.task_id)) is None  # the refused put wrote nothing
        assert create_task(record, token="t2") == "created"
