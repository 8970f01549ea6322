"""Ports of the daily selection (issue 17 §1): the queue its fan-out sends shard messages through.

Given to the rules that send by the job (`chalicelib/wiring/selection.py`); tests give a list-backed fake
or SQS on moto."""

from __future__ import annotations

from typing import Protocol


class ShardQueue(Protocol):
    def send(self, messages: list[dict], delay_seconds: int = 0) -> None:
        """Send each (JSON-able) message; raises a DomainError (Unavailable) if any was refused."""
        ...
