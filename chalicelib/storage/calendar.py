"""The working-day calendar kept as data: one item per published version of a year.

`CALENDAR#<year>` / `VERSION#<nnnn>`, newest read first; a version is written with
`attribute_not_exists`, so two admins publishing at once cannot overwrite each other and the
versions are the audit trail (who, when, what). Reads are cached per container for a few
minutes: selection asks "is this a working day?" thousands of times a run.
"""

from __future__ import annotations

from . import base, keys
from .cache import ttl_cache


def newest(year: int) -> dict | None:
    page = base.query(f"CALENDAR#{year}", newest_first=True, limit=1, consistent=True)
    return base.strip_keys(page.items[0]) if page.items else None


@ttl_cache(300)
def cached_newest(year: int) -> dict:
    """The newest version, or {} (cached too, so a year with no data costs one read per container)."""
    return newest(year) or {"missing": True}


def versions(year: int) -> list[dict]:
    return [base.strip_keys(i) for i in base.query_all(f"CALENDAR#{year}")]


def put_version(record: dict) -> None:
    """Raises ConditionFailed if that version number was taken meanwhile."""
    base.put_new({**keys.calendar_version(record["year"], record["version"]), **record})


def provisional_tasks(year: int) -> list[dict]:
    return [
        base.strip_keys(i)
        for partition in keys.task_provisional_partitions(year)
        for i in base.query_all(partition, index="gsi5")
    ]
