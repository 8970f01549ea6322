"""Staff, outlets and outlet API keys."""

from __future__ import annotations

from . import base, keys
from .cache import clear_all as _clear_caches
from .cache import ttl_cache


def get_staff(staff_id: str) -> dict | None:
    return base.strip_keys(base.get_item(**keys.staff(staff_id)))


def _staff_item(record: dict) -> dict:
    item = {
        **keys.staff(record["staff_id"]),
        **keys.staff_indexes(record["staff_id"], record["branch_id"], record["role"]),
        **record,
    }
    if record.get("departed_on"):
        item.update(keys.staff_departed_index(record["departed_on"], record["staff_id"]))
        item.update(keys.departure_pending_index(record["departed_on"], record["staff_id"]))
    return item


def put_staff(record: dict) -> None:
    """A new staff member (refused if the id exists). Seeding and operators; the API writes
    `put_staff_op` with its change record."""
    base.put_new(_staff_item(record))


def put_staff_op(record: dict) -> dict:
    return base.tx_put(_staff_item(record))


def staff_change_op(change: dict) -> dict:
    return base.tx_put({**keys.staff_change(change["staff_id"], change["at"], change["change_id"]), **change})


def write(operations: list[dict]) -> None:
    base.transact(operations)


def list_staff_changes(month: str, *, limit: int, start_key=None) -> base.Page:
    return base.query_records(
        f"STAFFCHANGES#{month}", index="gsi1", limit=limit, start_key=start_key, newest_first=True
    )


def update_staff_op(current: dict, changes: dict) -> dict:
    """Set only the changed fields (and the indexes they move), so counters others keep on the item,
    such as an agent's `open_tasks`, are never overwritten. None removes a field. Conditional on the
    role, branch and status read before: the change record's "before" is then what was replaced."""
    merged = {**current, **changes}
    sets = {
        **{k: v for k, v in changes.items() if v is not None},
        **keys.staff_indexes(merged["staff_id"], merged["branch_id"], merged["role"]),
    }
    removes = [k for k, v in changes.items() if v is None]
    if merged.get("departed_on"):
        sets.update(keys.staff_departed_index(merged["departed_on"], merged["staff_id"]))
        if "departed_on" in changes and changes["departed_on"] != current.get("departed_on"):
            # A new departure date waits for selection again (its clients' callbacks).
            sets.update(keys.departure_pending_index(merged["departed_on"], merged["staff_id"]))
            removes.append("departure_selected_at")
    else:
        removes += ["gsi3pk", "gsi3sk", "gsi5pk", "gsi5sk"]
    names = {f"#n{i}": k for i, k in enumerate(list(sets) + removes)}
    by_name = {k: n for n, k in names.items()}
    expression = "SET " + ", ".join(f"{by_name[k]} = :v{i}" for i, k in enumerate(sets))
    if removes:
        expression += " REMOVE " + ", ".join(by_name[k] for k in removes)
    values = {f":v{i}": v for i, v in enumerate(sets.values())}
    guards = []
    for i, field in enumerate(("role", "branch_id", "status")):
        names[f"#g{i}"] = field
        values[f":g{i}"] = current.get(field)
        guards.append(f"#g{i} = :g{i}")
    key = keys.staff(merged["staff_id"])
    return base.tx_update(
        key["pk"],
        key["sk"],
        expression,
        names=names,
        values=values,
        condition="attribute_exists(pk) AND " + " AND ".join(guards),
    )


def list_branch_staff(branch_id: str, role: str | None = None, *, limit=None, start_key=None) -> base.Page:
    return base.query(
        f"BRANCH#{branch_id}#STAFF",
        index="gsi1",
        sk_begins=f"{role}#" if role else None,
        limit=limit,
        start_key=start_key,
    )


def all_branch_staff(branch_id: str, role: str | None = None) -> list[dict]:
    return [
        base.strip_keys(i)
        for i in base.query_all(f"BRANCH#{branch_id}#STAFF", index="gsi1", sk_begins=f"{role}#" if role else None)
    ]


def list_all_staff(*, limit=None, start_key=None) -> base.Page:
    return base.query("STAFF", index="gsi2", limit=limit, start_key=start_key)


