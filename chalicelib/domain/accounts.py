"""Account feed rules: idempotent by event id, safe in any order.

`apply_event` is pure: the account state before, one parsed event, and the
state after. Ordering rules live here: the last trade date only moves forward,
a manager change older than the current assignment is ignored, assets follow
the newest transfer, and a closed account stays closed. `ingest` parses each
raw event separately, so one bad event never loses the good ones.
"""

from __future__ import annotations

import hashlib
import json
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from .. import clock
from ..config import get_settings
from ..errors import DomainError, Forbidden, NotFound, ValidationFailed
from ..models.accounts import (
    EVENT_TYPES,
    AccountClosed,
    AccountOpened,
    AccountTransferredOut,
    ContactChanged,
    ManagerChanged,
    TradeDay,
    TransferIn,
    TransferOut,
    ValueClassChanged,
    event_adapter,
)
from ..models.common import mask_id_number, mask_name, mask_phone
from ..storage import accounts as repo
from ..storage import contact_plan as class_repo
from ..storage import pii
from . import conversion, disclosure, outbox
from .outbox_handlers import ACCOUNT_CONVERSION, CONTACT_RESUME


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
    from .selection import INBOX_SNAPSHOT

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
            id_sealed=pii.seal(event.id_number),
            id_hash=pii.id_hash(event.id_number),
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
    if stored in pii.lookup_hashes(pii.PHONE, phone):
        return True
    return bool(account.get("phone_sealed")) and pii.unseal(account["phone_sealed"]) == phone


def _phone_fields(phone: str) -> dict:
    return {"phone_sealed": pii.seal(phone), "phone_hash": pii.phone_hash(phone), "phone_masked": mask_phone(phone)}


def contact_resumed(before: dict | None, after: dict, event) -> bool:
    """Did this event bring a new phone for the account (the wrong-number tasks waiting on it resume)?"""
    return (
        isinstance(event, ContactChanged)
        and after.get("contact_changed_at") != (before or {}).get("contact_changed_at")
        and after.get("contact_changed_at") is not None
    )


# --- ingest ---------------------------------------------------------------------------
def _payload_hash(raw: dict) -> str:
    return hashlib.sha256(json.dumps(raw, sort_keys=True, default=str).encode()).hexdigest()


# Fields of an event kept sealed in its stored body, never in clear (PIPL: store the minimum).
SEALED_FIELDS = {"phone": "phone_sealed", "id_number": "id_sealed"}


def _canonical(event) -> dict:
    """The event as parsed, in one form whatever the carrier: the API's JSON ("amount": 600000.0 or
    "600000.00", a time in UTC or +08:00) and the file's text cells give the same body, so the same
    event through both is a duplicate, not a conflict (identity is the event id and this body)."""
    from datetime import datetime
    from enum import Enum

    def plain(value):
        if isinstance(value, datetime):
            return value.astimezone(UTC).isoformat()
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, Decimal):
            return format(value.normalize(), "f")
        if isinstance(value, Enum):
            return value.value
        return value

    return {k: plain(v) for k, v in event.model_dump(exclude_none=True).items()}


def _event_hash(body: dict) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


def _stored_body(body: dict, state: dict) -> dict:
    """The event body kept with its record (account history, Securities Law: 20 years); the phone and
    ID number are the sealed values the account holds, never the clear ones."""
    out = {k: v for k, v in body.items() if k not in SEALED_FIELDS}
    for clear, sealed in SEALED_FIELDS.items():
        if clear in body and state.get(sealed):
            out[sealed] = state[sealed]
    return out


def _parse(index: int, raw: Any) -> tuple[Any, dict]:
    """(event, result) where event is None if rejected."""
    event_id = raw.get("event_id") if isinstance(raw, dict) and isinstance(raw.get("event_id"), str) else None
    if not isinstance(raw, dict):
        return None, {
            "index": index,
            "event_id": None,
            "status": "rejected",
            "reason": "not a JSON object",
            "details": [{"field": f"events.{index}", "message": "must be a JSON object"}],
        }
    try:
        return event_adapter().validate_python(raw), {"index": index, "event_id": event_id}
    except ValidationError as err:
        details = []
        for e in err.errors(include_url=False, include_input=False):
            loc = [str(p) for p in e.get("loc", ())]
            if loc and loc[0] in EVENT_TYPES:
                loc = loc[1:]  # the union tag pydantic puts first
            details.append(
                {"field": ".".join(loc) or "type", "message": e.get("msg", "invalid"), "type": e.get("type")}
            )
        return None, {
            "index": index,
            "event_id": event_id,
            "status": "rejected",
            "reason": f"{details[0]['field']}: {details[0]['message']}" if details else "invalid",
            "details": details,
        }


