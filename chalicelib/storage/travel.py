"""Travel: periods, one item per travel day (with its due-hour bucket), the day's report, penalty proposals."""

from __future__ import annotations

from collections.abc import Callable

from . import base, keys


# --- periods -------------------------------------------------------------------------------------------
def period_item(record: dict) -> dict:
    return {
        **keys.travel_period(record["travel_id"]),
        **record,
        **keys.travel_period_indexes(
            record["manager_id"], record["branch_id"], record["start_on"], record["travel_id"]
        ),
    }


def new_period_op(record: dict) -> dict:
    return base.tx_put(period_item(record))


def replace_period_op(record: dict, *, expected_revision: int) -> dict:
    return base.tx_put(period_item(record), condition="revision = :rev", values={":rev": expected_revision})


def get_period(travel_id: str) -> dict | None:
    return base.strip_keys(base.get_item(**keys.travel_period(travel_id), consistent=True))


def _list(pk: str, index: str, month: str | None, limit: int, start_key, keep) -> base.Page:
    if keep:
        return base.query_kept(
            pk, keep, index=index, sk_begins=month, limit=limit, start_key=start_key, newest_first=True
        )
    return base.query_records(pk, index=index, sk_begins=month, limit=limit, start_key=start_key, newest_first=True)


def list_manager_periods(
    manager_id: str, month: str | None, *, limit: int, start_key=None, keep: Callable[[dict], bool] | None = None
) -> base.Page:
    return _list(f"STAFF#{manager_id}#TRAVEL", "gsi1", month, limit, start_key, keep)


def list_branch_periods(
    branch_id: str, month: str | None, *, limit: int, start_key=None, keep: Callable[[dict], bool] | None = None
) -> base.Page:
    return _list(f"BRANCH#{branch_id}#TRAVEL", "gsi2", month, limit, start_key, keep)


# --- travel days ---------------------------------------------------------------------------------------
def new_day_op(day: dict) -> dict:
    """A travel day, unless an approved period already covers it (a cancelled day may be covered again)."""
    item = {**keys.travel_day(day["manager_id"], day["day"]), **{k: v for k, v in day.items() if v is not None}}
    if day.get("due_hour"):  # no bucket: a day already past its report hour when approved
        item.update(keys.travel_day_due_index(day["due_hour"], day["manager_id"], day["day"]))
    return base.tx_put(item, condition="attribute_not_exists(pk) OR cancelled = :t", values={":t": True})


def cancel_day_op(manager_id: str, day: str, travel_id: str) -> dict:
    k = keys.travel_day(manager_id, day)
    return base.tx_update(
        k["pk"],
        k["sk"],
        "SET cancelled = :t REMOVE gsi3pk, gsi3sk",
        values={":t": True, ":tid": travel_id},
        condition="travel_id = :tid",
    )


def get_day(manager_id: str, day: str) -> dict | None:
    return base.strip_keys(base.get_item(**keys.travel_day(manager_id, day), consistent=True))


def days_due_in_hour(hour: str) -> list[dict]:
    found: list[dict] = []
    for shard_no in range(keys.TRAVEL_DUE_SHARDS):
        found.extend(base.strip_keys(i) for i in base.query_all(f"TRAVELDUE#{hour}#{shard_no}", index="gsi3"))
    return found


# --- reports -------------------------------------------------------------------------------------------
def new_report_ops(report: dict) -> list[dict]:
    """The report and its day's mark, together: once per manager and day, only on an uncancelled day of
    that period. An on-time report takes the day out of the due bucket; a late one leaves it for the sweep."""
    item = {
        **keys.travel_report(report["manager_id"], report["day"]),
        **report,
        **keys.travel_report_indexes(report["manager_id"], report["branch_id"], report["day"]),
    }
    k = keys.travel_day(report["manager_id"], report["day"])
    expression = "SET report_at = :at, report_on_time = :ok" + (" REMOVE gsi3pk, gsi3sk" if report["on_time"] else "")
    return [
        base.tx_put(item),
        base.tx_update(
            k["pk"],
            k["sk"],
            expression,
            values={":at": report["submitted_at"], ":ok": report["on_time"], ":t": True, ":tid": report["travel_id"]},
            condition="travel_id = :tid AND attribute_not_exists(report_at) AND "
            "(attribute_not_exists(cancelled) OR cancelled <> :t)",
        ),
    ]


def get_report(manager_id: str, day: str) -> dict | None:
    return base.strip_keys(base.get_item(**keys.travel_report(manager_id, day), consistent=True))


def list_manager_reports(manager_id: str, month: str | None, *, limit: int, start_key=None) -> base.Page:
    return _list(f"STAFF#{manager_id}#TRAVELREPORTS", "gsi1", month, limit, start_key, None)


def list_branch_reports(branch_id: str, month: str | None, *, limit: int, start_key=None) -> base.Page:
    return _list(f"BRANCH#{branch_id}#TRAVELREPORTS", "gsi2", month, limit, start_key, None)


# --- penalty proposals ---------------------------------------------------------------------------------
def proposal_item(record: dict) -> dict:
    return {
        **keys.penalty_proposal(record["proposal_id"]),
        **record,
        **keys.penalty_proposal_indexes(
            record["manager_id"], record["branch_id"], record["day"], record["proposal_id"]
        ),
    }


def new_proposal_ops(record: dict) -> list[dict]:
    """The proposal (once per manager and day: a deterministic id) and its day's mark, together."""
    k = keys.travel_day(record["manager_id"], record["day"])
    return [
        base.tx_put(proposal_item(record)),
        base.tx_update(
            k["pk"],
            k["sk"],
            "SET proposal_id = :p REMOVE gsi3pk, gsi3sk",
            values={":p": record["proposal_id"], ":t": True, ":ok": True},
            condition="attribute_exists(pk) AND attribute_not_exists(proposal_id) AND "
            "(attribute_not_exists(cancelled) OR cancelled <> :t) AND "
            "(attribute_not_exists(report_on_time) OR report_on_time <> :ok)",
        ),
    ]


def replace_proposal_op(record: dict, *, expected_status: str) -> dict:
    return base.tx_put(
        proposal_item(record), condition="#s = :s", names={"#s": "status"}, values={":s": expected_status}
    )


def write(operations: list[dict]) -> None:
    base.transact(operations)


def get_proposal(proposal_id: str) -> dict | None:
    return base.strip_keys(base.get_item(**keys.penalty_proposal(proposal_id), consistent=True))


def list_manager_proposals(
    manager_id: str, month: str | None, *, limit: int, start_key=None, keep: Callable[[dict], bool] | None = None
) -> base.Page:
    return _list(f"STAFF#{manager_id}#PROPOSALS", "gsi1", month, limit, start_key, keep)


def list_branch_proposals(
    branch_id: str, month: str | None, *, limit: int, start_key=None, keep: Callable[[dict], bool] | None = None
) -> base.Page:
    return _list(f"BRANCH#{branch_id}#PROPOSALS", "gsi2", month, limit, start_key, keep)
