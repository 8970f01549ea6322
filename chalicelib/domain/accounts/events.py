"""Account feed rules: what one event does to an account, safe in any order.

`apply_event` is pure: the account state before, one parsed event, and the state after. Ordering rules
live here: the last trade date only moves forward, a manager change older than the current assignment
is ignored, assets follow the newest transfer, and a closed account stays closed.
"""

from __future__ import annotations

from decimal import Decimal

from ... import clock
from ...config import get_settings
from ...models.accounts import (
    AccountClosed,
    AccountOpened,
    AccountTransferredOut,
    ContactChanged,
    ManagerChanged,
    TradeDay,
    TransferIn,
    TransferOut,
    ValueClassChanged,
)
from ...models.common import mask_id_number, mask_phone
from ..account_ports import CLIENT_PII


class Rejected(Exception):
    """An event that is well formed but cannot apply to the account."""


def is_large_outflow(amount: Decimal, balance_before: Decimal) -> bool:
    s = get_settings()
    if amount >= s.large_outflow_yuan:
        return True
    return balance_before > 0 and amount >= balance_before * s.large_outflow_ratio


def _newer(at: str, than: str | None) -> bool:
    return than is None or at >= than


OUTFLOW_SNAPSHOT = ("account_id", "branch_id", "serving_manager_id", "client_name", "status", "tier")


def selection_events(before: dict | None, after: dict, event, transfer: tuple[dict, bool] | None) -> list[dict]:
    """The callback triggers an applied event raises, each waiting in the selection inbox until a run
    selects it, whatever its date (a late file is selected at the next run: issue 12)."""
    from ..selection import INBOX_SNAPSHOT

    snapshot = {k: after.get(k) for k in INBOX_SNAPSHOT if after.get(k) is not None}
    out = []
    if isinstance(event, AccountOpened):
        out.append({"trigger": "new_account", "episode": after["opened_on"], "event_on": after["opened_on"]})
    elif isinstance(event, AccountClosed) and (before or {}).get("status") != "closed":
        out.append({"trigger": "closed_account", "episode": after["closed_on"], "event_on": after["closed_on"]})
    elif (
        isinstance(event, AccountTransferredOut)
        and after.get("transferred_out_on") != (before or {}).get("transferred_out_on")
        and after.get("tier") in get_settings().transferred_out_tiers
    ):
        day = after["transferred_out_on"]
        out.append(
            {
                "trigger": "transferred_out",
                "episode": day,
                "event_on": day,
                "detail": {"transferred_out_on": day, "destination": after.get("transferred_out_to")},
            }
        )
    elif transfer is not None and transfer[1]:
        record = transfer[0]
        # All of a day's large outflows of an account make one risk task (appended to one entry).
        out.append(
            {
                "trigger": "large_outflow",
                "episode": record["on"],
                "event_on": record["on"],
                "transfer": {
                    "event_id": record["event_id"],
                    "amount": record["amount"],
                    "balance_before": record["balance_before"],
                    "at": record["at"],
                },
            }
        )
    return [{**e, "account_id": after["account_id"], "account": snapshot} for e in out]


