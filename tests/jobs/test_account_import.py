"""The core system's daily CSV file, from the S3 event and the resume schedule (issue 14 item 3).

Given a file in the account-files bucket, when EventBridge delivers its Object Created event (and the
resume job runs), then every row is applied exactly once or reported, whatever the encoding, the
deadline or the database's transient failures.
"""

from __future__ import annotations

import logging

import boto3
import pytest

from chalicelib import clock
from chalicelib.storage import base, keys
from tests.factories.accounts import id_number, phone

BUCKET = "fielddesk-account-files"
HEADER = (
    "event_id,type,account_id,branch_id,client_name,phone,id_number,opened_at,channel,serving_manager_id,"
    "tier,trade_date,amount,balance_before,at,closed_at,reason"
)


@pytest.fixture(autouse=True)
def setting(monkeypatch, lambda_15_minutes):
    monkeypatch.setenv("FIELDDESK_IMPORT_RETRY_BASE_SECONDS", "0")
    from chalicelib.config import reset_settings

    reset_settings()
    with clock.freeze("2026-11-20T10:00:00+08:00"):
        yield
    reset_settings()


@pytest.fixture
def s3():
    client = boto3.client("s3", region_name="us-east-1")
    client.create_bucket(Bucket=BUCKET)
    client.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
    return client


def opening(n: int, account: str, name: str = "李四") -> str:
    return (
        f"o-{account},account_opened,{account},br-pudong,{name},{phone(n)},{id_number(n)},"
        "2026-11-19T10:00:00+08:00,counter,cm-001,gold,,,,,,"
    )


def trade(account: str, day: str, n: int) -> str:
    return f"t-{account}-{n},trade_day,{account},,,,,,,,,{day},,,,,"


def transfer(account: str, n: int, amount: str = "100.00") -> str:
    return f"x-{account}-{n},transfer_in,{account},,,,,,,,,,{amount},1000.00,2026-11-19T1{n % 10}:00:00+08:00,,"


def put_file(s3, key: str, rows: list[str], encoding: str = "utf-8", bom: bool = False) -> dict:
    body = (HEADER + "\n" + "\n".join(rows) + "\n").encode(encoding)
    s3.put_object(Bucket=BUCKET, Key=key, Body=(b"\xef\xbb\xbf" if bom else b"") + body)
    return {
        "version": "0",
        "source": "aws.s3",
        "detail-type": "Object Created",
        "detail": {"bucket": {"name": BUCKET}, "object": {"key": key, "size": len(body)}},
    }


def deliver(event: dict) -> dict:
    from chalice.test import Client

    from app import app

    with Client(app) as client:
        return client.lambda_.invoke("import_account_file", event).payload


def resume() -> dict:
    from chalice.test import Client

    from app import app

    with Client(app) as client:
        event = client.events.generate_cw_event(
            source="aws.events", detail_type="Scheduled Event", detail={}, resources=[]
        )
        return client.lambda_.invoke("resume_account_imports", event).payload


def summary_of(api, s3, key: str) -> dict:
    etag = s3.head_object(Bucket=BUCKET, Key=key)["ETag"].strip('"')
    status, body = api.get(f"/v1/account-imports?bucket={BUCKET}&key={key}&etag={etag}", as_="adm-001")
    assert status == 200, body
    return body


def account(account_id: str) -> dict:
    return base.get_item(**keys.account(account_id), consistent=True) or {}


# --- encodings ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("encoding,bom", [("utf-8", True), ("utf-8", False), ("gbk", False), ("gb18030", False)])
def test_each_encoding_the_core_system_writes_is_read_with_its_chinese_names(api, s3, encoding, bom):
    event = put_file(
        s3, "core/enc.csv", [opening(1, "ac-1", "欧阳娜娜"), trade("ac-1", "2026-11-19", 1)], encoding, bom
    )
    result = deliver(event)
    assert (result["status"], result["accepted"], result["rejected"]) == ("completed", 2, 0)
    assert account("ac-1")["client_name"] == "欧阳娜娜"


def test_a_row_that_cannot_be_decoded_is_reported_and_the_rest_imported(api, s3):
    good = [opening(1, "ac-1", "王五"), trade("ac-1", "2026-11-19", 1)]
    body = (
        (HEADER + "\n" + good[0] + "\n").encode("gbk")
        + b"t-x,trade_day,ac-1,\xff\xfe\xff,,,\n"
        + (good[1] + "\n").encode("gbk")
    )
    s3.put_object(Bucket=BUCKET, Key="core/broken.csv", Body=body)
    result = deliver({"detail": {"bucket": {"name": BUCKET}, "object": {"key": "core/broken.csv"}}})
    assert (result["status"], result["rows"], result["accepted"], result["rejected"]) == ("completed", 3, 2, 1)
    summary = summary_of(api, s3, "core/broken.csv")
    assert summary["encoding"] == "gb18030"
    assert [(e["row"], e["details"][0]["field"]) for e in summary["errors"]] == [(3, "row")]
    assert account("ac-1")["client_name"] == "王五" and account("ac-1")["last_trade_on"] == "2026-11-19"


