"""The daily callback selection job and the core system's daily CSV import.

02:00 Asia/Shanghai is 18:00 UTC the previous day (EventBridge cron is in UTC).
Account files arrive through EventBridge (see `import_account_file`).
"""

from __future__ import annotations

import json
from datetime import date
from typing import TYPE_CHECKING
from urllib.parse import unquote_plus

from aws_lambda_powertools.metrics import MetricUnit
from chalice import Blueprint, Cron, Rate

from .. import clock
from ..config import get_settings
from ..observability import logger, metrics

if TYPE_CHECKING:  # the domain is imported by the handlers, not at import of the app
    from ..domain import selection_job

bp = Blueprint(__name__)


def _remaining(event):
    context = getattr(event, "context", None)
    if context is None or not hasattr(context, "get_remaining_time_in_millis"):
        return None
    return lambda: context.get_remaining_time_in_millis() / 1000


def emit_metrics(results: list[selection_job.RunResult]) -> None:
    for result in results:
        for trigger, c in result.counts.items():
            for name in ("candidates", "created", "existing", "capped", "queued", "late"):
                metrics.add_metric(name=f"callbacks_{trigger}_{name}", unit=MetricUnit.Count, value=c.get(name, 0))
            for reason, n in c.get("skipped", {}).items():
                metrics.add_metric(name=f"callbacks_{trigger}_skipped_{reason}", unit=MetricUnit.Count, value=n)
        metrics.add_metadata(key=f"run_{result.business_date}", value=f"{result.mode}/{result.status}")
        # Due dates decided on weekends only (no calendar for the year): the CalendarMissingAlarm watches it.
        metrics.add_metric(
            name="callbacks_provisional_due_dates", unit=MetricUnit.Count, value=result.totals()["provisional"]
        )
        metrics.add_metric(
            name="callbacks_run_partial", unit=MetricUnit.Count, value=1 if result.status == "partial" else 0
        )
        metrics.flush_metrics()


@bp.schedule(
    Cron(0, 18, "*", "*", "?", "*"),
    name="daily_callback_selection",
    description="Select yesterday's callbacks (02:00 Asia/Shanghai), catching up missed dates",
)
def daily_callback_selection(event):
    from ..domain import selection_fanout, selection_job
    from ..storage.clients import job_retries

    if get_settings().selection_queue_url:  # the packaged stack: one message per (date, shard)
        from ..wiring.selection import shard_queue

        results = selection_fanout.fan_out_scheduled(clock.today(), shard_queue())
    else:  # make run, the local stack: every shard in this process
        with job_retries():  # throttles resent after 50 ms, not 1 s (storage/clients.py)
            results = selection_job.run_scheduled(clock.today(), remaining=_remaining(event))
    emit_metrics(results)
    return {"runs": [_run_summary(r) for r in results]}


def _run_summary(r: selection_job.RunResult) -> dict:
    out = {"business_date": r.business_date, "mode": r.mode, "status": r.status, **r.totals()}
    if r.shards:
        out["shards"] = r.shards
    return out


class ShardFailed(Exception):
    """Raised so SQS delivers the message again after its visibility timeout (dead-lettered after
    maxReceiveCount deliveries: docs/operations.md, "Selection fan-out")."""


# The queue is declared in infra/resources.json (SelectionShardQueue); infra/package.py points this event
# source at it, so the name here only names the function's event.
@bp.on_sqs_message(
    queue="fielddesk-selection-shards", batch_size=1, name="callback_selection_shard", maximum_concurrency=16
)
def callback_selection_shard(event):
    from ..domain import selection_fanout, selection_job
    from ..storage.clients import job_retries
    from ..wiring.selection import shard_queue

    s = get_settings()
    results = []
    for record in event:
        body = json.loads(record.body)
        day, shard = date.fromisoformat(body["business_date"]), int(body["shard"])
        continuation = int(body.get("continuation", 0))
        with job_retries():  # throttles resent after 50 ms, not 1 s (storage/clients.py)
            result = selection_job.run_date(day, shard=shard, remaining=_remaining(event))
        emit_metrics([result])
        if result.status == "failed":
            raise ShardFailed(f"selection of {day} shard {shard} failed ({result.reason})")
        if result.status == "partial":
            if continuation < s.selection_max_continuations:
                # Out of time: carry on at once in a new invocation; a write that gave up: a minute later.
                delay = 0 if result.reason == "out_of_time" else 60
                shard_queue().send([selection_fanout.message(day, shard, continuation + 1)], delay_seconds=delay)
            else:
                logger.error(
                    "selection shard still partial after its continuations; the next schedule queues it again",
                    extra={"business_date": str(day), "shard": shard, "continuations": continuation},
                )
        results.append({**_run_summary(result), "shard": shard, "continuation": continuation})
    return {"runs": results}


def _object_created(event: dict) -> tuple[str, str, str | None]:
    """Bucket, key and version id of an EventBridge "Object Created" event (or a classic S3 notification)."""
    if "detail" in event:
        obj = event["detail"]["object"]
        return event["detail"]["bucket"]["name"], unquote_plus(obj["key"]), obj.get("version-id")
    record = event["Records"][0]["s3"]
    return record["bucket"]["name"], unquote_plus(record["object"]["key"]), record["object"].get("versionId")


# Chalice cannot package @on_s3_event (CloudFormation cannot edit an existing bucket's
# notifications), so the account-files bucket sends its events to EventBridge and the
# stack built by infra/package.py routes "Object Created" to this function.
@bp.lambda_function(name="import_account_file")
def import_account_file(event, context):
    bucket, key, version_id = _object_created(event)
    if not key.endswith(".csv"):
        logger.info("not a CSV account file; ignored", extra={"key": key})
        return {"source": f"{bucket}/{key}", "status": "ignored"}
    from ..domain import account_import

    remaining = None
    if hasattr(context, "get_remaining_time_in_millis"):
        remaining = lambda: context.get_remaining_time_in_millis() / 1000  # noqa: E731
    summary = account_import.import_file(bucket, key, version_id=version_id, remaining=remaining)
    _import_metrics([summary])
    return {
        k: summary.get(k) for k in ("source", "status", "rows", "accepted", "duplicate", "rejected", "committed_row")
    }


def _import_metrics(summaries: list[dict]) -> None:
    metrics.add_metric(
        name="core_feed_rows_rejected", unit=MetricUnit.Count, value=sum(s.get("rejected", 0) for s in summaries)
    )
    metrics.add_metric(
        name="core_feed_rows_accepted", unit=MetricUnit.Count, value=sum(s.get("accepted", 0) for s in summaries)
    )
    metrics.add_metric(
        name="core_feed_imports_incomplete",
        unit=MetricUnit.Count,
        value=sum(1 for s in summaries if s.get("status") not in ("completed", "failed", "superseded")),
    )
    metrics.flush_metrics()


@bp.schedule(
    Rate(15, unit=Rate.MINUTES),
    name="resume_account_imports",
    description="Resume core-system files left incomplete (deadline, transient errors, a crash)",
)
def resume_account_imports(event):
    from ..domain import account_import

    summaries = account_import.resume_incomplete(remaining=_remaining(event))
    _import_metrics(summaries)
    return {"resumed": [{k: s.get(k) for k in ("source", "status", "committed_row")} for s in summaries]}
