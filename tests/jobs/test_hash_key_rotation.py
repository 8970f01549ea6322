"""Rotating the hash key (phones and ID numbers are looked up by their HMAC) with no missed lookup:
`python -m schedules keys rotate|promote|rehash|retire hash-key` on moto, and the API at every step.

"First to register owns it" (004 六 "未备案的信息谁先备案算谁的") rests on the claims keyed by those
hashes: a rotation that lost one would let a second manager register a client already registered.
A container reads the secret at most 5 minutes late; `lagging` plays one still holding the step before.
"""

from __future__ import annotations

import json

import boto3
import pytest

from chalicelib import clock
from chalicelib.storage import base, keys, pii
from schedules.__main__ import main
from tests.factories.accounts import opened

NOW = "2026-11-20T10:00:00+08:00"
OLD = "old-hash-key-0123456789abcdef0123456789"


def person(phone: str, id_number: str | None = None) -> dict:
    body = {
        "name": "张三丰",
        "phone": phone,
        "class": "A",
        "source": "own_network",
        "outlet_id": "ot-icbc-lujiazui",
        "first_contact_on": "2026-11-19",
        "need": "想做基金定投",
    }
    return {**body, **({"id_number": id_number} if id_number else {})}


@pytest.fixture
def secret(monkeypatch):
    sm = boto3.client("secretsmanager", region_name="us-east-1")
    arn = sm.create_secret(Name="fielddesk-hash-key", SecretString=OLD)["ARN"]
    monkeypatch.setenv("FIELDDESK_HASH_KEY_SECRET", arn)
    container = {"value": OLD}
    monkeypatch.setattr(pii, "secret_hash_key", lambda: container["value"])

    class Secret:
        def stored(self) -> str:
            return sm.get_secret_value(SecretId=arn)["SecretString"]

        def containers_read_it(self) -> None:
            container["value"] = self.stored()

        def lagging(self, value: str) -> None:
            container["value"] = value

    return Secret()


def register(api, phone, id_number=None, as_="cm-001"):
    return api.post("/v1/prospects", person(phone, id_number), as_=as_)


def test_lookups_and_first_claims_hold_at_every_step_of_a_hash_key_rotation(api, secret, capsys):
    with clock.freeze(NOW):
        status, first = register(api, "13812345678", "11010519491231002X")  # before the rotation
        assert status == 201, first

        assert main(["keys", "rotate", "hash-key"]) == 0
        staged = secret.stored()
        assert staged.startswith(OLD + "\n") and len(staged.split("\n")) == 2
        assert "promote hash-key" in capsys.readouterr().out
        secret.containers_read_it()
        assert register(api, "13812345678", as_="cm-002")[0] == 409, "the old claim is found"
        status, during = register(api, "13900001111")
        assert status == 201
        # Claimed under both keys in one transaction: two containers whose writer keys differ cannot both win.
        assert [
            base.get_item(**keys.claim_phone(pii.hash_with(k, pii.PHONE, "13900001111")))["prospect_id"]
            for k in staged.split("\n")
        ] == [during["prospect_id"]] * 2

        assert main(["keys", "promote", "hash-key"]) == 0
        new = secret.stored().split("\n")[0]
        assert secret.stored() == f"{new}\n{OLD}" and "rehash hash-key" in capsys.readouterr().out
        secret.lagging(staged)  # a container a step behind: old key still writes
        assert register(api, "13900001111", as_="cm-002")[0] == 409
        secret.containers_read_it()
        assert register(api, "13812345678", as_="cm-002")[0] == 409
        assert register(api, "13900001111", as_="cm-002")[0] == 409
        status, promoted = register(api, "13700002222")
        assert status == 201
        assert base.get_item(**keys.prospect(promoted["prospect_id"]))["phone_hash"] == pii.hash_with(
            new, pii.PHONE, "13700002222"
        ), "the new key writes the stored hash"

        assert main(["keys", "retire", "hash-key"]) == 1, "not before the stored claims are re-hashed"
        assert "keys rehash hash-key" in capsys.readouterr().err and secret.stored() == f"{new}\n{OLD}"

        assert main(["keys", "rehash", "hash-key", "--max-seconds", "0"]) == 1  # one partition, then a clean stop
        assert "rerun to resume" in capsys.readouterr().err
        assert main(["keys", "rehash", "hash-key"]) == 0  # resumes where it stopped
        result = json.loads(capsys.readouterr().out.split("\nhash-key:")[0])
        assert result["completed"] is True and result["conflicts"] == 0
        assert result["rehashed"] == 3, "every prospect is marked with the writer key (the first lacked its claim)"
        assert (
            base.get_item(**keys.claim_phone(pii.hash_with(new, pii.PHONE, "13812345678")))["prospect_id"]
            == first["prospect_id"]
        )
        assert base.get_item(**keys.claim_id_number(pii.hash_with(new, pii.ID_NUMBER, "11010519491231002X")))
        assert main(["keys", "rehash", "hash-key"]) == 0, "a rerun is safe"
        assert json.loads(capsys.readouterr().out.split("\nhash-key:")[0])["rehashed"] == 3, "nothing more done"

        assert main(["keys", "retire", "hash-key"]) == 0
        assert secret.stored() == new and "Next: done" in capsys.readouterr().out
        secret.containers_read_it()
        # Only the new key is left: every number registered at any step is still claimed.
        for phone in ("13812345678", "13900001111", "13700002222"):
            assert register(api, phone, as_="cm-002")[0] == 409, phone
        status, body = api.post("/v1/prospects", person("13600003333", "11010519491231002X"), as_="cm-002")
        assert status == 409, "the ID number's claim was re-hashed too"
        assert register(api, "13500004444", as_="cm-002")[0] == 201


