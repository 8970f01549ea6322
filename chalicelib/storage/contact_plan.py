"""Contact-plan items: an account's value class (on the account item, versioned with it) and, per manager,
the ISO weeks they were in contact with the client and the months they visited (`CONTACTS#<manager>`).

Weeks and months are string sets, so recording a contact is an ADD: order-free and idempotent, a late or
replayed log never moves anything backwards and a retried visit adds nothing twice.
"""

from __future__ import annotations

from . import base, keys


def contact_op(account_id: str, manager_id: str, week: str, month: str | None) -> dict:
    """The transaction item recording a contact in `week` (and a visit in `month`), for the visit's own write."""
    k = keys.account_contacts(account_id, manager_id)
    expression = "SET account_id = :a, manager_id = :m ADD contact_weeks :w"
    values: dict = {":a": account_id, ":m": manager_id, ":w": {week}}
    if month:
        expression += ", visit_months :v"
        values[":v"] = {month}
    return base.tx_update(k["pk"], k["sk"], expression, values=values)


def contacts_of(manager_id: str, account_ids: list[str]) -> dict[str, dict]:
    found = base.batch_get([(k["pk"], k["sk"]) for k in (keys.account_contacts(a, manager_id) for a in account_ids)])
    return {i["account_id"]: base.strip_keys(i) for i in found}


def manager_accounts(manager_id: str) -> list[dict]:
    """Every account the manager serves (gsi1; a manager's book, a few hundred to a few thousand)."""
    return [base.strip_keys(i) for i in base.query_all(f"MGR#{manager_id}#ACCOUNTS", index="gsi1")]


def set_value_class(account: dict, change: dict) -> None:
    """The class on the account (conditional on its version, so a concurrent feed write re-reads it) and
    the change kept as its own item: nothing is overwritten without a trace."""
    k = keys.account(account["account_id"])
    fields = {
        "value_class": change["value_class"],
        "value_class_source": change["source"],
        "value_class_set_by": change["by"],
        "value_class_set_at": change["at"],
    }
    names = {f"#f{i}": f for i, f in enumerate(fields)}
    values = {f":f{i}": v for i, v in enumerate(fields.values())}
    sets = ", ".join(f"#f{i} = :f{i}" for i in range(len(fields)))
    update = base.tx_update(
        k["pk"],
        k["sk"],
        f"SET {sets}, #v = #v + :one",
        names={**names, "#v": "version"},
        values={**values, ":one": 1, ":prev": int(account.get("version", 0))},
        condition="#v = :prev",
    )
    base.transact([update, class_change_op(account["account_id"], change["at"], change)])


def class_change_op(account_id: str, at: str, change: dict) -> dict:
    """A class change kept as its own item (the supervisor's, or the feed's with the event id in `at`)."""
    return base.tx_put({**keys.account_class_change(account_id, at), **change, "account_id": account_id})