def test_a_row_with_more_cells_than_the_header_is_refused_not_misread(api, s3):
    event = put_file(s3, "core/cells.csv", [opening(1, "ac-1"), trade("ac-1", "2026-11-19", 1) + ",extra,cells"])
    result = deliver(event)
    assert (result["accepted"], result["rejected"]) == (1, 1)


# --- many bad rows ------------------------------------------------------------------------------------------
def test_a_file_of_thousands_of_bad_rows_keeps_every_item_small_and_lists_the_first_ones(api, s3, monkeypatch):
    rows = [f"bad-{i},trade_day,ac-{i},,,,,,,,,2026-13-{i % 90:02d},,,,," for i in range(3000)]
    event = put_file(s3, "core/bad.csv", rows)
    result = deliver(event)
    assert (result["status"], result["rows"], result["rejected"]) == ("completed", 3000, 3000)
    etag = s3.head_object(Bucket=BUCKET, Key="core/bad.csv")["ETag"].strip('"')
    item = base.get_item(**keys.import_summary(f"{BUCKET}/core/bad.csv/{etag}"), consistent=True)
    assert len(str(item)) < 4_000, "the summary item grows with the bad rows"
    summary = summary_of(api, s3, "core/bad.csv")
    assert len(summary["errors"]) == 200 and summary["errors_truncated"] == 2800
    assert summary["errors"][0]["row"] == 2 and summary["errors"][0]["details"][0]["field"] == "trade_date"


# --- transient failures ---------------------------------------------------------------------------------------
def test_a_row_still_refused_after_the_retries_leaves_the_file_incomplete_and_resumable(api, s3, monkeypatch):
    from chalicelib.errors import TooManyRequests
    from chalicelib.storage import accounts as repo

    monkeypatch.setenv("FIELDDESK_ACCOUNT_FEED_MAX_EVENTS", "3")
    from chalicelib.config import reset_settings

    reset_settings()
    real, calls = repo.write_event, []

    def busy(record, *args):
        if record["account_id"] == "ac-2":
            calls.append(record["event_id"])
            raise TooManyRequests("the database is busy, retry shortly")
        return real(record, *args)

    monkeypatch.setattr(repo, "write_event", busy)
    rows = [
        opening(1, "ac-1"),
        trade("ac-1", "2026-11-18", 1),
        trade("ac-1", "2026-11-19", 2),
        opening(2, "ac-2"),
        trade("ac-1", "2026-11-20", 3),
        opening(3, "ac-3"),
    ]
    event = put_file(s3, "core/busy.csv", rows)
    first = deliver(event)
    assert first["status"] == "incomplete" and first["committed_row"] == 4  # header + 3 rows; row 5 failed
    assert len(calls) == 5  # the first try and 4 retries with backoff
    assert (first["rows"], first["accepted"]) == (3, 3)
    assert summary_of(api, s3, "core/busy.csv")["resend_rows"] == [5]

    # Re-delivered while still busy: still incomplete, never completed with the row missing.
    assert deliver(event)["status"] == "incomplete"
    # The database recovers: the resume job finishes the file from its cursor.
    monkeypatch.setattr(repo, "write_event", real)
    resumed = resume()["resumed"]
    assert [r["status"] for r in resumed] == ["completed"]
    summary = summary_of(api, s3, "core/busy.csv")
    assert (summary["rows"], summary["accepted"], summary["duplicate"], summary["rejected"]) == (6, 6, 0, 0)
    assert account("ac-2")["status"] == "open" and account("ac-3")["status"] == "open"
    assert account("ac-1")["last_trade_on"] == "2026-11-20" and account("ac-1")["version"] == 4
    assert resume()["resumed"] == []  # out of the index once completed


# --- the deadline -----------------------------------------------------------------------------------------------
class Clocked:
    """A Lambda context whose remaining time drops by `step` seconds at every look."""

    def __init__(self, start: float, step: float):
        self.left, self.step = start, step

    def get_remaining_time_in_millis(self):
        self.left -= self.step
        return int(self.left * 1000)


