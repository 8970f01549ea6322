"""`make package`/`make deploy STAGE=x` refuse a stage whose functions would refuse to start.

The stage's environment is .chalice/config.json merged over the stack's Globals, as Lambda
sees it; `*_secret` references set by the stack satisfy the keys. Nothing is built here.
"""

from __future__ import annotations

import json

import pytest

from infra import package, package_stage

REAL = json.loads(package_stage.CHALICE_CONFIG.read_text())


@pytest.fixture
def config(tmp_path, monkeypatch):
    """A copy of .chalice/config.json with one more stage; the packaging shell's FIELDDESK_* never count."""
    for name in ("FIELDDESK_DEV_TOKENS", "FIELDDESK_STAGE", "FIELDDESK_JWT_MODE"):
        monkeypatch.setenv(name, "poison")  # not seen: Lambda gets only the stage's environment

    def with_stage(name: str, variables: dict) -> None:
        data = json.loads(json.dumps(REAL))
        data["stages"][name] = {"api_gateway_stage": name, "environment_variables": variables}
        path = tmp_path / "config.json"
        path.write_text(json.dumps(data))
        monkeypatch.setattr(package_stage, "CHALICE_CONFIG", path)

    return with_stage


def test_the_prod_stage_as_configured_would_start():
    s = package_stage.check_stage("prod")
    assert s.stage == "prod" and s.jwt_mode == "jwks" and not s.dev_tokens_enabled
    assert s.hash_key_secret and s.page_token_key_secret and s.kms_key_id  # set by the stack's Globals


def test_a_new_stage_with_its_name_packages(config):
    config("staging", {"FIELDDESK_STAGE": "staging"})
    assert package_stage.check_stage("staging").stage == "staging"


@pytest.mark.parametrize(
    "variables, reason",
    [
        ({}, "FIELDDESK_STAGE is required"),
        ({"FIELDDESK_STAGE": "staging", "FIELDDESK_JWT_MODE": "hs256"}, "FIELDDESK_JWT_MODE=hs256"),
        ({"FIELDDESK_STAGE": "staging", "FIELDDESK_DEV_TOKENS": "true"}, "FIELDDESK_DEV_TOKENS"),
        ({"FIELDDESK_STAGE": "local", "FIELDDESK_DEV_TOKENS": "true"}, "FIELDDESK_DEV_TOKENS.*in Lambda"),
        ({"FIELDDESK_STAGE": "staging", "FIELDDESK_HASH_KEY_SECRET": ""}, "FIELDDESK_HASH_KEY_SECRET"),
        ({"FIELDDESK_STAGE": "staging", "FIELDDESK_PAGE_TOKEN_KEY_SECRET": ""}, "FIELDDESK_PAGE_TOKEN_KEY_SECRET"),
        ({"FIELDDESK_STAGE": "staging", "FIELDDESK_KMS_KEY_ID": ""}, "FIELDDESK_KMS_KEY_ID"),
        ({"FIELDDESK_STAGE": "staging", "FIELDDESK_JWT_ISSUER": "fielddesk-local"}, "FIELDDESK_JWT_ISSUER"),
        ({"FIELDDESK_STAGE": "Staging!"}, "stage"),
    ],
)
def test_a_stage_that_would_not_start_is_refused_naming_the_setting(config, variables, reason):
    config("staging", variables)
    with pytest.raises(SystemExit, match=reason):
        package_stage.check_stage("staging")


@pytest.mark.parametrize("stage", ["local", "test"])
def test_dev_stages_are_never_packaged(stage):
    with pytest.raises(SystemExit, match="developer's machine"):
        package_stage.check_stage(stage)


def test_an_unknown_stage_is_refused():
    with pytest.raises(SystemExit, match="no stage 'uat'"):
        package_stage.check_stage("uat")


def test_main_checks_before_it_builds(config, monkeypatch):
    config("staging", {"FIELDDESK_STAGE": "staging", "FIELDDESK_JWT_MODE": "hs256"})
    monkeypatch.setattr(package, "build", lambda *a, **k: pytest.fail("built a stage that would not start"))
    with pytest.raises(SystemExit, match="would refuse to start"):
        package.main(["--stage", "staging"])