def _store(event, raw: dict, source: str, row: int | None = None) -> dict:
    now = clock.iso(clock.now())
    body = _canonical(event)
    record = {
        "event_id": event.event_id,
        "type": event.type,
        "account_id": event.account_id,
        "payload_hash": _payload_hash(raw),
        "event_hash": _event_hash(body),
        "received_at": now,
        "source": source,
        "row": row,
    }
    for _ in range(get_settings().selection_conflict_retries + 1):
        state = repo.get_account(event.account_id, consistent=True)
        try:
            new_state, transfer = apply_event(state, event, now)
        except Rejected as why:
            if (seen := repo.get_event(event.event_id)) is not None:
                return _duplicate(seen, record)
            return {"status": "rejected", "reason": str(why), "details": []}
        inbox = selection_events(state, new_state, event, transfer)
        # The conversion is an outbox entry of the opening: no transient error after the write can lose it.
        effects = (
            [outbox.record_op(ACCOUNT_CONVERSION, event.account_id, _conversion_payload(new_state, event))]
            if isinstance(event, AccountOpened)
            else []
        )
        # Tasks waiting on a new contact resume through the outbox: written with the phone, never lost.
        resume = contact_resumed(state, new_state, event)
        if resume:
            effects.append(
                outbox.record_op(
                    CONTACT_RESUME,
                    f"{event.account_id}#{event.event_id}",
                    {
                        "account_id": event.account_id,
                        "event_id": event.event_id,
                        "changed_at": new_state["contact_changed_at"],
                        "phone_masked": new_state["phone_masked"],
                    },
                )
            )
        if (
            new_state.get("value_class_set_at") != (state or {}).get("value_class_set_at")
            and new_state.get("value_class_source") == "feed"
        ):
            # Kept like a supervisor's change: who (the feed, this event), when, and the class before.
            effects.append(
                class_repo.class_change_op(
                    event.account_id,
                    f"{new_state['value_class_set_at']}#" f"{event.event_id}",
                    {
                        "value_class": new_state["value_class"],
                        "source": "feed",
                        "by": "feed",
                        "event_id": event.event_id,
                        "at": new_state["value_class_set_at"],
                        "previous_class": (state or {}).get("value_class"),
                    },
                )
            )
        stored = {**record, "payload": _stored_body(body, new_state)}
        outcome = repo.write_event(
            {k: v for k, v in stored.items() if v is not None},
            new_state,
            int((state or {}).get("version", 0)),
            transfer,
            inbox,
            effects,
        )
        if outcome == "ok":
            if isinstance(event, AccountOpened):
                outbox.deliver_now(ACCOUNT_CONVERSION, event.account_id)
            if resume:
                outbox.deliver_now(CONTACT_RESUME, f"{event.account_id}#{event.event_id}")
            return {"status": "accepted"}
        if outcome == "duplicate":
            return _duplicate(repo.get_event(event.event_id), record)
    return {
        "status": "rejected",
        "reason": "the account is changing concurrently; resend the event",
        "details": [],
        "retryable": True,
    }


def _duplicate(seen: dict | None, record: dict) -> dict:
    if seen:
        same = (
            seen["event_hash"] == record["event_hash"]
            if seen.get("event_hash")
            else seen.get("payload_hash") == record["payload_hash"]
        )  # a record stored before event_hash
        if not same:
            return {
                "status": "rejected",
                "reason": "event_id already used for a different event",
                "details": [{"field": "event_id", "message": "already used for a different event"}],
            }
    # The same carrier and row as the stored record: this very row, applied before its answer was lost
    # (an import resumed, a write retried): the file counts it as accepted, once.
    own = (
        bool(seen)
        and record.get("row") is not None
        and seen.get("source") == record["source"]
        and seen.get("row") == record["row"]
    )
    return {"status": "duplicate", "own": own}


def _conversion_payload(state: dict, event: AccountOpened | None = None) -> dict:
    """What conversion.on_account_opened needs (lookup hashes only, never the clear phone or ID number):
    the writer key's hashes, and during a key rotation the hashes under every valid key."""
    payload = {
        k: state.get(k) for k in ("account_id", "branch_id", "opened_on", "phone_hash", "id_hash", "serving_manager_id")
    }
    if event is not None and len(pii.hash_keys()) > 1:
        payload.update(
            phone_hashes=pii.lookup_hashes(pii.PHONE, event.phone),
            id_hashes=pii.lookup_hashes(pii.ID_NUMBER, event.id_number),
        )
    return payload


