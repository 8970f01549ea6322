"""The DynamoDB (and API Gateway) implementations of `domain.directory_ports.OutletKeyRepository` and
`GatewayKeys`, over storage/outlet_keys.py, storage/directory.py (the key reads auth shares) and
storage/gateway_keys.py. Which item of a transaction refused is read here only."""

from __future__ import annotations

from ..domain.directory_ports import (
    KeyNotActive,
    KeysChanged,
    KeySlotsFull,
    OutletClosed,
    OutletMissing,
    SlotCounterOutOfStep,
)
from . import base, gateway_keys
from . import directory as directory_store
from . import outlet_keys as store


class DynamoOutletKeyRepository:
    def get_key(self, key_id: str) -> dict | None:
        return directory_store.get_api_key(key_id)

    def outlet_keys(self, outlet_id: str) -> list[dict]:
        return directory_store.list_outlet_keys(outlet_id)

    def issue(self, record: dict, max_active: int) -> None:
        try:
            store.issue(record, max_active)
        except base.TransactionCancelled as err:
            if err.failed(2):  # storage.outlet_keys.issue: op 2 is the outlet still open
                raise OutletClosed(record["outlet_id"]) from None
            raise KeySlotsFull(record["outlet_id"]) from None

    def set_gateway_key_id(self, key_id: str, gateway_key_id: str) -> None:
        store.set_gateway_key_id(key_id, gateway_key_id)

    def revoke(self, key_id: str, outlet_id: str, at: str, by: str) -> None:
        try:
            store.revoke(key_id, outlet_id, at, by)
        except base.TransactionCancelled as err:
            if err.failed(0):  # op 0: the key still active
                raise KeyNotActive(key_id) from None
            raise SlotCounterOutOfStep(outlet_id) from None

    def revoke_uncounted(self, key_id: str, at: str, by: str) -> None:
        try:
            store.revoke_uncounted(key_id, at, by)
        except base.TransactionCancelled:
            raise KeyNotActive(key_id) from None

    def close_outlet(self, record: dict, key_ids: list[str], at: str, by: str) -> None:
        try:
            store.close_outlet(record, key_ids, at, by)
        except base.TransactionCancelled as err:
            if err.failed(0):  # op 0: the outlet itself
                raise OutletMissing(record["outlet_id"]) from None
            raise KeysChanged(record["outlet_id"]) from None


class ApiGatewayKeys:
    def register(self, *, outlet_id: str, key_id: str, value: str) -> str | None:
        return gateway_keys.register(outlet_id=outlet_id, key_id=key_id, value=value)

    def remove(self, gateway_key_id: str | None) -> None:
        gateway_keys.remove(gateway_key_id)
