"""How settings are read from the environment (chalicelib/config.py, plain pydantic since issue 17 §7):
FIELDDESK_<NAME> in any case, a field's own alias, comma-separated lists, typed values, init overrides."""

from __future__ import annotations

import os
from decimal import Decimal

import pytest
from pydantic import ValidationError

from chalicelib.config import Settings


@pytest.fixture
def env(monkeypatch):
    for name in [n for n in os.environ if n.upper().startswith("FIELDDESK_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("FIELDDESK_STAGE", "test")
    monkeypatch.setenv("FIELDDESK_DEV_TOKENS", "true")
    return monkeypatch


def test_a_prefixed_variable_sets_its_field_whatever_its_case(env):
    env.setenv("FIELDDESK_TABLE_NAME", "fd-prod")
    env.setenv("fielddesk_pool_daily_pick_limit", "7")
    s = Settings()
    assert s.table_name == "fd-prod" and s.pool_daily_pick_limit == 7


def test_an_aliased_field_reads_its_alias_only(env):
    env.setenv("AWS_DEFAULT_REGION", "cn-northwest-1")
    env.setenv("FIELDDESK_AWS_REGION", "us-east-1")  # not how this field is spelt
    env.setenv("DYNAMODB_ENDPOINT_URL", "http://localhost:8001")
    s = Settings()
    assert s.aws_region == "cn-northwest-1" and s.dynamodb_endpoint_url == "http://localhost:8001"


def test_lists_are_comma_separated_and_flags_and_decimals_are_typed(env):
    env.setenv("FIELDDESK_CORS_ORIGINS", "https://a.example.cn, https://b.example.cn,")
    env.setenv("FIELDDESK_SAMPLE_SELECTION", "false")
    env.setenv("FIELDDESK_YUAN_PER_POINT", "12.5")
    s = Settings()
    assert s.cors_origins == ["https://a.example.cn", "https://b.example.cn"]
    assert s.sample_selection is False and s.yuan_per_point == Decimal("12.5")


def test_a_bad_value_names_its_field(env):
    env.setenv("FIELDDESK_POOL_DAILY_PICK_LIMIT", "five")
    with pytest.raises(ValidationError, match="pool_daily_pick_limit"):
        Settings()


def test_an_argument_overrides_the_environment(env):
    env.setenv("FIELDDESK_TABLE_NAME", "from-env")
    assert Settings(table_name="given").table_name == "given"
    assert Settings().table_name == "from-env"