def convert(payload: dict) -> None:
    """The outbox consumer: idempotent per account (conversion.on_account_opened returns the one written)."""
    conversion.on_account_opened(
        account_id=payload["account_id"],
        branch_id=payload["branch_id"],
        opened_on=date.fromisoformat(payload["opened_on"]),
        phone_hash=payload.get("phone_hash"),
        id_hash=payload.get("id_hash"),
        serving_manager_id=payload.get("serving_manager_id"),
        phone_hashes=payload.get("phone_hashes"),
        id_hashes=payload.get("id_hashes"),
    )


def ingest(raw_events: list, source: str = "api", rows: list[int] | None = None) -> list[dict]:
    """Apply each event; one result per event in input order: accepted, duplicate or rejected.

    A rejection for a transient reason (the database busy or unavailable, the account changing
    concurrently) carries `retryable`: resending the event can succeed. `rows` (the file's row numbers)
    are kept with the event records, so a resumed import knows its own rows.
    """
    results: list[dict] = [{}] * len(raw_events)
    by_account: dict[str, list[tuple[int, Any, dict]]] = {}
    for index, raw in enumerate(raw_events):
        event, result = _parse(index, raw)
        if event is None:
            results[index] = result
        else:
            by_account.setdefault(event.account_id, []).append((index, event, raw))

    def work(items):
        # One account's events in their order of arrival; accounts in parallel.
        done = []
        for position, (index, event, raw) in enumerate(items):
            try:
                done.append((index, _store(event, raw, source, rows[index] if rows else None), event.event_id))
            except DomainError as err:  # e.g. throttled: this account's remaining events are not applied
                for later_index, later, _ in items[position:]:
                    done.append(
                        (
                            later_index,
                            {
                                "status": "rejected",
                                "reason": f"{err.code}: resend the event",
                                "details": [],
                                "retryable": True,
                            },
                            later.event_id,
                        )
                    )
                break
        return done

    groups = list(by_account.values())
    workers = max(1, min(get_settings().selection_workers, len(groups)))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for done in pool.map(work, groups):
            for index, outcome, event_id in done:
                results[index] = {
                    "index": index,
                    "event_id": event_id,
                    "reason": None,
                    "details": [],
                    "retryable": False,
                    **outcome,
                }
    return results


def summarise(results: list[dict]) -> dict:
    counts = {s: sum(1 for r in results if r["status"] == s) for s in ("accepted", "duplicate", "rejected")}
    return {**counts, "results": results}


# --- account views --------------------------------------------------------------------
AGENT_ROLES = {"callback_agent", "supervisor"}


def _visible(principal, account: dict) -> bool:
    if principal.role in ("admin", "compliance"):
        return True
    if principal.role == "client_manager":
        return account.get("serving_manager_id") == principal.id
    return principal.role in AGENT_ROLES and account.get("branch_id") == principal.branch_id


def read_account(principal, account_id: str) -> dict:
    account = repo.get_account(account_id)
    if not account or not _visible(principal, account):
        raise NotFound(f"account {account_id} not found")
    return account


def render(account: dict) -> dict:
    assets = account.get("assets")
    return {
        **{k: v for k, v in account.items() if k not in repo.ACCOUNT_FIELDS_NOT_RETURNED},
        "client_name_masked": mask_name(account.get("client_name")),
        "phone_masked": account.get("phone_masked"),
        "id_number_masked": account.get("id_masked"),
        "assets": None if assets is None else f"{Decimal(assets):.2f}",
    }


def list_accounts(principal, manager_id: str | None, limit: int, start_key):
    if principal.role == "client_manager":
        if manager_id and manager_id != principal.id:
            raise Forbidden("client managers list their own accounts only")
        manager_id = principal.id
    if not manager_id:
        raise ValidationFailed.field("query.manager_id", "is required")
    page = repo.list_manager_accounts(manager_id, limit=limit, start_key=start_key)
    if principal.role == "supervisor":
        page.items = [a for a in page.items if a.get("branch_id") == principal.branch_id]
    return page


def reveal(principal, account_id: str, body) -> dict:
    """The client's full name, phone and (for compliance) ID number, to a caller whose work needs them.

    An agent holding an open callback task on the account sees name and phone (the callback itself);
    compliance names a case and sees the ID number too. Anyone else is refused, and the refusal is
    audited like a reveal (domain/disclosure.py).
    """
    account = repo.get_account(account_id)
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
        if purpose.code not in ("callback", "complaint") or not repo.agent_holds_open_task(principal.id, account_id):
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
        "phone": pii.unseal(account.get("phone_sealed")),
        "id_number": pii.unseal(account.get("id_sealed")),
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
