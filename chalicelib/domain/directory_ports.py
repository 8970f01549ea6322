"""What the directory, privilege and outlet-key rules need from the outside world, and the named outcomes
of their writes (issue 17 §1).

`wiring/directory.py` binds `DIRECTORY`, `PRIVILEGE`, `OUTLET_KEYS` and `GATEWAY_KEYS` to the DynamoDB (and API
Gateway) adapters in `storage/directory_repo.py`, `storage/privilege_repo.py` and `storage/outlet_keys_repo.py`;
rule tests override them with `storage/memory/directory.py`; `tests/contract/test_directory_repository.py`,
`test_privilege_repository.py` and `test_outlet_key_repository.py` run one body on both. Which item of a
transaction refused is the adapters' business: the rules see the exceptions below.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from ..errors import ConditionFailed
from .ports import Escalation, Page, Port


@dataclass(frozen=True)
class StaffWrite:
    """A staff member written with its change record (privilege.change_record: None when no role, branch or
    status moves). `current` None: a new member, `after` put and refused if the id exists. Otherwise only
    `changes` are set (None removes a field), conditional on the role, branch and status of `current`, so the
    change record's "before" is what was replaced and counters others keep on the item survive."""

    after: dict
    current: dict | None = None
    changes: dict | None = None
    change: dict | None = None


# --- named outcomes -------------------------------------------------------------------------------
class StaffExists(ConditionFailed):
    def __init__(self, staff_id: str) -> None:
        super().__init__(f"staff {staff_id} already exists")


class StaffChanged(ConditionFailed):
    """The member's role, branch or status moved (or the member is gone) since it was read."""

    def __init__(self, staff_id: str) -> None:
        super().__init__(f"staff {staff_id} changed meanwhile")


class OutletExists(ConditionFailed):
    def __init__(self, outlet_id: str) -> None:
        super().__init__(f"outlet {outlet_id} already exists")


class OutletMissing(ConditionFailed):
    def __init__(self, outlet_id: str) -> None:
        super().__init__(f"outlet {outlet_id} not found")


class BranchExists(ConditionFailed):
    def __init__(self, branch_id: str) -> None:
        super().__init__(f"branch {branch_id} already exists")


class BranchAlreadyClosed(ConditionFailed):
    def __init__(self, branch_id: str) -> None:
        super().__init__(f"branch {branch_id} is already closed")


class RequestDecided(ConditionFailed):
    """A privilege request is no longer pending: another admin decided it first."""

    def __init__(self, request_id: str) -> None:
        super().__init__(f"privilege request {request_id} was decided meanwhile")


class KeySlotsFull(ConditionFailed):
    """The outlet holds `max_active` active keys: the slot counter refused one more."""

    def __init__(self, outlet_id: str) -> None:
        super().__init__(f"outlet {outlet_id} has no free key slot")


class OutletClosed(ConditionFailed):
    """The outlet is closed (or gone): a closure in another container wins over a key issued after it."""

    def __init__(self, outlet_id: str) -> None:
        super().__init__(f"outlet {outlet_id} is not active")


class KeyNotActive(ConditionFailed):
    """The key is not active (revoked concurrently, or unknown): nothing was written."""

    def __init__(self, key_id: str) -> None:
        super().__init__(f"key {key_id} is not active")


class SlotCounterOutOfStep(ConditionFailed):
    """The key is active but the outlet's slot counter has nothing to give back: nothing was written."""

    def __init__(self, outlet_id: str) -> None:
        super().__init__(f"outlet {outlet_id} key slot counter out of step")


class KeysChanged(ConditionFailed):
    """A key listed for a closure was revoked meanwhile: nothing was written (list the keys again)."""

    def __init__(self, outlet_id: str) -> None:
        super().__init__(f"outlet {outlet_id} keys changed meanwhile")


