"""powertools Logger and Metrics shared by routes and jobs (no Tracer: nothing was traced, and the X-Ray SDK cost cold-start time and shipped an unmatched botocore).

Phone and ID numbers never reach a log: the formatter below masks anything that
looks like one, as a last line of defence behind never logging them at all.
"""
from __future__ import annotations

import re

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter

SERVICE = "fielddesk"

_PHONE = re.compile(r"(?<!\d)(?:\+?86)?1[3-9]\d{9}(?!\d)")
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")


def redact(text: str) -> str:
    return _ID_NUMBER.sub("[id-redacted]", _PHONE.sub("[phone-redacted]", text))


class RedactingFormatter(LambdaPowertoolsFormatter):
    def serialize(self, log: dict) -> str:
        return redact(super().serialize(log))


logger = Logger(service=SERVICE, logger_formatter=RedactingFormatter())
metrics = Metrics(namespace="FieldDesk", service=SERVICE)
