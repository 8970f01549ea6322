"""What a refused or unanswered DynamoDB request becomes.

ClientError codes (and requests left unanswered) become domain exceptions here and nowhere else."""

from __future__ import annotations

from typing import NoReturn

from ..errors import ConditionFailed, TooManyRequests, Unavailable
from .item_codec import deserialize


class TransactionCancelled(ConditionFailed):
    """A transaction lost a condition. `reasons` has one code per item ("None" if fine)."""

    def __init__(self, reasons: list[str]):
        super().__init__("a conditional write was refused")
        self.reasons = reasons

    def failed(self, index: int) -> bool:
        return index < len(self.reasons) and self.reasons[index] == "ConditionalCheckFailed"


class WriteConflict(ConditionFailed):
    """A concurrent transaction held the item (TransactionConflictException): nothing was written, retry.
    A ConditionFailed, as before, so every caller that retried on it still does."""


def raise_from(err: Exception) -> NoReturn:
    if not hasattr(err, "response"):  # no answer: a timeout or a connection lost (the request may have landed)
        raise Unavailable("the database did not answer") from err
    code = err.response.get("Error", {}).get("Code", "")
    if code == "ConditionalCheckFailedException":
        refused = ConditionFailed("a conditional write was refused")
        if "Item" in err.response:  # asked for with ReturnValuesOnConditionCheckFailure
            refused.item = deserialize(err.response["Item"])
        raise refused from err
    if code == "TransactionCanceledException":
        reasons = [r.get("Code", "None") for r in err.response.get("CancellationReasons", [])]
        if any(r in ("ThrottlingError", "ProvisionedThroughputExceeded") for r in reasons):
            raise TooManyRequests("the database is busy, retry shortly") from err
        raise TransactionCancelled(reasons) from err
    if code in ("ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded"):
        raise TooManyRequests("the database is busy, retry shortly") from err
    if code == "TransactionConflictException":
        raise WriteConflict("a concurrent change won, retry") from err
    raise Unavailable("the database refused the request") from err


def client_errors() -> tuple[type[Exception], ...]:
    """What a request can raise: an answer (ClientError) or none (botocore's HTTP and connection errors,
    which reach the caller once botocore's retries are spent: a 503, not a 500, for the API)."""
    from botocore.exceptions import ClientError, ConnectionError, HTTPClientError

    return ClientError, ConnectionError, HTTPClientError
