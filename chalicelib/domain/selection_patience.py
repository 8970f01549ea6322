"""The patience of a selection run (issue 18): its time budget and the full-jitter backoff of what it retries.

A throttled request (refused, or a transaction cancelled with ThrottlingError), a fault and a transaction
conflict are retried with full-jitter backoff while the time budget lasts; once it is spent `OutOfTime`
stops the run cleanly as partial (domain/selection_job.py). `Patience` is the part of
`selection_run._Run` that does it; `bench.replay` swaps this module's `time` for its virtual clock.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable

from ..config import Settings
from ..errors import ConditionFailed, TooManyRequests, Unavailable


class OutOfTime(Exception):
    pass


# Worth waiting for: the database is busy (throttled) or briefly unreachable.
TRANSIENT = (TooManyRequests, Unavailable)


class Patience:
    """Time budget and back-pressure of a run. The state below is set by `selection_run._Run.__init__`
    (and read at each call: a test may replace `s` afterwards)."""

    remaining: Callable[[], float] | None
    s: Settings
    stopped: bool
    lock: threading.Lock
    retries: int

    # --- time and back-pressure ---------------------------------------------------------
    def out_of_time(self) -> bool:
        if self.remaining is not None and self.remaining() < self.s.selection_stop_margin_seconds:
            self.stopped = True
        return self.stopped

    def backoff(self, tries: int, started: float, *, finishing: bool = False) -> bool:
        """Sleep a full-jitter delay before try `tries + 1`; False when the time budget (or, finishing a
        page's bookkeeping, the give-up limit alone) does not allow another try."""
        delay = random.uniform(
            0,
            min(self.s.selection_retry_max_delay_seconds, self.s.selection_retry_base_seconds * (2 ** min(tries, 20))),
        )
        if time.monotonic() - started + delay > self.s.selection_retry_give_up_seconds:
            return False
        if (
            not finishing
            and self.remaining is not None
            and self.remaining() - delay < self.s.selection_stop_margin_seconds
        ):
            self.stopped = True
            return False
        with self.lock:
            self.retries += 1
        time.sleep(delay)
        return True

    def patiently(self, fn: Callable, *args, conflicts: bool = False, finishing: bool = False, **kwargs):
        """`fn(*args)`, retried on throttling (and, for writes without a condition, `conflicts`) with backoff.
        Raises OutOfTime when the budget is spent, so the run stops as partial."""
        started, tries = time.monotonic(), 0
        while True:
            try:
                return fn(*args, **kwargs)
            except TRANSIENT:
                pass
            except ConditionFailed:
                if not conflicts:
                    raise
            if not self.backoff(tries, started, finishing=finishing):
                self.stopped = True
                raise OutOfTime(getattr(fn, "__name__", "call"))
            tries += 1

    def call(self, fn: Callable, *args, **kwargs):
        """What the storage page iterators call a query through."""
        return self.patiently(fn, *args, **kwargs)
