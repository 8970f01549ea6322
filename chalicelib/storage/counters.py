"""Reads and conditional repairs behind `python -m schedules reconcile` (issue 14 §4).

Each counter is read (consistently) before the records it counts, and a repair is conditional on the
counter still holding what was read: a write that lands in between moves the counter, the repair is
refused, and the next run looks again. Operator command only: the reads are bounded by the
directory (outlets, staff) and one day, always by key or index, never a Scan.
"""

from __future__ import annotations

from ..errors import ConditionFailed
from . import base, keys


def _set_if_unchanged(key: dict, values: dict[str, object], read: dict[str, object], *, exists: bool = True) -> bool:
    """SET each of `values`, provided every field of `read` still holds what was read (absent: absent)
    and the item still exists (`exists`) or still does not."""
    sets, names, params = [], {}, {}
    conditions = ["attribute_exists(pk)" if exists else "attribute_not_exists(pk)"]
    for n, (name, value) in enumerate(values.items()):
        names[f"#f{n}"] = name
        params[f":v{n}"] = value
        sets.append(f"#f{n} = :v{n}")
    for n, (name, old) in enumerate(read.items()):
        names[f"#r{n}"] = name
        if old is None:
            conditions.append(f"attribute_not_exists(#r{n})")
        else:
            params[f":r{n}"] = old
            conditions.append(f"#r{n} = :r{n}")
    try:
        base.update(
            **key,
            expression="SET " + ", ".join(sets),
            names=names,
            values=params,
            condition=" AND ".join(conditions),
            return_values="NONE",
        )
    except ConditionFailed:
        return False
    return True


# --- an outlet's active API keys (KEYSLOTS) ----------------------------------------------------------------
def outlet_ids() -> list[str]:
    return [i["outlet_id"] for i in base.query_all("OUTLETS", index="gsi2") if i.get("outlet_id")]


def key_slots(outlet_id: str) -> tuple[bool, int | None]:
    """(the counter item exists, its `active`)."""
    item = base.get_item(**keys.outlet_key_slots(outlet_id), consistent=True)
    return item is not None, (int(item["active"]) if item and item.get("active") is not None else None)


def active_keys(outlet_id: str) -> int:
    return sum(1 for i in base.query_all(f"OUTLET#{outlet_id}#KEYS", index="gsi1") if i.get("status") == "active")


def set_key_slots(outlet_id: str, exists: bool, read: int | None, active: int) -> bool:
    return _set_if_unchanged(keys.outlet_key_slots(outlet_id), {"active": active}, {"active": read}, exists=exists)


# --- a person's granted reveals of a day (REVEALS#<actor>/DAY#<day>) -----------------------------------------
def staff_ids() -> list[str]:
    return [i["staff_id"] for i in base.query_all("STAFF", index="gsi2") if i.get("staff_id")]


def reveal_counters(actor_ids: list[str], day: str) -> dict[str, int]:
    found = base.batch_get([tuple(keys.reveal_budget(a, day).values()) for a in dict.fromkeys(actor_ids)])
    return {i["pk"].removeprefix("REVEALS#"): int(i.get("granted", 0)) for i in found}


def reveal_counter(actor_id: str, day: str) -> tuple[bool, int | None]:
    """(the counter item exists - a day of refusals only has one marked `alerted` - , its `granted`)."""
    item = base.get_item(**keys.reveal_budget(actor_id, day), consistent=True)
    return item is not None, (int(item["granted"]) if item and item.get("granted") is not None else None)


def granted_reveals(day: str) -> dict[str, int]:
    """Granted reveals of a business day by actor, from the audit itself (its sort key starts with the time)."""
    counts: dict[str, int] = {}
    for item in base.query_all(keys.reveal_audit(f"{day}T00:00:00+08:00", "")["pk"], sk_begins=day, consistent=True):
        if item.get("outcome") == "granted" and item.get("actor_id"):
            counts[item["actor_id"]] = counts.get(item["actor_id"], 0) + 1
    return counts


def set_reveal_counter(actor_id: str, day: str, exists: bool, read: int | None, granted: int) -> bool:
    return _set_if_unchanged(keys.reveal_budget(actor_id, day), {"granted": granted}, {"granted": read}, exists=exists)
