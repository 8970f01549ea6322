"""Fan-out records of the daily selection (issue 18 §3): one record per (date, shard), next to the date's
run record, and the claim on the date's once-per-date parts (departures, the 10% sample) held on the
date's run record.

- Queued: `mark_queued` sets `queued_at` only if the shard was never queued or was queued before the
  stale limit, so a repeated schedule sends no second message while the first may still be alive.
- Started: `start_shard` is conditional on no earlier start (the first delivery runs in "first" mode,
  writing without reading); every later delivery resumes.
- The per-date parts: `claim_common` is a lease on the date record (owner, until); whoever holds it
  runs them, a lapsed lease (a crashed invocation) can be taken over, `finish_common` releases it.
"""

from __future__ import annotations

from datetime import date

from ..errors import ConditionFailed
from . import base, keys
from .selection import JOB

COMPLETED = "completed"


def shard_runs(day: date) -> dict[int, dict]:
    """Every shard record of the date (consistent), by shard number."""
    prefix = keys.job_shard_run(JOB, day, 0)["sk"].rsplit("#", 1)[0] + "#"
    items = base.query_all(keys.job_run(JOB, day)["pk"], sk_begins=prefix, consistent=True)
    return {int(i["shard_no"]): base.strip_keys(i) or {} for i in items if "shard_no" in i}


def mark_queued(day: date, shard_no: int, at: str, stale_before: str) -> bool:
    """Record that a message for the shard is being sent; False if one was sent after `stale_before`."""
    try:
        base.update(
            **keys.job_shard_run(JOB, day, shard_no),
            expression="SET queued_at = :at, job = :j, business_date = :d, shard_no = :k, #s = if_not_exists(#s, :q)",
            names={"#s": "status"},
            values={":at": at, ":j": JOB, ":d": str(day), ":k": shard_no, ":q": "queued", ":stale": stale_before},
            condition="attribute_not_exists(queued_at) OR queued_at < :stale",
            return_values="NONE",
        )
        return True
    except ConditionFailed:
        return False


def unmark_queued(day: date, shard_no: int, at: str) -> None:
    """The message could not be sent: the next schedule queues the shard again."""
    try:
        base.update(
            **keys.job_shard_run(JOB, day, shard_no),
            expression="REMOVE queued_at",
            values={":at": at},
            condition="queued_at = :at",
            return_values="NONE",
        )
    except ConditionFailed:
        pass


def start_shard(day: date, shard_no: int, at: str) -> bool:
    """Mark the shard running; True only for its first start."""
    key = keys.job_shard_run(JOB, day, shard_no)
    values = {":r": "running", ":at": at, ":one": 1, ":j": JOB, ":d": str(day), ":k": shard_no}
    common = "SET #s = :r, job = :j, business_date = :d, shard_no = :k, last_started_at = :at"
    try:
        base.update(
            **key,
            expression=common + ", started_at = :at ADD attempts :one",
            names={"#s": "status"},
            values=values,
            condition="attribute_not_exists(started_at)",
            return_values="NONE",
        )
        return True
    except ConditionFailed:
        base.update(
            **key, expression=common + " ADD attempts :one", names={"#s": "status"}, values=values, return_values="NONE"
        )
        return False


def finish_shard(day: date, shard_no: int, status: str, at: str, counts: dict, done_triggers: list[str]) -> None:
    base.update(
        **keys.job_shard_run(JOB, day, shard_no),
        expression="SET #s = :s, finished_at = :at, counts = :c, done_triggers = :done",
        names={"#s": "status"},
        values={":s": status, ":at": at, ":c": counts, ":done": list(done_triggers)},
        return_values="NONE",
    )


def claim_common(day: date, owner: str, now: str, until: str) -> dict | None:
    """Take the date's once-per-date parts: the date record as it was before the claim, or None when they
    are completed or another invocation's lease has not lapsed."""
    try:
        return base.update(
            **keys.job_run(JOB, day),
            expression="SET common_owner = :o, common_lease = :until",
            values={":o": owner, ":until": until, ":now": now, ":done": COMPLETED},
            condition="attribute_exists(pk) AND (attribute_not_exists(common_status) OR common_status <> :done) "
            "AND (attribute_not_exists(common_lease) OR common_lease < :now OR common_owner = :o)",
            return_values="ALL_OLD",
        )
    except ConditionFailed:
        return None


def finish_common(day: date, owner: str, status: str, at: str, counts: dict, done_triggers: list[str]) -> None:
    """Record the per-date parts' outcome and release the lease (only the holder's)."""
    try:
        base.update(
            **keys.job_run(JOB, day),
            expression="SET common_status = :s, common_finished_at = :at, common_counts = :c, common_done = :done "
            "REMOVE common_lease, common_owner",
            values={":s": status, ":at": at, ":c": counts, ":done": list(done_triggers), ":o": owner},
            condition="common_owner = :o",
            return_values="NONE",
        )
    except ConditionFailed:
        pass  # the lease lapsed and another invocation took the parts over: its record wins
