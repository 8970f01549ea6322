"""Fail closed: every stage name is checked; only local and test may run with dev settings.

Given the environment a stage would see, when its settings are read, then a deployed stage with
any shared secret, local-only default or missing key refuses to start, naming the setting.
"""

from __future__ import annotations

import re

import pytest
from pydantic import ValidationError

from chalicelib.config import Settings

DEPLOYED = {
    "FIELDDESK_JWKS_URL": "https://idp.example.cn/.well-known/jwks.json",
    "FIELDDESK_JWT_ISSUER": "https://idp.example.cn",
    "FIELDDESK_JWT_AUDIENCE": "fielddesk-mobile",
    "FIELDDESK_KMS_KEY_ID": "arn:aws-cn:kms:cn-north-1:123456789012:key/k",
    "FIELDDESK_HASH_KEY_SECRET": "arn:aws-cn:secretsmanager:cn-north-1:123456789012:secret:hash",
    "FIELDDESK_PAGE_TOKEN_KEY_SECRET": "arn:aws-cn:secretsmanager:cn-north-1:123456789012:secret:page",
    "FIELDDESK_CORS_ORIGINS": "https://fielddesk.example.cn",
}


@pytest.fixture
def env(monkeypatch):
    """Settings from exactly these variables: the suite's own FIELDDESK_* (stage test, dev tokens) and
    those of the previous call are removed."""
    import os

    def set_(**values):
        for name in [n for n in os.environ if n.startswith("FIELDDESK_")] + ["AWS_LAMBDA_FUNCTION_NAME"]:
            monkeypatch.delenv(name, raising=False)
        for name, value in values.items():
            monkeypatch.setenv(name, value)
        return Settings()

    return set_


def refused(env, match: str, **values) -> None:
    with pytest.raises(ValidationError, match=match):
        env(**values)


def test_the_stage_is_required(env):
    refused(env, "FIELDDESK_STAGE is required")
    refused(env, "FIELDDESK_STAGE is required", **DEPLOYED)


@pytest.mark.parametrize("stage", ["local", "test"])
def test_dev_stages_use_hs256_and_dev_tokens_only_when_asked(env, stage):
    s = env(FIELDDESK_STAGE=stage, FIELDDESK_DEV_TOKENS="true")
    assert s.jwt_mode == "hs256" and s.dev_tokens_enabled
    # Without the explicit setting a dev stage verifies a JWKS like any other.
    refused(env, "FIELDDESK_JWKS_URL", FIELDDESK_STAGE=stage, FIELDDESK_DEV_TOKENS="false")
    refused(
        env,
        "FIELDDESK_JWT_MODE=hs256 needs FIELDDESK_DEV_TOKENS",
        FIELDDESK_STAGE=stage,
        FIELDDESK_DEV_TOKENS="false",
        FIELDDESK_JWT_MODE="hs256",
    )
    s = env(FIELDDESK_STAGE=stage, FIELDDESK_DEV_TOKENS="false", **DEPLOYED)
    assert s.jwt_mode == "jwks" and not s.dev_tokens_enabled


def test_a_dev_stage_in_lambda_refuses_dev_tokens(env):
    refused(
        env,
        "FIELDDESK_DEV_TOKENS.*in Lambda",
        FIELDDESK_STAGE="local",
        FIELDDESK_DEV_TOKENS="true",
        AWS_LAMBDA_FUNCTION_NAME="fielddesk-dev-APIHandler",
    )


