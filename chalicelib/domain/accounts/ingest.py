"""Ingesting the feed: idempotent by event id, retry-safe, one bad event never losing the good ones.

`ingest` parses each raw event separately and applies each account's events in their order of arrival
(accounts in parallel); each applied event is one all-or-nothing write (`AccountRepository.write_event`)
with its selection inbox entries and its outbox effects.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import Any

from ... import clock
from ...config import get_settings
from ...errors import DomainError
from ...models.accounts import AccountOpened
from .. import conversion, outbox
from ..account_ports import ACCOUNTS, CLIENT_PII, AccountChangedMeanwhile, AppliedEvent, EventAlreadyRecorded
from ..outbox_handlers import ACCOUNT_CONVERSION, CONTACT_RESUME
from .event_records import _canonical, _duplicate, _event_hash, _parse, _payload_hash, _stored_body
from .events import Rejected, apply_event, contact_resumed, selection_events


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
        state = ACCOUNTS().get_account(event.account_id, consistent=True)
        try:
            new_state, transfer = apply_event(state, event, now)
        except Rejected as why:
            if (seen := ACCOUNTS().get_event(event.event_id)) is not None:
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
        class_change = None
        if (
            new_state.get("value_class_set_at") != (state or {}).get("value_class_set_at")
            and new_state.get("value_class_source") == "feed"
        ):
            # Kept like a supervisor's change: who (the feed, this event), when, and the class before.
            class_change = (
                f"{new_state['value_class_set_at']}#{event.event_id}",
                {
                    "value_class": new_state["value_class"],
                    "source": "feed",
                    "by": "feed",
                    "event_id": event.event_id,
                    "at": new_state["value_class_set_at"],
                    "previous_class": (state or {}).get("value_class"),
                },
            )
        stored = {**record, "payload": _stored_body(body, new_state)}
        applied = AppliedEvent(
            event={k: v for k, v in stored.items() if v is not None},
            account=new_state,
            previous_version=int((state or {}).get("version", 0)),
            transfer=transfer,
            inbox=inbox,
            class_change=class_change,
            effects=effects,
        )
        try:
            ACCOUNTS().write_event(applied)
        except EventAlreadyRecorded:
            return _duplicate(ACCOUNTS().get_event(event.event_id), record)
        except AccountChangedMeanwhile:
            continue  # another event of the account applied first: read it again and re-apply
        if isinstance(event, AccountOpened):
            outbox.deliver_now(ACCOUNT_CONVERSION, event.account_id)
        if resume:
            outbox.deliver_now(CONTACT_RESUME, f"{event.account_id}#{event.event_id}")
        return {"status": "accepted"}
    return {
        "status": "rejected",
        "reason": "the account is changing concurrently; resend the event",
        "details": [],
        "retryable": True,
    }


def _conversion_payload(state: dict, event: AccountOpened | None = None) -> dict:
    """What conversion.on_account_opened needs (lookup hashes only, never the clear phone or ID number):
    the writer key's hashes, and during a key rotation the hashes under every valid key."""
    payload = {
        k: state.get(k) for k in ("account_id", "branch_id", "opened_on", "phone_hash", "id_hash", "serving_manager_id")
    }
    sealer = CLIENT_PII()
    if event is not None and sealer.rotating():
        payload.update(phone_hashes=sealer.phone_hashes(event.phone), id_hashes=sealer.id_hashes(event.id_number))
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
