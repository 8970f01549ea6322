"""Job watermarks on DynamoDB: the item `keys.job_watermark(job)`, the position under `value`."""

from __future__ import annotations

from ..errors import ConditionFailed
from . import base, keys

# Where the daily jobs kept their position before they shared this module (penalty overdue sweep:
# `last_date`, prospects' lapse and first-contact runs: `through`). Read so a deployed table resumes where
# it stood; the next `set` writes `value` and drops them.
_EARLIER = ("last_date", "through")
# Jobs whose position lived on another item: the selection's under `business_date` on the "callbacks" job's
# item (storage/selection.get_watermark). Read while the job's own item is missing (until its first advance).
_MOVED = {"selection": ("callbacks", "business_date")}


class DynamoJobWatermarks:
    def get(self, job: str) -> str | None:
        item = base.get_item(**keys.job_watermark(job), consistent=True)
        if not item:
            if job not in _MOVED:
                return None
            earlier_job, attribute = _MOVED[job]
            earlier = base.get_item(**keys.job_watermark(earlier_job), consistent=True) or {}
            return earlier.get(attribute) or None
        return item.get("value") or next((item[a] for a in _EARLIER if item.get(a)), None)

    def set(self, job: str, value: str, at: str) -> None:
        base.put({**keys.job_watermark(job), "value": value, "updated_at": at})

    def advance(self, job: str, value: str, at: str) -> bool:
        try:
            base.update(
                **keys.job_watermark(job),
                expression="SET #v = :v, updated_at = :at",
                names={"#v": "value"},
                values={":v": value, ":at": at},
                condition="attribute_not_exists(#v) OR #v < :v",
                return_values="NONE",
            )
            return True
        except ConditionFailed:
            return False
