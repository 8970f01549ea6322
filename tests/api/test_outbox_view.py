"""The outbox's delivery state, for admin and compliance (issue 14 §2): by state, paginated, no payload."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest

from chalicelib import clock

NOW = "2026-11-20T10:00:00+08:00"
SECRET = "张三13812345678"  # stands for personal data in a payload: never shown


@pytest.fixture(autouse=True)
def frozen():
    with clock.freeze(NOW):
        yield


def _record(kind: str, subject: str, at: str) -> str:
    from chalicelib.domain import outbox
    from chalicelib.storage import base

    with clock.freeze(at):
        base.transact([outbox.record_op(kind, subject, {"kind": "test", "record": {"note": SECRET}})])
    return outbox.entry(kind, subject, {})["entry_id"]


def _all_pages(api, query: str, limit: int, as_: str = "adm-001") -> tuple[list[dict], int]:
    items, token, pages = [], None, 0
    while True:
        path = f"/v1/outbox?{query}&limit={limit}" + (f"&next_token={quote(token)}" if token else "")
        status, body = api.get(path, as_=as_)
        assert status == 200, body
        assert SECRET not in json.dumps(body, ensure_ascii=False) and "payload" not in json.dumps(body)
        items.extend(body["items"])
        pages += 1
        token = body["next_token"]
        if not token:
            return items, pages


def test_pending_entries_of_every_shard_come_soonest_due_first_once_each_over_pages(api):
    from chalicelib.storage import keys

    ids = [_record("test.nobody", f"s{n}", f"2026-11-{10 + n:02d}T08:00:00+08:00") for n in range(9)]
    assert len({keys.shard(i, keys.OUTBOX_SHARDS) for i in ids}) > 1, "the entries must spread over shards"
    items, pages = _all_pages(api, "status=pending", limit=2)
    assert [i["entry_id"] for i in items] == ids  # due order across shards, none twice, none lost
    assert pages == 5  # full pages: 2, 2, 2, 2, 1
    assert {i["status"] for i in items} == {"pending"} and items[0]["subject"] == "s0"


def test_a_filtered_list_still_returns_full_pages(api):
    wanted = []
    for n in range(12):
        kind = "escalation" if n % 4 == 0 else "test.nobody"
        entry_id = _record(kind, f"k{n}", f"2026-11-{n + 1:02d}T08:00:00+08:00")
        if kind == "escalation":
            wanted.append(entry_id)
    sizes = []
    items, token = [], None
    while True:
        status, body = api.get(
            "/v1/outbox?status=pending&kind=escalation&limit=2" + (f"&next_token={quote(token)}" if token else ""),
            as_="adm-001",
        )
        assert status == 200, body
        items.extend(body["items"])
        sizes.append(len(body["items"]))
        token = body["next_token"]
        if not token:
            break
    assert [i["entry_id"] for i in items] == wanted and sizes[:-1] == [2] * (len(sizes) - 1)


def test_failing_kind_and_delivered_views_and_one_entry(api):
    from chalicelib.domain import outbox

    failed = _record("test.nobody", "f1", "2026-11-20T09:00:00+08:00")  # no consumer: fails every time
    waiting = _record("test.nobody", "w1", "2026-11-20T09:30:00+08:00")
    delivered = [_record("escalation", f"d{n}", f"2026-11-20T0{n}:00:00+08:00") for n in (1, 2, 3)]
    outbox.deliver(outbox.view(failed))
    for n, entry_id in enumerate(delivered):
        with clock.freeze(f"2026-11-20T09:0{n}:00+08:00"):
            outbox.deliver(outbox.view(entry_id))

    failing, _ = _all_pages(api, "status=failing", limit=5)
    assert [(i["entry_id"], i["attempts"], i["last_error"]) for i in failing] == [(failed, 1, "LookupError")]
    pending, _ = _all_pages(api, "status=pending&kind=test.nobody", limit=5)
    assert {i["entry_id"] for i in pending} == {failed, waiting}
    assert _all_pages(api, "status=pending&kind=escalation", limit=5)[0] == []
    shown, _ = _all_pages(api, "status=delivered", limit=2, as_="cmp-001")  # compliance reads it too
    assert [i["entry_id"] for i in shown] == delivered[::-1]  # newest delivery first
    assert shown[0]["delivered_at"] == "2026-11-20T09:02:00+08:00" and shown[0]["attempts"] == 1
    assert _all_pages(api, "status=delivered&month=2026-10", limit=5)[0] == []
    assert _all_pages(api, "status=delivered&kind=test.nobody", limit=5)[0] == []
    assert len(_all_pages(api, "status=delivered&kind=escalation", limit=1)[0]) == 3

    status, one = api.get(f"/v1/outbox/{failed}", as_="cmp-001")
    assert status == 200 and one["status"] == "pending" and one["last_error"] == "LookupError"
    assert one["due_at"] > NOW and "payload" not in one
    status, body = api.get("/v1/outbox/0123456789abcdef0123456789abcdef", as_="adm-001")
    assert status == 404, body


def test_bad_outbox_queries_are_400_naming_the_field(api):
    for _ in range(3):
        _record("test.nobody", f"x{_}", "2026-11-19T08:00:00+08:00")
    status, body = api.get("/v1/outbox?status=pending&month=2026-11", as_="adm-001")
    assert status == 400 and body["error"]["details"][0]["field"] == "query.month"
    status, body = api.get("/v1/outbox?status=lost", as_="adm-001")
    assert status == 400 and body["error"]["details"][0]["field"] == "query.status"
    status, body = api.get("/v1/outbox?month=2026-13&status=delivered", as_="adm-001")
    assert status == 400 and body["error"]["details"][0]["field"] == "query.month"
    status, page = api.get("/v1/outbox?status=pending&limit=1", as_="adm-001")
    assert status == 200 and page["next_token"]
    status, body = api.get(f"/v1/outbox?status=failing&limit=1&next_token={quote(page['next_token'])}", as_="adm-001")
    assert status == 400 and body["error"]["details"][0]["field"] == "next_token"


def test_operator_lists_and_delivers_the_outbox(api, capsys, monkeypatch):
    from chalicelib.domain import outbox
    from schedules.__main__ import main

    waiting = _record("escalation", "c1", "2026-11-20T08:00:00+08:00")
    stuck = _record("test.nobody", "c2", "2026-11-20T08:30:00+08:00")
    assert main(["outbox", "list"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [i["entry_id"] for i in lines] == [waiting, stuck] and SECRET not in str(lines)
    assert main(["outbox", "list", "--status", "delivered", "--month", "11-2026"]) == 2
    assert "--month" in capsys.readouterr().err

    assert main(["outbox", "deliver"]) == 1  # one delivered, one failed: exit 1
    assert json.loads(capsys.readouterr().out) == {"delivered": 1, "failed": 1, "partial": False}
    assert outbox.view(waiting)["status"] == "delivered"
    assert main(["outbox", "list", "--status", "delivered"]) == 0
    assert [json.loads(line)["entry_id"] for line in capsys.readouterr().out.splitlines()] == [waiting]
    # --id delivers now even though its backoff is not over; the consumer is still missing, so it stays pending
    before = outbox.view(stuck)["attempts"]
    assert main(["outbox", "deliver", "--id", stuck]) == 0
    assert json.loads(capsys.readouterr().out)["attempts"] == before + 1
