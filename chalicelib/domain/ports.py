"""How a rule reaches the outside world: a typed `Port` per repository protocol, bound once at the edge.

Each area declares its protocol and a port beside its rules (`domain/<area>_ports.py`):

    class VisitRepository(Protocol): ...
    VISITS: Port[VisitRepository] = Port("visits")

and the rules call `VISITS().put(...)`. The domain imports no storage module: `chalicelib/wiring/` binds
each port to its DynamoDB adapter (`wiring.install()`, called by app.py, the operator runners and the test
session), and a rule test swaps in the in-memory fake with `with VISITS.override(fake):`. One contract test
body runs on both (tests/contract/), so the fake cannot drift from the table.

Why a bound port rather than a `deps` argument on every function (as `domain/prospects` takes): areas call
each other's rules (visits read leave, penalties read the calendar, everything writes the outbox and the
disclosure audit); a port keeps those call sites as they are while each area moves behind its protocol.
The adapter is built by a factory on first use, so a cold start builds only the adapters its request needs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


# --- what every area's repository answers with -------------------------------------------------------
@dataclass
class Page(Generic[T]):
    """One page of a list; `last_key` is opaque to the rules (the route turns it into a `next_token`)."""

    items: list[T]
    last_key: dict | None = None


@dataclass(frozen=True)
class Escalation:
    """An outbox entry written with the change that causes it, delivered at least once to the supervisor and
    the branch manager; `subject` makes it one entry however often the change is retried. Ids only, never a
    name or a text (personal data stays out of the outbox)."""

    subject: str
    payload: dict


# Who binds a port that is asked for before anything bound it: `wiring.install()` sets it, so a cold start
# imports only the ports and adapters its request reaches (each `*_ports` module costs 1-9 ms to import,
# ~30 ms together, issue 17 §7), and a job or a test session binds them just the same.
_binder: Callable[[str], None] | None = None


def bind_on_first_use(binder: Callable[[str], None] | None) -> None:
    """`binder(name)` is called with a port's name the first time an unbound port is called."""
    global _binder
    _binder = binder


class Port(Generic[T]):
    def __init__(self, name: str) -> None:
        self.name = name
        self._factory: Callable[[], T] | None = None
        self._impl: T | None = None

    def bind(self, factory: Callable[[], T]) -> None:
        """Bind the implementation the port answers with, built on first use (rebinding drops the built one)."""
        self._factory, self._impl = factory, None

    @property
    def bound(self) -> bool:
        return self._factory is not None

    def bind_default(self, factory: Callable[[], T]) -> None:
        """Bind `factory` unless something is bound already (an area binding all its ports when one of them is
        first called must not replace a rule test's fake on another)."""
        if not self.bound:
            self.bind(factory)

    def __call__(self) -> T:
        if self._impl is None:
            if self._factory is None and _binder is not None:
                _binder(self.name)
            if self._factory is None:
                raise RuntimeError(f"port {self.name!r} is not bound: call chalicelib.wiring.install() first")
            self._impl = self._factory()
        return self._impl

    @contextmanager
    def override(self, impl: T) -> Iterator[T]:
        """Answer with `impl` inside the block (a rule test's fake), then with what was bound before."""
        saved = self._factory, self._impl
        self._factory, self._impl = (lambda: impl), impl
        try:
            yield impl
        finally:
            self._factory, self._impl = saved
