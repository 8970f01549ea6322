"""Field-level protection of phone and ID numbers.

`seal` encrypts a value for storage (AES-256-GCM); `lookup_hash` is the keyed
HMAC used as a uniqueness and lookup key, so the clear value is never a key.
Production encrypts with a KMS data key created once per container (envelope
encryption: the encrypted data key is stored beside each value); the local and
test stages use a local key from configuration.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from functools import lru_cache
from typing import overload

from ..config import get_settings
from ..errors import Unavailable
from ..runtime_values import secret_hash_key

_VERSION = "v1"


PHONE, ID_NUMBER = "phone", "id_number"


def hash_keys() -> list[str]:
    """The valid hash keys, the writer first: one per line of the secret (two during a rotation).

    `python -m schedules keys rotate|promote|rehash|retire hash-key` (docs/operations.md, Rotate secrets)."""
    secret = secret_hash_key()
    return [line.strip() for line in secret.splitlines() if line.strip()] or [secret]


def key_id(key: str) -> str:
    """A short public name of a hash key (what rehash marks records with); reveals nothing of the key."""
    return hmac.new(key.encode(), b"fielddesk-hash-key-id", hashlib.sha256).hexdigest()[:12]


def hash_with(key: str, kind: str, normalised: str) -> str:
    return hmac.new(key.encode(), f"{kind}:{normalised}".encode(), hashlib.sha256).hexdigest()


_hmac = hash_with


def lookup_hash(kind: str, normalised: str) -> str:
    """The hash under the writer key: what new records store."""
    return _hmac(hash_keys()[0], kind, normalised)


def lookup_hashes(kind: str, normalised: str | None) -> list[str]:
    """The hash under every valid key, the writer's first. Claims are written under all of them and
    lookups try all of them, so during a rotation a container holding either key finds every claim."""
    if not normalised:
        return []
    return [_hmac(key, kind, normalised) for key in hash_keys()]


def phone_hash(normalised_phone: str) -> str:
    """The one lookup hash of a mobile number: prospects' claims and accounts' conversion meet on it."""
    return lookup_hash(PHONE, normalised_phone)


def id_hash(normalised_id_number: str) -> str:
    return lookup_hash(ID_NUMBER, normalised_id_number)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text.encode())


# A container asks KMS for a new data key after this long, so after a rotation of the KMS key
# (`python -m schedules keys rotate field-key`, or KMS's yearly one) new values are sealed under the new
# key material within the hour. Values sealed earlier keep opening: KMS keeps every older material.
DATA_KEY_MAX_SECONDS = 3600
_data_key: dict = {}


def _kms_data_key() -> tuple[bytes, str]:
    import time

    from ..storage.clients import kms_client

    now = time.monotonic()
    if not _data_key or now - _data_key["at"] > DATA_KEY_MAX_SECONDS:
        resp = kms_client().generate_data_key(KeyId=get_settings().kms_key_id, KeySpec="AES_256")
        _data_key.update(at=now, key=(resp["Plaintext"], _b64(resp["CiphertextBlob"])))
    return _data_key["key"]


@lru_cache(maxsize=256)
def _kms_decrypt_key(encrypted_key: str) -> bytes:
    from ..storage.clients import kms_client

    return kms_client().decrypt(CiphertextBlob=_unb64(encrypted_key))["Plaintext"]


def _uses_kms() -> bool:
    return bool(get_settings().kms_key_id)


@overload
def seal(value: str) -> str: ...
@overload
def seal(value: None) -> None: ...
def seal(value: str | None) -> str | None:
    if value is None:
        return None
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce = os.urandom(12)
    if _uses_kms():
        key, encrypted_key = _kms_data_key()
        return f"{_VERSION}:kms:{encrypted_key}:{_b64(nonce + AESGCM(key).encrypt(nonce, value.encode(), None))}"
    key = _unb64(get_settings().field_key_local)
    return f"{_VERSION}:local:{_b64(nonce + AESGCM(key).encrypt(nonce, value.encode(), None))}"


@overload
def unseal(sealed: str) -> str: ...
@overload
def unseal(sealed: None) -> None: ...
def unseal(sealed: str | None) -> str | None:
    if sealed is None:
        return None
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    parts = sealed.split(":")
    try:
        if parts[1] == "kms":
            key, blob = _kms_decrypt_key(parts[2]), _unb64(parts[3])
        else:
            key, blob = _unb64(get_settings().field_key_local), _unb64(parts[2])
        return AESGCM(key).decrypt(blob[:12], blob[12:], None).decode()
    except (IndexError, ValueError, InvalidTag):
        raise Unavailable("a protected field could not be decrypted") from None


def reset() -> None:
    _data_key.clear()
    _kms_decrypt_key.cache_clear()
