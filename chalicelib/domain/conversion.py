"""Conversion: an account opened for a registered prospect is attributed to its owner.

Called by the account feed when an account is opened. PLACEHOLDER until the
intent-client work lands: it attributes nothing yet.
"""
from __future__ import annotations

from datetime import date


def on_account_opened(*, account_id: str, branch_id: str, opened_on: date, phone_hash: str | None,
                      id_hash: str | None, serving_manager_id: str | None) -> dict | None:
    """Mark the prospect with this phone or ID hash converted; return the conversion record or None."""
    return None
