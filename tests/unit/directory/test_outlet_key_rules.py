"""Outlet API key rules on the fakes: slots, rotation, revocation whatever the counter says, no half-issued key,
a closure revoking the keys it lists. How auth then answers a key stays an API test (tests/api/test_outlet_api.py)."""

from __future__ import annotations

import json

import pytest

from chalicelib.auth import hash_api_secret
from chalicelib.domain import directory, outlet_keys
from chalicelib.errors import Conflict, NotFound, Unavailable, Unprocessable, ValidationFailed
from chalicelib.models.directory import OutletPatch
from chalicelib.models.outlet_keys import ApiKeyIn

from .conftest import ADMIN, NOW, OUTLET

pytestmark = pytest.mark.usefixtures("key_repo", "gateway")


def issue(**body) -> dict:
    return outlet_keys.issue(ADMIN, OUTLET, ApiKeyIn.model_validate(body or {"label": "main"}))


def test_a_key_is_shown_once_and_stored_only_as_a_hash(key_repo):
    key = issue()
    assert key["api_key"].startswith(f"fdk_{key['key_id']}.") and key["status"] == "active"
    secret = key["api_key"].split(".", 1)[1]
    stored = key_repo.get_key(key["key_id"])
    assert secret not in json.dumps(stored) and stored["secret_hash"] == hash_api_secret(secret)
    listing = outlet_keys.list_keys(OUTLET)
    assert [k["key_id"] for k in listing] == [key["key_id"]]
    assert secret not in json.dumps(listing) and "secret_hash" not in json.dumps(listing)


def test_rotation_holds_two_active_keys_and_a_revoked_key_frees_its_slot_once():
    old = issue()
    with pytest.raises(ValidationFailed) as refused:
        issue(replaces="nope")
    assert refused.value.details[0]["field"] == "replaces"
    new = issue(replaces=old["key_id"], label="rotation")
    assert new["replaces"] == old["key_id"]
    with pytest.raises(Conflict):
        issue(label="third")
    revoked = outlet_keys.revoke(ADMIN, OUTLET, old["key_id"])
    assert revoked["status"] == "revoked" and revoked["revoked_at"] == NOW
    assert outlet_keys.revoke(ADMIN, OUTLET, old["key_id"])["status"] == "revoked"  # harmless, no second slot
    issue(label="next rotation")
    with pytest.raises(Conflict):
        issue(label="one too many")


def test_a_key_is_revoked_through_its_own_outlet_only():
    key = issue()
    with pytest.raises(NotFound):
        outlet_keys.revoke(ADMIN, "ot-abc-zhongguancun", key["key_id"])
    with pytest.raises(NotFound):
        outlet_keys.list_keys("ot-nowhere")


def test_revoking_a_key_the_counter_never_counted_still_revokes_it(key_repo):
    key = issue()
    key_repo.slots[OUTLET] = 0  # as a key written outside the issuing transaction leaves the counter
    assert outlet_keys.revoke(ADMIN, OUTLET, key["key_id"])["status"] == "revoked"
    assert key_repo.slots[OUTLET] == 0  # never below nothing


def test_a_key_the_gateway_refuses_is_not_left_issued(key_repo, gateway):
    gateway.refuse = True
    with pytest.raises(Unavailable):
        issue()
    assert [k["status"] for k in outlet_keys.list_keys(OUTLET)] == ["revoked"]
    assert key_repo.slots[OUTLET] == 0
    gateway.refuse = False
    key = issue()
    assert gateway.keys[key_repo.get_key(key["key_id"])["gateway_key_id"]]["value"] == key["api_key"]
    outlet_keys.revoke(ADMIN, OUTLET, key["key_id"])
    assert gateway.keys == {}  # it leaves the usage plan with its revocation


def test_closing_an_outlet_revokes_its_keys_and_a_closed_outlet_gets_none(key_repo, gateway):
    first, second = issue(), issue(label="second")
    closed = directory.update_outlet(OUTLET, OutletPatch.model_validate({"status": "closed"}), "adm-001")
    assert closed["status"] == "closed"
    assert sorted(k["status"] for k in outlet_keys.list_keys(OUTLET)) == ["revoked", "revoked"]
    assert key_repo.get_key(first["key_id"])["revoked_at"] == NOW and gateway.keys == {}
    with pytest.raises(Unprocessable):
        issue(label="again")
    directory.update_outlet(OUTLET, OutletPatch.model_validate({"status": "active"}), "adm-001")
    assert key_repo.get_key(second["key_id"])["status"] == "revoked"  # reopening brings no key back
    issue(), issue(label="second")  # the emptied slots


def test_a_closure_lists_the_keys_again_when_one_was_revoked_meanwhile(key_repo):
    first, second = issue(), issue(label="second")
    listed = key_repo.outlet_keys

    def stale_once(outlet_id):  # the index still shows `second` active although it was revoked meanwhile
        key_repo.outlet_keys = listed
        found = listed(outlet_id)
        key_repo.revoke_uncounted(second["key_id"], NOW, "adm-002")
        return found

    key_repo.outlet_keys = stale_once
    directory.update_outlet(OUTLET, OutletPatch.model_validate({"status": "closed"}), "adm-001")
    assert key_repo.get_key(first["key_id"])["status"] == "revoked"
    assert key_repo.get_key(second["key_id"])["revoked_by"] == "adm-002"
    assert directory.get_outlet_record(OUTLET)["status"] == "closed"


def test_no_key_for_an_outlet_closed_elsewhere_while_this_container_read_it_open(directory_repo):
    real_get = directory_repo.get_outlet
    directory_repo.get_outlet = lambda outlet_id: {**real_get(outlet_id), "status": "active"}  # cached as open
    directory_repo.outlets[OUTLET]["status"] = "closed"
    with pytest.raises(Unprocessable) as refused:
        issue(label="late")
    assert "closed" in str(refused.value)
    assert outlet_keys.list_keys(OUTLET) == []
