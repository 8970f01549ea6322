"""The selection's shard queue (issue 18 §3): the schedule's messages and a shard's continuation."""

from __future__ import annotations

import json

from ..config import get_settings
from ..errors import Unavailable
from .clients import sqs_client

BATCH = 10  # SendMessageBatch's limit


def send_shard_messages(messages: list[dict], delay_seconds: int = 0) -> None:
    """Send each message (JSON) to the shard queue; Unavailable if any was refused (none is retried here:
    the caller unmarks what was not sent)."""
    url = get_settings().selection_queue_url
    for start in range(0, len(messages), BATCH):
        chunk = messages[start : start + BATCH]
        answer = sqs_client().send_message_batch(
            QueueUrl=url,
            Entries=[
                {"Id": str(i), "MessageBody": json.dumps(m, sort_keys=True), "DelaySeconds": delay_seconds}
                for i, m in enumerate(chunk)
            ],
        )
        if answer.get("Failed"):
            raise Unavailable(f"the shard queue refused {len(answer['Failed'])} message(s)")


class SqsShardQueue:
    """The SHARD_QUEUE port on SQS (chalicelib/domain/selection_ports.py)."""

    def send(self, messages: list[dict], delay_seconds: int = 0) -> None:
        send_shard_messages(messages, delay_seconds)
