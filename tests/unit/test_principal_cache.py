"""A role change or departure made in another container takes effect here within seconds (issue 16 §4)."""

from __future__ import annotations

from chalicelib import auth
from chalicelib.config import get_settings


def test_a_cached_principal_is_read_again_after_a_few_seconds(directory, monkeypatch):
    from chalicelib.storage import base, keys

    clock = [1000.0]
    monkeypatch.setattr(auth.time, "monotonic", lambda: clock[0])
    assert auth._staff_principal("cm-001").role == "client_manager"
    # Another container departs the member: this one's cache was not cleared.
    base.update(**keys.staff("cm-001"), expression="SET #s = :d", names={"#s": "status"}, values={":d": "departed"})
    assert auth._staff_principal("cm-001").role == "client_manager"  # still cached
    assert get_settings().principal_cache_seconds <= 5
    clock[0] += get_settings().principal_cache_seconds + 0.1
    try:
        auth._staff_principal("cm-001")
    except auth.Unauthenticated:
        return
    raise AssertionError("a departed member still authenticated after the cache lifetime")
