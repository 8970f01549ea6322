"""Production tokens: RS256 against the pool's JWKS, iss/aud/exp/token_use checked, algorithms pinned."""

from __future__ import annotations

import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from chalicelib import auth
from chalicelib.config import reset_settings
from chalicelib.errors import Unauthenticated

ISSUER = "https://cognito-idp.cn-north-1.amazonaws.com.cn/cn-north-1_TEST"
CLIENT_ID = "fielddesk-mobile"


@pytest.fixture
def jwks_mode(monkeypatch):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    monkeypatch.setenv("FIELDDESK_JWT_MODE", "jwks")
    monkeypatch.setenv("FIELDDESK_JWT_ISSUER", ISSUER)
    monkeypatch.setenv("FIELDDESK_JWT_AUDIENCE", CLIENT_ID)
    monkeypatch.setenv("FIELDDESK_JWKS_URL", "https://example.invalid/jwks.json")
    monkeypatch.setenv("FIELDDESK_JWT_TOKEN_USE", "access")
    monkeypatch.setenv("FIELDDESK_JWT_STAFF_ID_CLAIM", "username")
    reset_settings()

    class FakeJwks:
        def get_signing_key_from_jwt(self, token):
            return type("K", (), {"key": key.public_key()})()

    monkeypatch.setattr(auth, "_jwks_client", lambda url: FakeJwks())
    yield key
    reset_settings()


def _token(key, **claims):
    base = {
        "sub": "cm-001",
        "iss": ISSUER,
        "client_id": CLIENT_ID,
        "token_use": "access",
        "exp": int(time.time()) + 600,
        "username": "cm-001",
    }
    base.update(claims)
    return jwt.encode({k: v for k, v in base.items() if v is not None}, key, algorithm="RS256")


def test_valid_access_token_names_the_staff_member(jwks_mode):
    assert auth._verify_jwt(_token(jwks_mode)) == "cm-001"


@pytest.mark.parametrize(
    "claims",
    [
        {"iss": "https://evil.example/"},
        {"client_id": "another-client"},
        {"token_use": "refresh"},
        {"exp": int(time.time()) - 10},
        {"token_use": None},
    ],
)
def test_wrong_claims_are_refused(jwks_mode, claims):
    with pytest.raises(Unauthenticated):
        auth._verify_jwt(_token(jwks_mode, **claims))


def test_any_oidc_issuer_id_token_with_a_staff_id_claim(jwks_mode, monkeypatch):
    monkeypatch.setenv("FIELDDESK_JWT_TOKEN_USE", "id")
    monkeypatch.setenv("FIELDDESK_JWT_STAFF_ID_CLAIM", "employee_no")
    reset_settings()
    token = _token(
        jwks_mode, token_use=None, client_id=None, username=None, aud=CLIENT_ID, sub="u-77", employee_no="cm-002"
    )
    assert auth._verify_jwt(token) == "cm-002"
    with pytest.raises(Unauthenticated):  # an access token where id tokens are configured
        auth._verify_jwt(_token(jwks_mode, employee_no="cm-002"))
    with pytest.raises(Unauthenticated):  # no staff-id claim: never the user name or subject
        auth._verify_jwt(_token(jwks_mode, token_use=None, client_id=None, aud=CLIENT_ID))
    with pytest.raises(Unauthenticated):
        auth._verify_jwt(_token(jwks_mode, token_use=None, client_id=None, aud="other", employee_no="cm-002"))


def test_hs256_token_is_refused_in_jwks_mode(jwks_mode):
    forged = jwt.encode(
        {"sub": "adm-001", "iss": ISSUER, "client_id": CLIENT_ID, "token_use": "access", "exp": int(time.time()) + 600},
        "guessable-secret-guessable-secret",
        algorithm="HS256",
    )
    with pytest.raises(Unauthenticated):
        auth._verify_jwt(forged)
