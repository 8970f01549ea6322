"""The CSV import's rules on the fakes: every row once or reported, resumed from its cursor, never
completed with a row missing."""

from __future__ import annotations

from chalicelib.domain import account_import
from chalicelib.errors import TooManyRequests
from chalicelib.storage.memory.accounts import MemoryAccountRepository
from tests.factories.accounts import id_number, phone

BUCKET, KEY = "files", "core/day.csv"
HEADER = (
    "event_id,type,account_id,branch_id,client_name,phone,id_number,opened_at,channel,serving_manager_id,"
    "tier,trade_date"
)


def opening(n: int) -> str:
    return (
        f"o-{n},account_opened,ac-{n},br-pudong,李四,{phone(n)},{id_number(n)},"
        "2026-11-19T10:00:00+08:00,counter,cm-001,gold,"
    )


def trade(n: int, day: str = "2026-11-19") -> str:
    return f"t-{n},trade_day,ac-{n},,,,,,,,,{day}"


def put(imports, *rows: str, key: str = KEY):
    return imports.put_file(BUCKET, key, ("\n".join([HEADER, *rows]) + "\n").encode())


def test_a_file_is_imported_once_with_its_bad_rows_reported(imports, repo):
    file = put(imports, opening(1), "x,not_a_type,ac-2", trade(1))
    summary = account_import.import_file(BUCKET, KEY)
    assert (summary["status"], summary["rows"], summary["accepted"], summary["rejected"]) == ("completed", 3, 2, 1)
    assert repo.accounts["ac-1"]["last_trade_on"] == "2026-11-19"
    # A second delivery of the same content finds it finished and applies nothing again.
    again = account_import.import_file(BUCKET, KEY)
    assert again["status"] == "completed" and repo.accounts["ac-1"]["version"] == 2
    shown = account_import.get_import_summary(BUCKET, KEY, file.etag)
    assert [e["row"] for e in shown["errors"]] == [3] and shown["errors_truncated"] == 0


def test_rows_still_refused_transiently_stop_the_cursor_and_the_resume_job_continues_from_it(imports, sealer):
    from chalicelib.domain.account_ports import ACCOUNTS

    class Busy(MemoryAccountRepository):
        busy = True

        def write_event(self, applied):
            if self.busy and applied.account["account_id"] == "ac-3":
                raise TooManyRequests("the database is busy, retry shortly")
            super().write_event(applied)

    put(imports, trade(1), trade(2), trade(3), trade(4))
    with ACCOUNTS.override(Busy()) as repo:
        first = account_import.import_file(BUCKET, KEY)
        assert first["status"] == "incomplete" and first["committed_row"] == 3 and first["resend_rows"] == [4]
        assert not any(a == "ac-3" for a in repo.accounts)
        assert [s["source"] for s in imports.incomplete(10)] == [first["source"]]
        repo.busy = False
        [resumed] = account_import.resume_incomplete()
    assert resumed["status"] == "completed" and resumed["rows"] == 4 and resumed["accepted"] == 4
    # ac-4 was applied by the first run (its row after the cursor): its second application is its own row.
    assert repo.accounts["ac-4"]["version"] == 1 and imports.incomplete(10) == []


def test_an_import_out_of_time_stops_cleanly_and_resumes(imports, repo, monkeypatch):
    monkeypatch.setenv("FIELDDESK_ACCOUNT_FEED_MAX_EVENTS", "1")
    from chalicelib.config import reset_settings

    reset_settings()
    put(imports, trade(1), trade(2), trade(3))
    left = iter([999, 999, 1])  # the third batch finds the deadline near
    first = account_import.import_file(BUCKET, KEY, remaining=lambda: next(left, 1))
    assert first["status"] == "incomplete" and first["stopped"] == "deadline" and first["committed_row"] == 3
    [done] = account_import.resume_incomplete()
    assert done["status"] == "completed" and done["rows"] == 3 and sorted(repo.accounts) == ["ac-1", "ac-2", "ac-3"]


def test_a_file_replaced_under_its_import_is_superseded_and_a_vanished_one_failed(imports, repo):
    first = put(imports, trade(1))
    source = f"{BUCKET}/{KEY}/{first.etag}"
    imports.start(
        source,
        {
            "source": source,
            "bucket": BUCKET,
            "key": KEY,
            "etag": first.etag,
            "status": "importing",
            "started_at": "2026-11-20T01:00:00+08:00",
            "committed_row": 0,
            "rows": 0,
        },
    )
    put(imports, trade(1), trade(2))
    [superseded] = account_import.resume_incomplete()
    assert superseded["status"] == "superseded" and imports.incomplete(10) == [] and repo.accounts == {}
    gone = f"{BUCKET}/core/gone.csv/abc"
    imports.start(
        gone,
        {
            "source": gone,
            "bucket": BUCKET,
            "key": "core/gone.csv",
            "etag": "abc",
            "status": "importing",
            "started_at": "2026-11-20T02:00:00+08:00",
            "committed_row": 0,
        },
    )
    [failed] = account_import.resume_incomplete()
    assert failed["status"] == "failed" and "cannot be read" in failed["reason"]