def test_the_import_stops_before_the_deadline_and_resumes_from_its_last_committed_row(api, s3, monkeypatch):
    import chalice.test

    from chalicelib.domain import accounts as domain

    monkeypatch.setenv("FIELDDESK_ACCOUNT_FEED_MAX_EVENTS", "2")
    from chalicelib.config import reset_settings

    reset_settings()
    seen_rows = []
    real_ingest = domain.ingest
    monkeypatch.setattr(
        domain,
        "ingest",
        lambda events, source="api", rows=None: (seen_rows.extend(rows or []), real_ingest(events, source, rows))[1],
    )
    rows = [opening(1, "ac-1")] + [transfer("ac-1", i) for i in range(1, 8)]
    event = put_file(s3, "core/long.csv", rows)
    # 90 s left, 10 s per look before each batch, a 60 s margin: three batches (6 rows) before it stops.
    monkeypatch.setattr(chalice.test, "LambdaContext", lambda *a, **kw: Clocked(90, 10))
    first = deliver(event)
    assert first["status"] == "incomplete" and first["committed_row"] == 7 and first["rows"] == 6
    assert account("ac-1")["version"] == 6
    seen_rows.clear()
    monkeypatch.setattr(chalice.test, "LambdaContext", lambda *a, **kw: Clocked(900, 1))
    assert resume()["resumed"][0]["status"] == "completed"
    assert min(seen_rows) == 8, "the resumed run began before the last committed row"
    summary = summary_of(api, s3, "core/long.csv")
    assert (summary["rows"], summary["accepted"], summary["duplicate"]) == (8, 8, 0)
    assert account("ac-1")["version"] == 8  # every row applied once


# --- the same event through the API and the file ------------------------------------------------------------
def test_an_event_received_through_the_api_and_then_the_file_is_a_duplicate_not_a_conflict(api, s3):
    events = [
        {
            "type": "account_opened",
            "event_id": "o-ac-1",
            "account_id": "ac-1",
            "branch_id": "br-pudong",
            "client_name": "李四",
            "phone": phone(1),
            "id_number": id_number(1),
            "opened_at": "2026-11-19T02:00:00Z",
            "serving_manager_id": "cm-001",
            "tier": "gold",
        },
        {
            "type": "transfer_in",
            "event_id": "x-ac-1-1",
            "account_id": "ac-1",
            "amount": 100,
            "balance_before": "1000",
            "at": "2026-11-19T03:00:00+00:00",
        },
    ]
    status, body = api.post("/v1/account-events", {"events": events}, as_="sys-001")
    assert status == 200 and body["accepted"] == 2, body
    result = deliver(put_file(s3, "core/both.csv", [opening(1, "ac-1"), transfer("ac-1", 1)]))
    assert (result["duplicate"], result["rejected"]) == (2, 0), result
    assert account("ac-1")["version"] == 2


def test_the_event_record_keeps_the_event_body_with_the_phone_and_id_sealed(api, s3):
    deliver(put_file(s3, "core/body.csv", [opening(7, "ac-7"), transfer("ac-7", 1)]))
    record = base.get_item(**keys.account_event("o-ac-7"), consistent=True)
    body = record["payload"]
    assert body["client_name"] == "李四" and body["opened_at"] == "2026-11-19T02:00:00+00:00"
    assert body["phone_sealed"] and "phone" not in body and "id_number" not in body
    assert phone(7) not in str(record) and id_number(7) not in str(record)
    assert base.get_item(**keys.account_event("x-ac-7-1"), consistent=True)["payload"]["amount"] == "100"


# --- under injected faults ------------------------------------------------------------------------------------
def test_under_injected_faults_no_row_is_lost_or_applied_twice(api, monkeypatch):
    from tests.fault_harness import FaultInjector, run_import_flow

    monkeypatch.setenv("FIELDDESK_ACCOUNT_FEED_MAX_EVENTS", "5")
    from chalicelib.config import reset_settings

    reset_settings()
    faults = FaultInjector(rate=0.2, seed=7)
    logging.disable(logging.CRITICAL)
    try:
        figures = run_import_flow(faults, accounts=6, transfers=3)
    finally:
        logging.disable(logging.NOTSET)
    assert figures.status == "completed", figures
    assert faults.counts["applied_500"] and faults.counts["throttle"] and faults.counts["exhausted_attempt"]
    assert (figures.lost, figures.duplicated) == (0, 0), figures
    summary = figures.summary
    assert (summary["rows"], summary["accepted"], summary["duplicate"], summary["rejected"]) == (24, 24, 0, 0)


def test_an_incomplete_import_whose_file_is_gone_leaves_the_resume_job_marked_failed(api, s3, monkeypatch):
    import chalice.test

    monkeypatch.setenv("FIELDDESK_ACCOUNT_FEED_MAX_EVENTS", "1")
    from chalicelib.config import reset_settings

    reset_settings()
    event = put_file(s3, "core/gone.csv", [opening(1, "ac-1"), trade("ac-1", "2026-11-19", 1)])
    monkeypatch.setattr(chalice.test, "LambdaContext", lambda *a, **kw: Clocked(75, 10))
    assert deliver(event)["status"] == "incomplete"
    for v in s3.list_object_versions(Bucket=BUCKET, Prefix="core/gone.csv")["Versions"]:
        s3.delete_object(Bucket=BUCKET, Key="core/gone.csv", VersionId=v["VersionId"])
    monkeypatch.setattr(chalice.test, "LambdaContext", lambda *a, **kw: Clocked(900, 1))
    assert [r["status"] for r in resume()["resumed"]] == ["failed"]
    assert resume()["resumed"] == []


