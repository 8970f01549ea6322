"""powertools Logger and Metrics shared by routes and jobs (no Tracer: nothing was traced,
and the X-Ray SDK cost cold-start time and shipped an unmatched botocore).

Phone and ID numbers never reach a log: the formatter below masks anything that
looks like one, as a last line of defence behind never logging them at all. Ids are
never rewritten: fields named `id`/`*_id`/`*_ids` (request, task, outlet ids...) pass
unchanged, and a number glued to letters or digits (inside a UUID or a hex id) is not a phone.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter

if TYPE_CHECKING:
    from aws_lambda_powertools.logging.types import PowertoolsLogRecord

SERVICE = "fielddesk"

_PHONE = re.compile(r"(?<![0-9A-Za-z])(?:\+?86)?1[3-9]\d{9}(?![0-9A-Za-z])")
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")


def redact(text: str) -> str:
    return _ID_NUMBER.sub("[id-redacted]", _PHONE.sub("[phone-redacted]", text))


# Ids FieldDesk or AWS assign. Not the client's own X-Request-Id (client_request_id): that is the
# client's text, so it is masked like any other if it is a phone number.
_ID_FIELD = re.compile(r"(^|_)ids?$")
_CLIENT_TEXT = {"client_request_id"}


def _is_id_field(name) -> bool:
    return isinstance(name, str) and name not in _CLIENT_TEXT and bool(_ID_FIELD.search(name))


def redact_fields(value, name=None):
    """A log record with every value redacted except those of id fields (nested dicts and lists too)."""
    if _is_id_field(name):
        return value
    if isinstance(value, dict):
        return {k: redact_fields(v, k) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [redact_fields(v) for v in value]
    if isinstance(value, str):
        return redact(value)
    if value is None or isinstance(value, (bool, float)):
        return value
    # A phone logged as a number (or any object the serializer would str()) is still a phone.
    text = str(value)
    masked = redact(text)
    return value if masked == text else masked


class RedactingFormatter(LambdaPowertoolsFormatter):
    def serialize(self, log: dict[str, Any] | PowertoolsLogRecord) -> str:
        return super().serialize(redact_fields(log))


logger = Logger(service=SERVICE, logger_formatter=RedactingFormatter())
metrics = Metrics(namespace="FieldDesk", service=SERVICE)