# --- ports ----------------------------------------------------------------------------------------
class DirectoryRepository(Protocol):
    def get_staff(self, staff_id: str) -> dict | None: ...

    def write_staff(self, write: StaffWrite, *, handover: Escalation | None = None) -> None:
        """The member, its change record and a departure's hand-over outbox entry in one transaction. Raises
        StaffExists (a new member) or StaffChanged (an update)."""

    def list_branch_staff(self, branch_id: str, role: str | None, *, limit: int, start_key=None) -> Page:
        """A branch's staff by role, then staff id."""

    def all_branch_staff(self, branch_id: str) -> list[dict]: ...

    def list_all_staff(self, *, limit: int, start_key=None) -> Page:
        """Every member by staff id."""

    def get_outlet(self, outlet_id: str) -> dict | None:
        """Possibly a cached copy (a minute old at most)."""

    def read_outlet(self, outlet_id: str) -> dict | None:
        """The outlet as it is now (consistent, never cached): edits read this one."""

    def put_outlet(self, record: dict, *, new: bool) -> None:
        """The whole outlet. Raises OutletExists (`new`) or OutletMissing (not `new`)."""

    def list_outlets(self, branch_id: str | None, *, limit: int, start_key=None) -> Page:
        """A branch's outlets (every outlet without a branch) by outlet id."""

    def get_branch(self, branch_id: str) -> dict | None: ...

    def put_new_branch(self, record: dict) -> None:
        """Raises BranchExists."""

    def list_branches(self) -> list[dict]: ...

    def close_branch(self, branch_id: str, at: str, by: str) -> dict:
        """The closed branch. Raises BranchAlreadyClosed."""


class PrivilegeRepository(Protocol):
    def put_request(self, record: dict) -> None: ...

    def get_request(self, request_id: str) -> dict | None:
        """Read consistently: a decision reads what the last one wrote."""

    def list_requests(self, status: str, *, limit: int, start_key=None) -> Page:
        """Requests in `status`, oldest first."""

    def decide(self, record: dict, decision: dict, staff: StaffWrite | None = None) -> None:
        """The pending request replaced by its decision and, for an approval, the member's write, in one
        transaction. Raises RequestDecided (checked first) or StaffChanged."""

    def list_changes(self, month: str, *, limit: int, start_key=None) -> Page:
        """The month's change records (YYYY-MM), newest first."""


class OutletKeyRepository(Protocol):
    def get_key(self, key_id: str) -> dict | None: ...

    def outlet_keys(self, outlet_id: str) -> list[dict]:
        """Every key of the outlet (an index: a key written a moment ago may be missing)."""

    def issue(self, record: dict, max_active: int) -> None:
        """The key, counted in the outlet's slots. Raises OutletClosed (checked first) or KeySlotsFull."""

    def set_gateway_key_id(self, key_id: str, gateway_key_id: str) -> None: ...

    def revoke(self, key_id: str, outlet_id: str, at: str, by: str) -> None:
        """The key revoked and its slot given back together. Raises KeyNotActive or SlotCounterOutOfStep."""

    def revoke_uncounted(self, key_id: str, at: str, by: str) -> None:
        """The key revoked without the counter (revocation never depends on it). Raises KeyNotActive."""

    def close_outlet(self, record: dict, key_ids: list[str], at: str, by: str) -> None:
        """The closed outlet, `key_ids` revoked and its slots emptied in one transaction. Raises OutletMissing
        (checked first) or KeysChanged."""


class GatewayKeys(Protocol):
    """API Gateway's copy of a key, so its usage plan meters each outlet (nothing without a usage plan)."""

    def register(self, *, outlet_id: str, key_id: str, value: str) -> str | None:
        """The gateway key's id (None when no usage plan is configured). Raises Unavailable: nothing kept."""

    def remove(self, gateway_key_id: str | None) -> None:
        """Best effort: FieldDesk's own check already refuses a revoked key."""


DIRECTORY: Port[DirectoryRepository] = Port("directory")
PRIVILEGE: Port[PrivilegeRepository] = Port("privilege")
OUTLET_KEYS: Port[OutletKeyRepository] = Port("outlet_keys")
GATEWAY_KEYS: Port[GatewayKeys] = Port("gateway_keys")
