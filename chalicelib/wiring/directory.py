"""The directory, privilege requests and outlet keys bound to DynamoDB (and API Gateway for the keys)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..domain.directory_ports import DIRECTORY, GATEWAY_KEYS, OUTLET_KEYS, PRIVILEGE

if TYPE_CHECKING:
    from ..storage.directory_repo import DynamoDirectoryRepository
    from ..storage.outlet_keys_repo import ApiGatewayKeys, DynamoOutletKeyRepository
    from ..storage.privilege_repo import DynamoPrivilegeRepository


def install() -> None:
    DIRECTORY.bind_default(_directory)
    PRIVILEGE.bind_default(_privilege)
    OUTLET_KEYS.bind_default(_outlet_keys)
    GATEWAY_KEYS.bind_default(_gateway_keys)


# Imported on first use: GET /v1/me builds the directory adapter only (storage.directory, which auth has
# loaded already); privilege and outlet keys load with their first request.
def _directory() -> DynamoDirectoryRepository:
    from ..storage.directory_repo import DynamoDirectoryRepository

    return DynamoDirectoryRepository()


def _privilege() -> DynamoPrivilegeRepository:
    from ..storage.privilege_repo import DynamoPrivilegeRepository

    return DynamoPrivilegeRepository()


def _outlet_keys() -> DynamoOutletKeyRepository:
    from ..storage.outlet_keys_repo import DynamoOutletKeyRepository

    return DynamoOutletKeyRepository()


def _gateway_keys() -> ApiGatewayKeys:
    from ..storage.outlet_keys_repo import ApiGatewayKeys

    return ApiGatewayKeys()
