"""Job watermarks on DynamoDB: the item `keys.job_watermark(job)`, the position under `value`."""

from __future__ import annotations

from . import base, keys


class DynamoJobWatermarks:
    def get(self, job: str) -> str | None:
        item = base.get_item(**keys.job_watermark(job), consistent=True)
        return item.get("value") if item else None

    def set(self, job: str, value: str, at: str) -> None:
        base.put({**keys.job_watermark(job), "value": value, "updated_at": at})
