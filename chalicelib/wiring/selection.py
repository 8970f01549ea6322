"""The daily selection bound to DynamoDB (domain/selection_ports.py, domain/sample_ports.py); the adapters
load on first use (cold start).

The fan-out queue is SQS, handed by the jobs to the rules that send (a `deps` argument, as the prospects
area takes, so importing the app builds no client)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..domain.selection_ports import ShardQueue
    from ..storage.sample_repo import DynamoSampleRepository
    from ..storage.selection_repo import DynamoSelectionRepository, DynamoSelectionRuns


def install() -> None:
    from ..domain.sample_ports import SAMPLE
    from ..domain.selection_ports import SELECTION, SELECTION_RUNS

    SELECTION.bind_default(_selection)
    SELECTION_RUNS.bind_default(_runs)
    SAMPLE.bind_default(_sample)


def _selection() -> DynamoSelectionRepository:
    from ..storage.selection_repo import DynamoSelectionRepository

    return DynamoSelectionRepository()


def _runs() -> DynamoSelectionRuns:
    from ..storage.selection_repo import DynamoSelectionRuns

    return DynamoSelectionRuns()


def _sample() -> DynamoSampleRepository:
    from ..storage.sample_repo import DynamoSampleRepository

    return DynamoSampleRepository()


def shard_queue() -> ShardQueue:
    from ..storage.queues import SqsShardQueue

    return SqsShardQueue()
