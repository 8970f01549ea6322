"""The core system's daily CSV file: an import that cannot lose a row (reading it: account_csv.py).

- Progress is a cursor (the last row committed) on the file's summary, moved conditionally with the
  counts of the rows it passes; refused rows are items of their own, so a file of many bad rows never
  grows one item past DynamoDB's 400 KB.
- A row refused for a transient reason (the database busy or unavailable) is retried with jittered
  backoff; if it still fails, the cursor stops before it and the file stays incomplete: re-delivery,
  a re-run or the resume job (`resume_incomplete`) continues from the cursor, never from row 1, and
  the file is never marked completed with a row missing.
- The encoding is decided per file (UTF-8 with or without BOM, else GB18030, a superset of GBK and
  GB2312); a row that cannot be decoded or parsed is reported and skipped.
- The import stops cleanly before the Lambda deadline and is resumed from its cursor.
- Rows are events with ids: a row applied before its answer was lost counts once (its event record
  names this file and row); the same event already received through the API is a duplicate.

- A row is one CSV record: a quoted cell may hold line breaks, so a row can span lines (`rows`).
"""

from __future__ import annotations

import csv
import random
import time
from collections.abc import Callable
from typing import Any

from .. import clock
from ..config import get_settings
from ..errors import DomainError, NotFound
from ..observability import logger
from .account_csv import _error, detect_encoding, parse_row, rows
from .account_ports import ACCOUNT_IMPORTS, ImportAlreadyStarted

COUNTS = ("rows", "accepted", "duplicate", "rejected")
FINISHED = ("completed", "failed", "superseded")
Remaining = Callable[[], float] | None


# --- importing -----------------------------------------------------------------------------------
def _out_of_time(remaining: Remaining) -> bool:
    return remaining is not None and remaining() < get_settings().import_stop_margin_seconds


def _backoff(attempt: int, remaining: Remaining) -> None:
    s = get_settings()
    delay = random.uniform(0, s.import_retry_base_seconds * 2**attempt)  # full jitter
    if remaining is not None:
        delay = min(delay, max(0.0, remaining() - s.import_stop_margin_seconds))
    if delay > 0:
        time.sleep(delay)


def _apply(source: str, rows: list[tuple[int, dict]], remaining: Remaining) -> tuple[dict[int, dict], list[int]]:
    """Ingest the rows, retrying the transiently refused ones. (outcome by row, rows still failing)."""
    from .accounts import ingest

    outcomes: dict[int, dict] = {}
    pending = rows
    for attempt in range(get_settings().import_transient_retries + 1):
        if attempt:
            _backoff(attempt - 1, remaining)
        results = ingest([raw for _, raw in pending], source=f"s3:{source}", rows=[n for n, _ in pending])
        retry = []
        for (number, raw), result in zip(pending, results, strict=False):
            if result.get("retryable"):
                retry.append((number, raw))
            else:
                outcomes[number] = result
        pending = retry
        if not pending or _out_of_time(remaining):
            break
    return outcomes, [n for n, _ in pending]


def _batch(
    source: str, header: list[str], batch: list[tuple[int, str | None]], encoding: str, remaining: Remaining
) -> tuple[int | None, dict, list[int]]:
    """Import one batch. (the new cursor or None when no row could be committed, counts, failing rows)."""
    outcomes: dict[int, dict] = {}
    parsed = []
    for number, text in batch:
        if text is None:
            outcomes[number] = _error(f"cannot be decoded as {encoding}", "row")
            continue
        raw, error = parse_row(header, text)
        if error:
            outcomes[number] = error
        else:
            parsed.append((number, raw or {}))
    applied, failing = _apply(source, parsed, remaining) if parsed else ({}, [])
    outcomes.update(applied)
    first_failing = min(failing) if failing else None
    committed = [n for n, _ in batch if first_failing is None or n < first_failing]
    counts = dict.fromkeys(COUNTS, 0)
    for number in committed:
        result = outcomes[number]
        status = result["status"]
        if status == "duplicate" and result.get("own"):
            status = "accepted"  # this very row, applied by an earlier run of this file
        counts[status] += 1
        counts["rows"] += 1
        if status == "rejected":
            # Written before the cursor passes the row: a crash in between rewrites the same item.
            ACCOUNT_IMPORTS().put_row_error(
                source,
                number,
                {
                    "event_id": result.get("event_id"),
                    "reason": result.get("reason"),
                    "details": result.get("details", []),
                },
            )
    if first_failing is not None:
        return (first_failing - 1 if committed else None), counts, failing
    return batch[-1][0], counts, []


