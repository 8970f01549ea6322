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

    def retry_delay(self, tries: int, started: float, *, finishing: bool = False) -> float | None:
        """The full-jitter delay before try `tries + 1`; None when the time budget (or, finishing a page's
        bookkeeping, the give-up limit alone) does not allow another try."""
        delay = random.uniform(
            0,
            min(self.s.selection_retry_max_delay_seconds, self.s.selection_retry_base_seconds * (2 ** min(tries, 20))),
        )
        if time.monotonic() - started + delay > self.s.selection_retry_give_up_seconds:
            return None
        if (
            not finishing
            and self.remaining is not None
            and self.remaining() - delay < self.s.selection_stop_margin_seconds
        ):
            self.stopped = True
            return None
        with self.lock:
            self.retries += 1
        return delay

    def backoff(self, tries: int, started: float, *, finishing: bool = False) -> bool:
        """Sleep the delay before try `tries + 1` (`retry_delay`); False when no other try is allowed."""
        delay = self.retry_delay(tries, started, finishing=finishing)
        if delay is None:
            return False
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


class SendPace:
    """Job-wide back-pressure on the task puts (issue 18). A throttled task does not hold its worker: it goes
    back to the pool's queue with its backoff (domain/selection_create.py), so a table that keeps throttling
    would see the job send as fast as ever. So the job watches its puts: a second of them with more than
    THROTTLED_SHARE throttled doubles the pause every worker takes before a put (from PAUSE_MIN up to
    PAUSE_MAX), a second under it halves the pause, to nothing. A few puts throttled now and then (5%: a
    partition splitting, a burst on one key) leave it at 0, and the run keeps its pace."""

    WINDOW = 1.0  # seconds of sends judged together
    THROTTLED_SHARE = 0.25
    PAUSE_MIN, PAUSE_MAX = 0.01, 1.0

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.pause = 0.0
        self._since: float | None = None
        self._sent = self._throttled = 0

    def record(self, throttled: bool) -> None:
        now = time.monotonic()
        with self.lock:
            if self._since is None:
                self._since = now
            self._sent += 1
            self._throttled += throttled
            if now - self._since < self.WINDOW:
                return
            if self._throttled > self.THROTTLED_SHARE * self._sent:
                self.pause = min(self.PAUSE_MAX, max(self.PAUSE_MIN, 2 * self.pause))
            else:
                self.pause = self.pause / 2 if self.pause > self.PAUSE_MIN else 0.0
            self._since, self._sent, self._throttled = now, 0, 0

    def wait(self) -> None:
        if self.pause:
            time.sleep(self.pause)