@pytest.mark.parametrize("stage", ["staging", "prod", "uat"])
def test_deployed_stages_start_only_on_a_jwks_and_real_keys(env, stage):
    s = env(FIELDDESK_STAGE=stage, **DEPLOYED)
    assert s.stage == stage and s.jwt_mode == "jwks" and not s.dev_tokens_enabled
    base = {"FIELDDESK_STAGE": stage, **DEPLOYED}
    for match, changes in [
        ("FIELDDESK_DEV_TOKENS", {"FIELDDESK_DEV_TOKENS": "true"}),
        ("FIELDDESK_DEV_TOKENS", {"FIELDDESK_DEV_TOKENS": "true", "FIELDDESK_JWT_MODE": "hs256"}),
        ("FIELDDESK_JWT_MODE=hs256", {"FIELDDESK_JWT_MODE": "hs256"}),
        ("FIELDDESK_JWKS_URL", {"FIELDDESK_JWKS_URL": ""}),
        ("FIELDDESK_JWKS_URL", {"FIELDDESK_JWKS_URL": "http://idp.example.cn/jwks.json"}),
        ("FIELDDESK_JWT_ISSUER", {"FIELDDESK_JWT_ISSUER": "fielddesk-local"}),
        ("FIELDDESK_JWT_AUDIENCE", {"FIELDDESK_JWT_AUDIENCE": ""}),
        ("FIELDDESK_HASH_KEY_SECRET", {"FIELDDESK_HASH_KEY_SECRET": ""}),
        ("FIELDDESK_HASH_KEY_SECRET", {"FIELDDESK_HASH_KEY_SECRET": "", "FIELDDESK_HASH_KEY": "short"}),
        (
            "FIELDDESK_HASH_KEY_SECRET",
            {"FIELDDESK_HASH_KEY_SECRET": "", "FIELDDESK_HASH_KEY": "local-hash-key-change-me"},
        ),
        ("FIELDDESK_PAGE_TOKEN_KEY_SECRET", {"FIELDDESK_PAGE_TOKEN_KEY_SECRET": ""}),
        ("FIELDDESK_KMS_KEY_ID", {"FIELDDESK_KMS_KEY_ID": ""}),
        ("FIELDDESK_CORS_ORIGINS", {"FIELDDESK_CORS_ORIGINS": "*"}),
    ]:
        with pytest.raises(ValidationError, match=match):
            env(**{**base, **changes})
    # A key given by value (an operator's run from their machine) is accepted when it is not a default.
    s = env(**{**base, "FIELDDESK_HASH_KEY_SECRET": "", "FIELDDESK_HASH_KEY": "x" * 32})
    assert s.hash_key == "x" * 32


@pytest.mark.parametrize("stage", ["Prod", "st age", "x", "../prod", "prod#1", "a" * 40])
def test_an_invalid_stage_name_is_refused(env, stage):
    refused(env, "stage", FIELDDESK_STAGE=stage, **DEPLOYED)


@pytest.mark.parametrize(
    "variables, reason",
    [
        ({}, "FIELDDESK_STAGE is required"),
        ({"FIELDDESK_STAGE": "staging", "FIELDDESK_JWT_MODE": "hs256"}, "FIELDDESK_JWT_MODE=hs256"),
        ({"FIELDDESK_STAGE": "local", "FIELDDESK_DEV_TOKENS": "true"}, "FIELDDESK_DEV_TOKENS"),
    ],
)
def test_in_lambda_the_app_refuses_to_start(variables, reason):
    """A Lambda container (AWS_LAMBDA_FUNCTION_NAME) checks its settings when it loads app.py."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    lambda_env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(root),
        "AWS_DEFAULT_REGION": "cn-north-1",
        "AWS_LAMBDA_FUNCTION_NAME": "fielddesk-staging-APIHandler",
        "POWERTOOLS_TRACE_DISABLED": "true",
    }
    result = subprocess.run(
        [sys.executable, "-c", "import app"],
        cwd=root,
        env={**lambda_env, **variables},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert re.search(reason, result.stderr), result.stderr[-2000:]
    ok = subprocess.run(
        [sys.executable, "-c", "import app"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        env={**lambda_env, "FIELDDESK_STAGE": "staging", **DEPLOYED},
    )
    assert ok.returncode == 0, ok.stderr[-2000:]


def test_a_lambda_container_builds_its_dynamodb_client_while_it_loads_the_app_and_a_test_process_does_not():
    """Cold start (issue 17 §7): in Lambda the client is built in the init phase, under app.py's collector
    pause, not by the first request; elsewhere (tests, `make run`) clients stay lazy, built under moto."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    code = "import app; from chalicelib.storage import clients; print(clients._dynamodb_client.cache_info().currsize)"
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(root), "AWS_DEFAULT_REGION": "cn-north-1"}
    env |= {"POWERTOOLS_TRACE_DISABLED": "true", "FIELDDESK_STAGE": "staging", **DEPLOYED}
    built = {}
    for where, extra in (("lambda", {"AWS_LAMBDA_FUNCTION_NAME": "fielddesk-staging"}), ("elsewhere", {})):
        done = subprocess.run(
            [sys.executable, "-c", code], cwd=root, env={**env, **extra}, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stderr[-2000:]
        built[where] = int(done.stdout.strip().splitlines()[-1])
    assert built == {"lambda": 1, "elsewhere": 0}
