"""Job watermarks on DynamoDB: the item `keys.job_watermark(job)`, the position under `value`."""

from __future__ import annotations

from . import base, keys

# Where the daily jobs kept their position before they shared this module (penalty overdue sweep:
# `last_date`, prospects' lapse and first-contact runs: `through`). Read so a deployed table resumes where
# it stood; the next `set` writes `value` and drops them.
_EARLIER = ("last_date", "through")


class DynamoJobWatermarks:
    def get(self, job: str) -> str | None:
        item = base.get_item(**keys.job_watermark(job), consistent=True)
        if not item:
            return None
        return item.get("value") or next((item[a] for a in _EARLIER if item.get(a)), None)

    def set(self, job: str, value: str, at: str) -> None:
        base.put({**keys.job_watermark(job), "value": value, "updated_at": at})
