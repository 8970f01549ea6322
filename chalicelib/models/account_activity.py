"""What an account's stored state says about its activity: shared by the rules (the 10% sample's dormant
check) and the indexes (the dormant index's date, storage/accounts.account_item). No pydantic: storage
modules on request paths import it."""

from __future__ import annotations


def last_activity_on(state: dict) -> str | None:
    """An account's last activity: its last trade, or its opening if it never traded."""
    dates = [d for d in (state.get("last_trade_on"), state.get("opened_on")) if d]
    return max(dates) if dates else None