# --- a quoted cell with a line break ------------------------------------------------------------------------------
def test_a_quoted_cell_with_a_line_break_is_one_row_in_every_encoding_and_a_quote_left_open_is_refused():
    from chalicelib.domain.account_csv import MAX_LINES_PER_ROW, parse_row, rows

    header = HEADER.split(",")
    for encoding in ("utf-8", "gbk", "gb18030"):
        body = (
            HEADER
            + "\r\n"
            + opening(1, "ac-1", '"欧阳娜娜\r\n(曾用名 欧阳娜)"')
            + "\r\n\r\n"
            + trade("ac-1", "2026-11-19", 1)
            + "\r\n"
        ).encode(encoding)
        found = rows(body, encoding if encoding == "utf-8" else "gb18030")
        assert [n for n, _ in found] == [1, 2, 5]  # numbered by the line a row starts on
        event, error = parse_row(header, found[1][1])
        assert error is None and event["client_name"] == "欧阳娜娜\n(曾用名 欧阳娜)"
    # An undecodable row with a line break in a cell is still one row, and the next row is read.
    body = (
        (HEADER + "\n").encode()
        + b'x-1,trade_day,"ac\xff\n1",,,,,,,,,2026-11-19,,,,,\n'
        + (trade("ac-1", "2026-11-19", 2) + "\n").encode()
    )
    assert [(n, t is None) for n, t in rows(body, "utf-8")] == [(1, False), (2, True), (4, False)]
    # A quote never closed takes its own line only: the rows after it are read, it is refused.
    body = (
        HEADER
        + "\n"
        + opening(1, "ac-1", '"未闭合')
        + "\n"
        + "\n".join(trade("ac-1", "2026-11-19", n) for n in range(MAX_LINES_PER_ROW + 2))
        + "\n"
    ).encode()
    found = rows(body, "utf-8")
    assert len(found) == 1 + 1 + MAX_LINES_PER_ROW + 2
    assert parse_row(header, found[1][1])[1]["reason"] == "row: the row is not valid CSV"
    assert parse_row(header, found[2][1])[1] is None


def test_an_import_resumed_from_its_cursor_reads_a_row_with_a_line_break_whole(api, s3, monkeypatch):
    from chalicelib.domain import accounts as domain
    from chalicelib.errors import TooManyRequests
    from chalicelib.storage import accounts as repo

    monkeypatch.setenv("FIELDDESK_ACCOUNT_FEED_MAX_EVENTS", "2")
    from chalicelib.config import reset_settings

    reset_settings()
    real, seen_rows = repo.write_event, []

    def busy(record, *args):
        if record["account_id"] == "ac-3":
            raise TooManyRequests("the database is busy, retry shortly")
        return real(record, *args)

    real_ingest = domain.ingest
    monkeypatch.setattr(
        domain,
        "ingest",
        lambda events, source="api", rows=None: (seen_rows.extend(rows or []), real_ingest(events, source, rows))[1],
    )
    monkeypatch.setattr(repo, "write_event", busy)
    rows = [
        opening(1, "ac-1"),  # line 2
        opening(2, "ac-2", '"王\n五"'),  # lines 3-4
        trade("ac-2", "2026-11-19", 1),  # line 5
        opening(3, "ac-3", '"赵\n\n六"'),  # lines 6-8 (a blank line inside the cell)
        trade("ac-3", "2026-11-19", 2),
    ]  # line 9
    event = put_file(s3, "core/multiline.csv", rows)
    first = deliver(event)
    assert first["status"] == "incomplete" and first["committed_row"] == 5 and first["rows"] == 3
    assert summary_of(api, s3, "core/multiline.csv")["resend_rows"] == [6]
    assert account("ac-2")["client_name"] == "王\n五"

    seen_rows.clear()
    monkeypatch.setattr(repo, "write_event", real)
    assert [r["status"] for r in resume()["resumed"]] == ["completed"]
    assert seen_rows == [6, 9], "the resumed run split the row with the line break or began elsewhere"
    summary = summary_of(api, s3, "core/multiline.csv")
    assert (summary["rows"], summary["accepted"], summary["duplicate"], summary["rejected"]) == (5, 5, 0, 0)
    assert account("ac-3")["client_name"] == "赵\n\n六" and account("ac-3")["last_trade_on"] == "2026-11-19"
