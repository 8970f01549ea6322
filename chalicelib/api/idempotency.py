"""Idempotency-Key handling with powertools idempotency backed by DynamoDB.

A retried submission returns the first response and stores nothing twice; the
same key with a different body is refused with 422.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Callable

from ..config import get_settings
from ..errors import Conflict, Unavailable, Unprocessable


@lru_cache(maxsize=1)
def _persistence():
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

    from ..storage.clients import dynamodb_client

    return DynamoDBPersistenceLayer(table_name=get_settings().idempotency_table_name,
                                    boto3_client=dynamodb_client())


@lru_cache(maxsize=1)
def _config():
    from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig

    return IdempotencyConfig(event_key_jmespath="key", payload_validation_jmespath="body_hash",
                             raise_on_no_idempotency_key=True, expires_after_seconds=24 * 3600)


def reset() -> None:
    _persistence.cache_clear()


def once(*, key: str, payload_hash: str, compute: Callable[[], dict], lambda_context=None) -> dict:
    from aws_lambda_powertools.utilities.idempotency import idempotent_function
    from aws_lambda_powertools.utilities.idempotency.exceptions import (
        IdempotencyAlreadyInProgressError, IdempotencyPersistenceLayerError, IdempotencyValidationError)

    config = _config()
    if lambda_context is not None and hasattr(lambda_context, "get_remaining_time_in_millis"):
        config.register_lambda_context(lambda_context)

    @idempotent_function(data_keyword_argument="request", persistence_store=_persistence(), config=config)
    def submission(request: dict) -> dict:
        return compute()

    try:
        return submission(request={"key": key, "body_hash": payload_hash})
    except IdempotencyValidationError:
        raise Unprocessable("Idempotency-Key was already used with a different body",
                            details=[{"field": "Idempotency-Key", "message": "reused with a different body"}]) from None
    except IdempotencyAlreadyInProgressError:
        raise Conflict("the same submission is still being processed; retry shortly") from None
    except IdempotencyPersistenceLayerError:
        raise Unavailable("could not record the submission; retry") from None
