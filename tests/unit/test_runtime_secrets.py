"""Secrets and the usage plan id are read at run time (powertools Parameters, cached), not from env values."""

from __future__ import annotations

import boto3

from chalicelib import config, runtime_values


def test_secrets_and_parameters_come_from_secrets_manager_and_ssm(monkeypatch):
    from aws_lambda_powertools.utilities import parameters

    region = config.get_settings().aws_region
    sm = boto3.client("secretsmanager", region_name=region)
    arn = sm.create_secret(Name="fielddesk-hash", SecretString="from-secrets-manager")["ARN"]
    page = sm.create_secret(Name="fielddesk-page", SecretString="page-key")["ARN"]
    boto3.client("ssm", region_name=region).put_parameter(
        Name="/stack/outlet-usage-plan-id", Value="plan-1", Type="String"
    )
    monkeypatch.setenv("FIELDDESK_HASH_KEY_SECRET", arn)
    monkeypatch.setenv("FIELDDESK_PAGE_TOKEN_KEY_SECRET", page)
    monkeypatch.setenv("FIELDDESK_OUTLET_USAGE_PLAN_PARAMETER", "/stack/outlet-usage-plan-id")
    config.reset_settings()
    parameters.clear_caches()
    try:
        assert runtime_values.secret_hash_key() == "from-secrets-manager"
        assert runtime_values.secret_page_token_key() == "page-key"
        assert runtime_values.outlet_usage_plan_id() == "plan-1"
    finally:
        monkeypatch.delenv("FIELDDESK_HASH_KEY_SECRET")
        monkeypatch.delenv("FIELDDESK_PAGE_TOKEN_KEY_SECRET")
        monkeypatch.delenv("FIELDDESK_OUTLET_USAGE_PLAN_PARAMETER")
        config.reset_settings()
        parameters.clear_caches()
    assert runtime_values.secret_hash_key() == config.get_settings().hash_key  # local and test stages: the value