def apply_event(state: dict | None, event, now: str) -> tuple[dict, tuple[dict, bool] | None]:
    """The account after `event`, and a transfer-out record (with its large flag) if the event is one."""
    new = dict(state) if state else {"account_id": event.account_id, "status": "pending"}
    new["version"] = int(new.get("version", 0)) + 1
    new["updated_at"] = now
    transfer = None
    if isinstance(event, AccountOpened):
        if new.get("opened_at"):
            raise Rejected("account already opened")
        opened_at = clock.iso(event.opened_at)
        new.update(
            branch_id=event.branch_id,
            client_name=event.client_name,
            opened_at=opened_at,
            opened_on=str(clock.local_date(event.opened_at)),
            channel=event.channel.value,
            outlet_id=event.outlet_id,
            tier=event.tier.value,
            id_sealed=CLIENT_PII().seal(event.id_number),
            id_hash=CLIENT_PII().id_hash(event.id_number),
            id_masked=mask_id_number(event.id_number),
        )
        # A contact change that arrived before the opening is newer than the opening's phone: keep it.
        if _newer(opened_at, new.get("contact_since")):
            new.update(_phone_fields(event.phone), contact_since=opened_at)
        if new["status"] == "pending":
            new["status"] = "open"
        # A manager change that arrived before the opening is newer than it: keep it.
        if event.serving_manager_id and _newer(opened_at, new.get("manager_since")):
            new.update(serving_manager_id=event.serving_manager_id, manager_since=opened_at)
    elif isinstance(event, TradeDay):
        day = str(event.trade_date)
        if not new.get("last_trade_on") or day > new["last_trade_on"]:
            new["last_trade_on"] = day
    elif isinstance(event, (TransferIn, TransferOut)):
        at = clock.iso(event.at)
        sign = 1 if isinstance(event, TransferIn) else -1
        if _newer(at, new.get("assets_at")):
            new.update(assets=event.balance_before + sign * event.amount, assets_at=at)
        if isinstance(event, TransferOut):
            # The account fields a callback task needs ride along, so selection reads one item per outflow.
            record = {
                "account_id": event.account_id,
                "event_id": event.event_id,
                "amount": event.amount,
                "balance_before": event.balance_before,
                "at": at,
                "on": str(clock.local_date(event.at)),
                "account": {k: new.get(k) for k in OUTFLOW_SNAPSHOT if new.get(k) is not None},
            }
            large = is_large_outflow(event.amount, event.balance_before)
            transfer = ({**record, "large": large}, large)
    elif isinstance(event, AccountClosed):
        if new["status"] != "closed":
            new.update(
                status="closed",
                closed_at=clock.iso(event.closed_at),
                closed_on=str(clock.local_date(event.closed_at)),
                close_reason=event.reason.value,
            )
    elif isinstance(event, AccountTransferredOut):
        if not new.get("transferred_out_on"):
            # 003 第三十一条: "并每月至少与客户交流一次" - periodic contact becomes monthly from now on.
            new.update(
                transferred_out_on=str(clock.local_date(event.transferred_at)),
                transferred_out_to=event.destination,
                monthly_contact=True,
            )
    elif isinstance(event, ManagerChanged):
        at = clock.iso(event.changed_at)
        if _newer(at, new.get("manager_since")):
            new.update(serving_manager_id=event.serving_manager_id, manager_since=at)
    elif isinstance(event, ContactChanged):
        at = clock.iso(event.changed_at)
        if _newer(at, new.get("contact_since")):
            if not _same_phone(new, event.phone):
                # A new phone: the wrong-number flag an agent raised is answered (the tasks resume).
                new.update(
                    contact_needs_update=None, contact_flagged_at=None, contact_flag_task=None, contact_changed_at=at
                )
            new.update(_phone_fields(event.phone), contact_since=at)
    elif isinstance(event, ValueClassChanged):
        new.update(apply_value_class(new, event.value_class, clock.iso(event.classified_at)))
    return {k: v for k, v in new.items() if v is not None}, transfer


def apply_value_class(state: dict, value_class: str, at: str) -> dict:
    """The fields a feed classification changes (002 第十九条 A/B/C; issue 19 §4).

    Decision: the feed's own last word is kept (`feed_value_class`, newest `classified_at` wins, so a late
    or replayed file never undoes a newer one). The account's class follows the feed, except that a
    supervisor's manual class holds until the feed *changes* the class after it: a feed that restates
    the class it already had does not undo the supervisor; a feed class that differs from the feed's
    previous one and is dated after the manual setting replaces it."""
    if not _newer(at, state.get("feed_value_class_at")):
        return {}
    out = {"feed_value_class": value_class, "feed_value_class_at": at}
    manual = state.get("value_class_source") == "supervisor"
    feed_changed = value_class != state.get("feed_value_class")
    if manual and not (feed_changed and _newer(at, state.get("value_class_set_at"))):
        return out
    if state.get("value_class") != value_class or manual:
        out.update(value_class=value_class, value_class_source="feed", value_class_set_by="feed", value_class_set_at=at)
    return out


def _same_phone(account: dict, phone: str) -> bool:
    """Whether the account's phone is `phone`: its stored hash under any valid key (a rotation changes the
    writer key), else, for a hash of a retired key, the sealed phone itself."""
    stored = account.get("phone_hash")
    if not stored:
        return False
    if stored in CLIENT_PII().phone_hashes(phone):
        return True
    return bool(account.get("phone_sealed")) and CLIENT_PII().unseal(account["phone_sealed"]) == phone


def _phone_fields(phone: str) -> dict:
    sealer = CLIENT_PII()
    return {
        "phone_sealed": sealer.seal(phone),
        "phone_hash": sealer.phone_hash(phone),
        "phone_masked": mask_phone(phone),
    }


def contact_resumed(before: dict | None, after: dict, event) -> bool:
    """Did this event bring a new phone for the account (the wrong-number tasks waiting on it resume)?"""
    return (
        isinstance(event, ContactChanged)
        and after.get("contact_changed_at") != (before or {}).get("contact_changed_at")
        and after.get("contact_changed_at") is not None
    )
