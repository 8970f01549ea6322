"""What a route declares (`RouteSpec`) and the registry of every declared route (`ROUTES`).

`body`, `query` and `response` take a pydantic class or a zero-argument callable
returning one (`lambda: visits_models.VisitIn` over a lazy module handle,
`chalicelib/lazy.py`): typed for mypy and an IDE, loaded on first use, so a cold
start pays only for the models of the routes it serves. Read them through
`RouteSpec.body_model`, `query_model` and `response_model`, which resolve.
The OpenAPI document (chalicelib/openapi.py) is generated from `ROUTES`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

JSON = "application/json"


def resolve(model: Any) -> Any:
    """A class as it is; a zero-argument callable (`lambda: m.VisitIn`, see `chalicelib/lazy.py`) called
    once: the route module names its models typed, and loads them on first use."""
    if callable(model) and not isinstance(model, type):
        return _call_ref(model)
    return model


@functools.cache
def _call_ref(ref: Callable[[], Any]) -> Any:
    return ref()


def check_ref(model: Any) -> Any:
    # A "module:Name" string was the old lazy reference: mypy could not follow it and a typo answered 500.
    if isinstance(model, str):
        raise TypeError(f"model {model!r}: give the class, or `lambda: module.Name` to load it lazily")
    return model


@dataclass
class RouteSpec:
    path: str
    method: str
    roles: tuple[str, ...]
    summary: str
    # a class, or a zero-argument callable returning it (typed and lazy: chalicelib/lazy.py); read them
    # through the *_model properties
    body: type[BaseModel] | Callable[[], type[BaseModel]] | None = None
    query: type[BaseModel] | Callable[[], type[BaseModel]] | None = None
    response: Any = None
    status: int = 200
    idempotent: bool = False
    replay_by_data: bool = False  # the domain answers a retried key from its own record (no idempotency table)
    public: bool = False
    tags: tuple[str, ...] = ()
    errors: tuple[int, ...] = ()
    content_type: str = JSON
    operation_id: str = ""
    order: str = ""  # a list route: what its items are sorted by (in the operation's description)

    @property
    def body_model(self) -> type[BaseModel] | None:
        return resolve(self.body)

    @property
    def query_model(self) -> type[BaseModel] | None:
        return resolve(self.query)

    @property
    def response_model(self) -> Any:
        return resolve(self.response)


ROUTES: list[RouteSpec] = []
