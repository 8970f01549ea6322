"""The demo data `make run` loads is valid and complete."""

from __future__ import annotations

from collections import Counter


def test_demo_data_loads_and_has_two_users_of_every_role(api):
    from infra.demo_data import STAFF, seed_all

    seed_all()
    roles = Counter(s["role"] for s in STAFF if s["branch_id"] == "br-pudong")
    assert all(
        roles[r] >= 2 for r in ("client_manager", "supervisor", "callback_agent", "compliance", "admin", "system")
    )
    status, page = api.get("/v1/visits", as_="cm-001")
    assert status == 200 and len(page["items"]) >= 3


def test_token_command_picks_nth_user_of_a_role():
    from infra.demo_data import staff_id_for

    assert staff_id_for("supervisor", 2) == "sup-002"
