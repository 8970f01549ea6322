"""Idempotency-Key handling with powertools idempotency backed by DynamoDB.

A retried submission returns the first response and stores nothing twice; the
same key with a different body is refused with 422. The domain writes recognise
a retry themselves (chalicelib.submission); this record is the fast path.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from ..config import get_settings
from ..errors import InProgress, Unavailable, Unprocessable


@lru_cache(maxsize=1)
def _persistence():
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

    from ..storage.clients import dynamodb_client

    return DynamoDBPersistenceLayer(table_name=get_settings().idempotency_table_name, boto3_client=dynamodb_client())


@lru_cache(maxsize=1)
def _config():
    from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig

    return IdempotencyConfig(
        event_key_jmespath="key",
        payload_validation_jmespath="body_hash",
        raise_on_no_idempotency_key=True,
        expires_after_seconds=24 * 3600,
    )


def reset() -> None:
    _persistence.cache_clear()


class _Budget:
    """A Lambda context stand-in: a submission left in progress (its attempt died) may be retried after this."""

    def __init__(self, lambda_context, seconds: int):
        self._context, self._millis = lambda_context, seconds * 1000

    def get_remaining_time_in_millis(self) -> int:
        if self._context is not None and hasattr(self._context, "get_remaining_time_in_millis"):
            return min(self._context.get_remaining_time_in_millis(), self._millis)
        return self._millis


def once(*, key: str, payload_hash: str, compute: Callable[[], dict], lambda_context=None) -> dict:
    """The first response to this submission, computing it at most once per stored record.

    The domain write is itself idempotent (see chalicelib.submission), so this table only spares
    the work: when the table cannot be written after the write succeeded, the computed result is
    still the answer (never a 5xx for a write that happened); a submission whose attempt died
    in progress is retried after `idempotency_in_progress_seconds`.
    """
    from aws_lambda_powertools.utilities.idempotency import idempotent_function
    from aws_lambda_powertools.utilities.idempotency.exceptions import (
        IdempotencyAlreadyInProgressError,
        IdempotencyPersistenceLayerError,
        IdempotencyValidationError,
    )

    config = _config()
    config.register_lambda_context(_Budget(lambda_context, get_settings().idempotency_in_progress_seconds))
    computed: list[dict] = []

    @idempotent_function(data_keyword_argument="request", persistence_store=_persistence(), config=config)
    def submission(request: dict) -> dict:
        computed.append(compute())
        return computed[-1]

    try:
        return submission(request={"key": key, "body_hash": payload_hash})
    except IdempotencyValidationError:
        raise Unprocessable(
            "Idempotency-Key was already used with a different body",
            details=[{"field": "Idempotency-Key", "message": "reused with a different body"}],
        ) from None
    except IdempotencyAlreadyInProgressError:
        raise InProgress(
            "the same submission is still being processed; retry it shortly with the same " "Idempotency-Key"
        ) from None
    except IdempotencyPersistenceLayerError:
        if computed:
            return computed[-1]  # the write happened; only the shortcut for the next retry is missing
        raise Unavailable("could not record the submission; retry") from None
