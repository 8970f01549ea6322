"""A partner outlet's API keys: issue, rotate, list, revoke (split from prospects.py)."""

from pydantic import Field

from ..enum_meanings import describe
from .common import RequestModel, ResponseModel


class ApiKeyIn(RequestModel):
    label: str = Field("", max_length=100)
    # Rotation: name the key this one replaces; both stay active until the old one is revoked.
    replaces: str | None = Field(None, min_length=1, max_length=64)


class ApiKeyOut(ResponseModel):
    key_id: str
    outlet_id: str
    status: str = Field(description=describe("api_key_status"))
    label: str = ""
    created_at: str
    created_by: str | None = None
    replaces: str | None = None
    revoked_at: str | None = None


class IssuedApiKey(ApiKeyOut):
    api_key: str  # shown once, never stored


class ApiKeyList(ResponseModel):
    items: list[ApiKeyOut]
