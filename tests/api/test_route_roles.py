"""Every route declares its roles; every other role is refused, for every route.

Driven by the route registry, so a route added later is covered the day it lands.
"""

from __future__ import annotations

import re

import pytest

from chalicelib.api.route_spec import ROUTES

DEMO_USER = {
    "client_manager": "cm-001",
    "supervisor": "sup-001",
    "callback_agent": "cba-001",
    "compliance": "cmp-001",
    "admin": "adm-001",
    "system": "sys-001",
}


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "x-does-not-exist", path)


def _cases():
    import app  # noqa: F401 - registers every blueprint's routes

    for spec in ROUTES:
        if spec.public:
            continue
        for role, user in DEMO_USER.items():
            if role not in spec.roles:
                yield pytest.param(spec.method, spec.path, user, id=f"{spec.method} {spec.path} as {role}")


@pytest.mark.parametrize("method,path,user", list(_cases()))
def test_roles_not_declared_are_refused(api, method, path, user):
    status, body = api.call(method, _concrete(path), {} if method in ("POST", "PATCH", "PUT") else None, as_=user)
    assert status == 403, body
    assert body["error"]["code"] == "forbidden"


def _authenticated_routes():
    import app  # noqa: F401

    return [pytest.param(s.method, s.path, id=f"{s.method} {s.path}") for s in ROUTES if not s.public]


@pytest.mark.parametrize("method,path", _authenticated_routes())
def test_every_non_public_route_needs_credentials(api, method, path):
    status, body = api.call(method, _concrete(path), {} if method in ("POST", "PATCH", "PUT") else None)
    assert status == 401 and body["error"]["code"] == "unauthenticated"


def test_every_route_declares_roles_or_is_public():
    import app  # noqa: F401

    for spec in ROUTES:
        assert spec.public or spec.roles, f"{spec.method} {spec.path} declares no roles"


def test_reveals_never_store_their_answer_in_the_idempotency_table():
    """A reveal's answer is a clear phone or ID number: it must not be kept for replay."""
    import app  # noqa: F401

    reveals = [s for s in ROUTES if s.path.endswith("/reveal")]
    assert len(reveals) >= 4
    assert [f"{s.method} {s.path}" for s in reveals if s.idempotent] == []


def _staff_only_routes():
    import app  # noqa: F401

    return [
        pytest.param(s.method, s.path, id=f"{s.method} {s.path}")
        for s in ROUTES
        if not s.public and "outlet" not in s.roles
    ]


@pytest.fixture
def outlet_key(api):
    status, issued = api.post("/v1/outlets/ot-icbc-lujiazui/api-keys", {"label": "roles test"}, as_="adm-001")
    assert status == 201
    return issued["api_key"]


@pytest.mark.parametrize("method,path", _staff_only_routes())
def test_a_partner_outlet_key_is_refused_on_every_staff_route(api, outlet_key, method, path):
    status, body = api.call(
        method, _concrete(path), {} if method in ("POST", "PATCH", "PUT") else None, api_key=outlet_key
    )
    assert status == 403, body