def import_file(
    bucket: str,
    key: str,
    *,
    version_id: str | None = None,
    expected_etag: str | None = None,
    remaining: Remaining = None,
) -> dict:
    """Import (or resume importing) one CSV of events; returns the file's summary."""
    from .accounts import _plain_numbers

    s = get_settings()
    try:
        file = ACCOUNT_IMPORTS().open_file(bucket, key, version_id)
        data, etag, version = file.data, file.etag, file.version_id
    except NotFound as err:
        if not expected_etag:
            raise
        # Resuming a file that is gone or archived: it leaves the resume job's list, marked failed.
        old = f"{bucket}/{key}/{expected_etag}"
        summary = ACCOUNT_IMPORTS().summary(old) or {}
        row = int(summary.get("committed_row", 0))
        ACCOUNT_IMPORTS().commit_progress(
            old, row, row, {}, status="failed", finished=True, fields={"reason": err.message}
        )
        logger.warning("incomplete import cannot be resumed", extra={"source": old, "reason": err.message})
        return {**summary, "status": "failed", "reason": err.message}
    if expected_etag and etag != expected_etag:
        # An unversioned bucket whose object was replaced: that import cannot be resumed; the new
        # content arrives as its own file (its own Object Created event).
        old = f"{bucket}/{key}/{expected_etag}"
        summary = ACCOUNT_IMPORTS().summary(old) or {}
        ACCOUNT_IMPORTS().commit_progress(
            old,
            int(summary.get("committed_row", 0)),
            int(summary.get("committed_row", 0)),
            {},
            status="superseded",
            finished=True,
        )
        logger.warning("incomplete import superseded by new content", extra={"source": old})
        return {**summary, "status": "superseded"}
    source = f"{bucket}/{key}/{etag}"
    found = ACCOUNT_IMPORTS().summary(source)
    if found and found.get("status") in FINISHED:
        logger.info("core feed file already imported", extra={"source": source})
        return _plain_numbers(found)
    encoding = detect_encoding(data)
    if not found or "committed_row" not in found:  # new, or begun before per-row progress
        fresh = {
            "source": source,
            "bucket": bucket,
            "key": key,
            "etag": etag,
            "version_id": version,
            "encoding": encoding,
            "status": "importing",
            "started_at": clock.iso(clock.now()),
            "committed_row": 0,
            **dict.fromkeys(COUNTS[1:], 0),
            "rows": 0,
        }
        try:
            ACCOUNT_IMPORTS().start(source, {k: v for k, v in fresh.items() if v is not None}, replace=bool(found))
        except ImportAlreadyStarted:
            pass  # a concurrent delivery of the same file began it; the cursor keeps the two apart
        found = ACCOUNT_IMPORTS().summary(source) or fresh
    summary = _plain_numbers(found)
    cursor = int(summary["committed_row"])
    numbered = rows(data, encoding)
    if not numbered or numbered[0][1] is None:
        summary.update(status="failed", reason=f"the header row cannot be decoded as {encoding}")
        ACCOUNT_IMPORTS().commit_progress(
            source, cursor, cursor, {}, status="failed", finished=True, fields={"reason": summary["reason"]}
        )
        return summary
    header = [h.strip() for h in next(csv.reader([numbered[0][1]]))]
    todo = [(n, t) for n, t in numbered[1:] if n > cursor]
    size = max(1, s.account_feed_max_events)
    stopped = None
    for start in range(0, max(len(todo), 1), size):
        if _out_of_time(remaining):
            stopped = "deadline"
            break
        batch = todo[start : start + size]
        new_cursor, counts, failing = _batch(source, header, batch, encoding, remaining) if batch else (cursor, {}, [])
        last = not failing and start + size >= len(todo)
        status = "completed" if last else ("incomplete" if failing else "importing")
        fields: dict[str, Any] = {"completed_at": clock.iso(clock.now())} if last else {}
        if failing:
            stopped = "transient_errors"
            fields.update(stopped="transient_errors", resend_rows=failing[:20])
        target = cursor if new_cursor is None else new_cursor
        if not ACCOUNT_IMPORTS().commit_progress(
            source, cursor, target, {k: v for k, v in counts.items() if v}, status=status, finished=last, fields=fields
        ):
            logger.info(
                "another delivery of the file moved its cursor; leaving the file to it", extra={"source": source}
            )
            return _plain_numbers(ACCOUNT_IMPORTS().summary(source) or summary)
        cursor = target
        for name, n in counts.items():
            summary[name] = summary.get(name, 0) + n
        summary.update(committed_row=cursor, status=status, **fields)
        if failing:
            break
    if stopped == "deadline":
        ACCOUNT_IMPORTS().commit_progress(
            source, cursor, cursor, {}, status="incomplete", fields={"stopped": "deadline"}
        )
        summary.update(status="incomplete", stopped="deadline")
    logger.info(
        "core feed file import",
        extra={
            k: summary.get(k)
            for k in ("source", "status", "committed_row", "rows", "accepted", "duplicate", "rejected")
        },
    )
    return summary


def resume_incomplete(remaining: Remaining = None) -> list[dict]:
    """Continue every import left incomplete (deadline, transient errors, a crash), oldest first."""
    out = []
    for item in ACCOUNT_IMPORTS().incomplete(get_settings().import_resume_max_files):
        if _out_of_time(remaining):
            break
        try:
            out.append(
                import_file(
                    item["bucket"],
                    item["key"],
                    version_id=item.get("version_id"),
                    expected_etag=item["etag"],
                    remaining=remaining,
                )
            )
        except DomainError as err:  # this file waits for the next run; the others go on
            logger.warning("import not resumed", extra={"source": item.get("source"), "code": err.code})
    return out


def get_import_summary(bucket: str, key: str, etag: str) -> dict:
    """The summary with its first refused rows (`errors`); `errors_truncated` counts the rest."""
    from .accounts import _plain_numbers

    source = f"{bucket}/{key}/{etag.strip(chr(34))}"
    stored = ACCOUNT_IMPORTS().summary(source)
    if not stored:
        raise NotFound("no import of that file")
    summary: dict = _plain_numbers(stored)
    if "committed_row" in summary:  # per-row progress: the refused rows are items of their own
        errors = _plain_numbers(ACCOUNT_IMPORTS().row_errors(source, get_settings().import_summary_max_errors))
        summary["errors"] = [{k: e.get(k) for k in ("row", "event_id", "reason", "details")} for e in errors]
        summary["errors_truncated"] = max(0, int(summary.get("rejected", 0)) - len(errors))
    return summary