def departures_pending(through) -> list[dict]:
    """Departures dated up to `through` whose clients' callbacks were not selected yet."""
    return [base.strip_keys(i) for i in base.query_all("SELECT#DEPARTED", index="gsi5", sk_lte=f"{through}~")]


def mark_departure_selected(staff_id: str, departed_on: str, at: str) -> None:
    """Done with this departure (conditional: a changed departure date waits again)."""
    from ..errors import ConditionFailed

    try:
        base.update(
            **keys.staff(staff_id),
            expression="SET departure_selected_at = :at REMOVE gsi5pk, gsi5sk",
            values={":at": at, ":d": departed_on},
            condition="departed_on = :d",
            return_values="NONE",
        )
    except ConditionFailed:
        pass


def staff_departed_on(day) -> list[dict]:
    return [base.strip_keys(i) for i in base.query_all(f"DEPARTED#{day}", index="gsi3")]


@ttl_cache(60)
def get_outlet(outlet_id: str) -> dict | None:
    return base.strip_keys(base.get_item(**keys.outlet(outlet_id)))


def read_outlet(outlet_id: str) -> dict | None:
    """The outlet as it is now (consistent, never cached): API key checks and edits read this one."""
    return base.strip_keys(base.get_item(**keys.outlet(outlet_id), consistent=True))


def outlet_item(record: dict) -> dict:
    return {
        **keys.outlet(record["outlet_id"]),
        **keys.outlet_indexes(record["outlet_id"], record["branch_id"]),
        **record,
    }


def put_outlet(record: dict, *, new: bool) -> None:
    item = outlet_item(record)
    base.put_new(item, condition="attribute_not_exists(pk)" if new else "attribute_exists(pk)")
    _clear_caches()


def list_outlets(branch_id: str | None, *, limit=None, start_key=None) -> base.Page:
    if branch_id:
        return base.query(f"BRANCH#{branch_id}#OUTLETS", index="gsi1", limit=limit, start_key=start_key)
    return base.query("OUTLETS", index="gsi2", limit=limit, start_key=start_key)


def put_branch(record: dict) -> None:
    base.put({**keys.branch(record["branch_id"]), **record})


def get_branch(branch_id: str) -> dict | None:
    key = keys.branch(branch_id)
    return base.strip_keys(base.get_item(key["pk"], key["sk"]))


def get_api_key(key_id: str, *, consistent: bool = False) -> dict | None:
    return base.strip_keys(base.get_item(**keys.api_key(key_id), consistent=consistent))


def put_api_key(record: dict) -> None:
    item = {
        **keys.api_key(record["key_id"]),
        **keys.api_key_indexes(record["outlet_id"], record["created_at"], record["key_id"]),
        **record,
    }
    base.put_new(item)


def list_outlet_keys(outlet_id: str) -> list[dict]:
    return [base.strip_keys(i) for i in base.query_all(f"OUTLET#{outlet_id}#KEYS", index="gsi1")]


def set_api_key_status(key_id: str, status: str, at: str) -> dict:
    return base.strip_keys(
        base.update(
            **keys.api_key(key_id),
            expression="SET #s = :s, updated_at = :at",
            names={"#s": "status"},
            values={":s": status, ":at": at},
            condition="attribute_exists(pk)",
        )
    )


def put_new_branch(record: dict) -> None:
    """A new branch (refused if the id exists)."""
    base.put_new({**keys.branch(record["branch_id"]), **record})


def list_branches() -> list[dict]:
    return [base.strip_keys(i) for i in base.query_all("BRANCHES", index="gsi2")]


def close_branch(branch_id: str, at: str, by: str) -> dict:
    key = keys.branch(branch_id)
    item = base.update(
        key["pk"],
        key["sk"],
        "SET #s = :closed, closed_at = :at, closed_by = :by",
        names={"#s": "status"},
        values={":closed": "closed", ":at": at, ":by": by, ":c": "closed"},
        condition="attribute_exists(pk) AND (attribute_not_exists(#s) OR #s <> :c)",
    )
    return base.strip_keys(item)
