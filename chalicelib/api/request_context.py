"""What a route body gets about its request (`Ctx`): the caller, path parameters, the page position."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from .. import auth
from . import pagination
from .route_spec import RouteSpec

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)


class Paged(Protocol[T_co]):
    """One page of a list as storage and the domain return it (storage.queries.Page, a domain Page[T])."""

    @property
    def items(self) -> Sequence[T_co]: ...

    @property
    def last_key(self) -> dict | None: ...


@dataclass
class Ctx:
    """What a route body needs about its request."""

    principal: auth.Principal | None
    request: Any
    spec: RouteSpec
    params: dict = field(default_factory=dict)

    @property
    def user(self) -> auth.Principal:
        """The signed-in caller of a route that is not `public` (the route wrapper refused anonymous calls)."""
        if self.principal is None:
            raise RuntimeError(f"{self.spec.method} {self.spec.path} read the caller of an anonymous request")
        return self.principal

    @property
    def resource(self) -> str:
        """The resource path with its parameters filled in (Chalice's request.path is the route template)."""
        path = self.spec.path
        for name, value in self.params.items():
            path = path.replace("{" + name + "}", str(value))
        return path

    @property
    def scope(self) -> str:
        """A list variant: method, resource and every query parameter but the page position."""
        params = (self.request.query_params or {}) if self.request is not None else {}
        variant = "&".join(f"{k}={params[k]}" for k in sorted(params) if k not in ("next_token", "limit"))
        return f"{self.spec.method} {self.resource}?{variant}"

    def start_key(self, next_token: str | None) -> dict | None:
        return pagination.decode(next_token, caller=self._caller(), scope=self.scope)

    def page(self, page: Paged[T], render: Callable[[T], Any]) -> dict:
        """The route's `Page[...]` model as a dict: `render` makes each item's view (a record or its Out model);
        `payloads.render` validates it against the route's response model and dumps it, once, like every response."""
        return {
            "items": [render(i) for i in page.items],
            "next_token": pagination.encode(page.last_key, caller=self._caller(), scope=self.scope),
        }

    def _caller(self) -> str:
        return f"{self.principal.kind}:{self.principal.id}" if self.principal else "anonymous"
