"""The selection's fan-out queue: SQS, handed by the jobs to the rules that send (a `deps` argument, as the
prospects area takes, so importing the app binds nothing)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..domain.selection_ports import ShardQueue


def shard_queue() -> ShardQueue:
    from ..storage.queues import SqsShardQueue

    return SqsShardQueue()
