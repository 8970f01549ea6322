"""Feed event builders for tests: valid phones and ID numbers, events by type."""

from __future__ import annotations

import itertools

from chalicelib.models.pii import id_check_digit

_seq = itertools.count(1)


def phone(n: int) -> str:
    return f"139{n % 10**8:08d}"


def id_number(n: int) -> str:
    first17 = f"310115199001{n % 10**5:05d}"
    return first17 + id_check_digit(first17)


def _eid(prefix: str) -> str:
    return f"{prefix}-{next(_seq)}"


def opened(
    account_id: str,
    on: str = "2026-11-19",
    *,
    event_id: str | None = None,
    branch_id: str = "br-pudong",
    manager: str | None = "cm-001",
    tier: str = "ordinary",
    channel: str = "counter",
    n: int = 1,
    time: str = "10:00:00",
) -> dict:
    event = {
        "type": "account_opened",
        "event_id": event_id or _eid("open"),
        "account_id": account_id,
        "branch_id": branch_id,
        "client_name": "张三丰",
        "phone": phone(n),
        "id_number": id_number(n),
        "opened_at": f"{on}T{time}+08:00",
        "channel": channel,
        "tier": tier,
    }
    if manager:
        event["serving_manager_id"] = manager
    return event


def trade(account_id: str, day: str, *, event_id: str | None = None) -> dict:
    return {"type": "trade_day", "event_id": event_id or _eid("trade"), "account_id": account_id, "trade_date": day}


def transfer_out(
    account_id: str,
    amount: str,
    balance_before: str,
    at: str = "2026-11-19T14:00:00+08:00",
    *,
    event_id: str | None = None,
) -> dict:
    return {
        "type": "transfer_out",
        "event_id": event_id or _eid("out"),
        "account_id": account_id,
        "amount": amount,
        "balance_before": balance_before,
        "at": at,
    }


def transfer_in(
    account_id: str,
    amount: str,
    balance_before: str,
    at: str = "2026-11-19T09:00:00+08:00",
    *,
    event_id: str | None = None,
) -> dict:
    return {
        "type": "transfer_in",
        "event_id": event_id or _eid("in"),
        "account_id": account_id,
        "amount": amount,
        "balance_before": balance_before,
        "at": at,
    }


def closed(account_id: str, on: str = "2026-11-19", *, reason: str = "competitor", event_id: str | None = None) -> dict:
    return {
        "type": "account_closed",
        "event_id": event_id or _eid("close"),
        "account_id": account_id,
        "closed_at": f"{on}T15:00:00+08:00",
        "reason": reason,
    }


def transferred_out(account_id: str, on: str = "2026-11-19", *, event_id: str | None = None) -> dict:
    return {
        "type": "account_transferred_out",
        "event_id": event_id or _eid("txo"),
        "account_id": account_id,
        "transferred_at": f"{on}T11:00:00+08:00",
        "destination": "另一家券商",
    }


def manager_changed(account_id: str, manager: str, at: str, *, event_id: str | None = None) -> dict:
    return {
        "type": "manager_changed",
        "event_id": event_id or _eid("mgr"),
        "account_id": account_id,
        "serving_manager_id": manager,
        "changed_at": at,
    }


def feed(*events) -> list[dict]:
    """Apply events through the domain (as the API would); asserts none was rejected."""
    from chalicelib.domain import accounts

    results = accounts.ingest(list(events), source="test")
    bad = [r for r in results if r["status"] == "rejected"]
    assert not bad, bad
    return results


def contact_changed(
    account_id: str, new_phone: str, at: str = "2026-11-23T10:00:00+08:00", *, event_id: str | None = None
) -> dict:
    return {
        "type": "contact_changed",
        "event_id": event_id or _eid("contact"),
        "account_id": account_id,
        "phone": new_phone,
        "changed_at": at,
    }
