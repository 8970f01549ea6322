"""Masked account views for staff, and the audited reveal of a client's contact."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ...errors import Forbidden, NotFound, ValidationFailed
from ...models.common import mask_name
from .. import disclosure
from ..account_ports import ACCOUNTS, CLIENT_PII, Page

if TYPE_CHECKING:
    from ...auth import Principal

# Kept in the item, never returned: the sealed values and the lookup hashes.
ACCOUNT_FIELDS_NOT_RETURNED = {"phone_sealed", "id_sealed", "phone_hash", "id_hash"}
AGENT_ROLES = {"callback_agent", "supervisor"}


def _visible(principal: Principal, account: dict) -> bool:
    if principal.role in ("admin", "compliance"):
        return True
    if principal.role == "client_manager":
        return account.get("serving_manager_id") == principal.id
    return principal.role in AGENT_ROLES and account.get("branch_id") == principal.branch_id


def read_account(principal: Principal, account_id: str) -> dict:
    account = ACCOUNTS().get_account(account_id)
    if not account or not _visible(principal, account):
        raise NotFound(f"account {account_id} not found")
    return account


def render(account: dict) -> dict:
    assets = account.get("assets")
    return {
        **{k: v for k, v in account.items() if k not in ACCOUNT_FIELDS_NOT_RETURNED},
        "client_name_masked": mask_name(account.get("client_name")),
        "phone_masked": account.get("phone_masked"),
        "id_number_masked": account.get("id_masked"),
        "assets": None if assets is None else f"{Decimal(assets):.2f}",
    }


def list_accounts(principal: Principal, manager_id: str | None, limit: int, start_key: dict | None) -> Page:
    if principal.role == "client_manager":
        if manager_id and manager_id != principal.id:
            raise Forbidden("client managers list their own accounts only")
        manager_id = principal.id
    if not manager_id:
        raise ValidationFailed.field("query.manager_id", "is required")
    page = ACCOUNTS().list_manager_accounts(manager_id, limit=limit, start_key=start_key)
    if principal.role == "supervisor":
        page.items = [a for a in page.items if a.get("branch_id") == principal.branch_id]
    return page


def reveal(principal: Principal, account_id: str, body: Any) -> dict:
    """The client's full name, phone and (for compliance) ID number, to a caller whose work needs them.

    An agent holding an open callback task on the account sees name and phone (the callback itself);
    compliance names a case and sees the ID number too. Anyone else is refused, and the refusal is
    audited like a reveal (domain/disclosure.py).
    """
    account = ACCOUNTS().get_account(account_id)
    if not account:
        raise NotFound(f"account {account_id} not found")
    subject = disclosure.Subject("account", account_id, account.get("branch_id", ""))
    purpose = disclosure.Purpose.of(body)
    if not _visible(principal, account):
        # Another branch's account: audited, and answered as an unknown one.
        disclosure.record_refusal(principal, subject, purpose, "outside the caller's branch", [])
        raise NotFound(f"account {account_id} not found")
    if principal.role == "compliance":
        requested = ["client_name", "phone", "id_number"]
        if purpose.code != "compliance_case":
            disclosure.refuse(
                principal,
                subject,
                purpose,
                "compliance reveals name their case " "(purpose compliance_case with case_ref)",
                requested,
            )
    else:
        requested = ["client_name", "phone"]
        if purpose.code not in ("callback", "complaint") or not ACCOUNTS().agent_holds_open_task(
            principal.id, account_id
        ):
            disclosure.refuse(
                principal,
                subject,
                purpose,
                "only the agent holding an open callback task on "
                "this account may reveal its contact (use the task's reveal)",
                requested,
            )
    values = {
        "client_name": account.get("client_name"),
        "phone": CLIENT_PII().unseal(account.get("phone_sealed")),
        "id_number": CLIENT_PII().unseal(account.get("id_sealed")),
    }
    shown, record = disclosure.grant(principal, subject, purpose, {k: values[k] for k in requested})
    return {"account_id": account_id, **shown, "audit_id": record["audit_id"]}


def _plain_numbers(value):
    """DynamoDB hands back counts as Decimal; render them as JSON integers."""
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return int(value)
    if isinstance(value, dict):
        return {k: _plain_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain_numbers(v) for v in value]
    return value