def test_an_account_opened_during_the_rotation_converts_a_prospect_claimed_under_the_old_key(api, secret):
    from chalicelib.storage import prospects as store

    event = opened("ac-rot-1", n=7)  # the feed's client: phone 139 0000 0007
    with clock.freeze(NOW):
        status, prospect = register(api, "13900000007")
        assert status == 201
        assert main(["keys", "rotate", "hash-key"]) == 0
        assert main(["keys", "promote", "hash-key"]) == 0  # the new key writes; the prospect is not re-hashed yet
        secret.containers_read_it()
        status, fed = api.post("/v1/account-events", {"events": [event]}, as_="sys-001")
        assert status == 200 and fed["accepted"] == 1, fed
    conversion = store.get_conversion("ac-rot-1")
    assert conversion and conversion["prospect_id"] == prospect["prospect_id"]


def test_a_contact_change_to_the_same_phone_after_the_rotation_is_not_a_new_phone(api, secret):
    """The account keeps the hash of the key it was opened under; after retire that key is gone, and the
    same number fed again must not read as a new one (it would answer a wrong-number flag)."""
    from chalicelib.domain import accounts

    with clock.freeze(NOW):
        assert api.post("/v1/account-events", {"events": [opened("ac-rot-2", n=8)]}, as_="sys-001")[0] == 200
        account = base.get_item(**keys.account("ac-rot-2"), consistent=True)
        for step in ("rotate", "promote"):
            assert main(["keys", step, "hash-key"]) == 0
        secret.lagging(secret.stored().split("\n")[0])  # retired: only the new key
        assert accounts._same_phone(account, "13900000008")
        assert not accounts._same_phone(account, "13900000009")


def test_hash_key_status_says_where_the_rotation_stands(api, secret, capsys):
    assert main(["keys", "status", "hash-key"]) == 0
    assert json.loads(capsys.readouterr().out)["keys_valid"] == 1
    assert main(["keys", "rotate", "hash-key"]) == 0 and main(["keys", "promote", "hash-key"]) == 0
    capsys.readouterr()
    assert main(["keys", "status", "hash-key"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["keys_valid"] == 2 and status["rehash"]["completed"] is False
    assert status["writer_key_id"] == pii.key_id(secret.stored().split("\n")[0])


# --- the field (sealing) key: the stack's KMS key ----------------------------------------------------------
def test_a_value_sealed_before_a_kms_rotation_still_opens_after_it_through_the_api(api, monkeypatch, capsys):
    from chalicelib.config import reset_settings

    kms = boto3.client("kms", region_name="us-east-1")
    key_id = kms.create_key()["KeyMetadata"]["Arn"]
    kms.enable_key_rotation(KeyId=key_id)
    monkeypatch.setenv("FIELDDESK_KMS_KEY_ID", key_id)
    reset_settings()
    pii.reset()
    reveal = {"purpose": "follow_up", "reason": "核对号码后回访客户", "fields": ["phone"]}
    with clock.freeze(NOW):
        status, before = register(api, "13812345678")
        assert status == 201
        assert base.get_item(**keys.prospect(before["prospect_id"]))["phone_sealed"].startswith("v1:kms:")
        assert main(["keys", "rotate", "field-key"]) == 0
        out = capsys.readouterr().out
        assert '"type": "ON_DEMAND"' in out and "Next: done" in out
        pii.reset()  # a new container: a data key under the new key material
        status, after = register(api, "13900002222")
        assert status == 201
        for prospect, phone in ((before, "13812345678"), (after, "13900002222")):
            status, shown = api.post(f"/v1/prospects/{prospect['prospect_id']}/reveal", reveal, as_="cm-001")
            assert status == 200 and shown["phone"] == phone, shown
    assert main(["keys", "retire", "field-key"]) == 2, "KMS keeps the old material: nothing to retire"
    pii.reset()
