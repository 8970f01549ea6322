"""Compliance searches the disclosure audit by person, client and days, across months (issue 20 §1)."""

from __future__ import annotations

import json

import pytest

from chalicelib import clock

from .test_prospects import PHONE, register

URL = "/v1/audit/reveals/search"
WHY = {"purpose": "follow_up", "reason": "回访前核对号码"}


@pytest.fixture
def reveals(api):
    """cm-001 reveals on 20 Nov and 2 Dec, cm-002 is refused on 20 Nov (another manager's prospect)."""
    with clock.freeze("2026-11-20T10:00:00+08:00"):
        p = register(api)
        url = f"/v1/prospects/{p['prospect_id']}/reveal"
        assert api.post(url, WHY, as_="cm-001")[0] == 200
        assert api.post(url, WHY, as_="cm-002")[0] == 404  # refused, and audited
    with clock.freeze("2026-12-02T09:30:00+08:00"):
        assert api.post(url, WHY, as_="cm-001")[0] == 200
    return p["prospect_id"]


def search(api, query: str, as_: str = "cmp-001"):
    with clock.freeze("2026-12-02T18:00:00+08:00"):
        return api.get(f"{URL}?{query}", as_=as_)


def test_search_by_person_spans_months_newest_first(api, reveals):
    status, body = search(api, "actor_id=cm-001&from=2026-11-01&to=2026-12-02")
    assert status == 200, body
    assert [(r["actor_id"], r["at"][:10]) for r in body["items"]] == [
        ("cm-001", "2026-12-02"),
        ("cm-001", "2026-11-20"),
    ]
    assert body["next_token"] is None
    assert PHONE not in json.dumps(body)


def test_search_by_client_and_by_client_and_person(api, reveals):
    body = search(api, f"subject_kind=prospect&subject_id={reveals}&from=2026-11-01&to=2026-12-02")[1]
    assert sorted((r["actor_id"], r["outcome"]) for r in body["items"]) == [
        ("cm-001", "granted"),
        ("cm-001", "granted"),
        ("cm-002", "refused"),
    ]
    body = search(api, f"subject_kind=prospect&subject_id={reveals}&actor_id=cm-002&from=2026-11-01&to=2026-12-02")[1]
    assert [(r["actor_id"], r["outcome"]) for r in body["items"]] == [("cm-002", "refused")]
    assert search(api, "subject_kind=prospect&subject_id=P-NONE&from=2026-11-01&to=2026-12-02")[1]["items"] == []


def test_search_by_days_pages_across_months(api, reveals):
    status, page1 = search(api, "from=2026-11-01&to=2026-12-02&limit=2")
    assert status == 200 and len(page1["items"]) == 2 and page1["next_token"]
    assert page1["items"][0]["at"][:10] == "2026-12-02"
    status, page2 = search(api, f"from=2026-11-01&to=2026-12-02&limit=2&next_token={page1['next_token']}")
    assert status == 200 and len(page2["items"]) == 1 and page2["next_token"] is None
    ids = [r["audit_id"] for r in page1["items"] + page2["items"]]
    assert len(set(ids)) == 3
    # the range bounds the days: only the 2 December reveal; none in between
    assert [r["at"][:10] for r in search(api, "from=2026-12-01&to=2026-12-02")[1]["items"]] == ["2026-12-02"]
    assert search(api, "from=2026-11-21&to=2026-11-30")[1]["items"] == []
    # default: the last 31 days up to today
    assert len(search(api, "")[1]["items"]) == 3


def test_bad_input_names_the_field(api):
    cases = {
        "from=2026-12-02&to=2026-11-01": "query.from",
        "from=2025-01-01&to=2026-12-02": "query.from",
        "subject_id=P1": "query.subject_kind",
        "subject_kind=account": "query.subject_id",
        "subject_kind=person&subject_id=P1": "query.subject_kind",
        "from=2026-13-01": "query.from",
        "actor_id=a%20b": "query.actor_id",
        "colour=red": "query.colour",
    }
    for query, field in cases.items():
        status, body = search(api, query)
        assert status == 400, (query, body)
        assert body["error"]["details"][0]["field"] == field, (query, body)


def test_only_compliance_and_admin_search(api, reveals):
    assert search(api, "actor_id=cm-001", as_="adm-001")[0] == 200
    for who in ("cm-001", "sup-001", "cba-001"):
        assert search(api, "actor_id=cm-001", as_=who)[0] == 403


def test_records_written_before_the_person_index_are_found_after_the_backfill(api, reveals, capsys):
    """An audit written before the search by person existed has no gsi2 keys: the operator's backfill adds
    them (and only them), once, so a search by staff id finds the older records too."""
    from chalicelib.storage import base
    from schedules.__main__ import main

    older = base.query_all("AUDIT#REVEAL#2026-11")
    for item in older:  # as a deployed table holds them
        base.update(item["pk"], item["sk"], "REMOVE gsi2pk, gsi2sk", return_values="NONE")
    assert search(api, "actor_id=cm-001&from=2026-11-01&to=2026-12-02")[1]["items"][-1]["at"][:10] == "2026-12-02"

    assert main(["audit", "backfill-actor-index", "--from", "2026-10", "--to", "2026-12"]) == 0
    assert "2026-11 2 read, 2 indexed" in capsys.readouterr().out
    status, body = search(api, "actor_id=cm-001&from=2026-11-01&to=2026-12-02")
    assert [r["at"][:10] for r in body["items"]] == ["2026-12-02", "2026-11-20"]
    assert [r["actor_id"] for r in search(api, "actor_id=cm-002&from=2026-11-01&to=2026-12-02")[1]["items"]] == [
        "cm-002"
    ]

    def without_gsi2(item: dict) -> dict:
        return {k: v for k, v in item.items() if not k.startswith("gsi2")}

    after = {i["sk"]: i for i in base.query_all("AUDIT#REVEAL#2026-11")}
    assert [without_gsi2(after[i["sk"]]) for i in older] == [without_gsi2(i) for i in older]
    assert all(after[i["sk"]]["gsi2pk"] == i["gsi2pk"] for i in older)  # the keys the write itself sets

    assert main(["audit", "backfill-actor-index", "--from", "2026-11", "--to", "2026-11"]) == 0
    assert "2026-11 2 read, 0 indexed" in capsys.readouterr().out


def test_the_backfill_refuses_a_month_that_is_not_one():
    from schedules.__main__ import main

    with pytest.raises(SystemExit) as exit_:
        main(["audit", "backfill-actor-index", "--from", "2026-13", "--to", "2026-12"])
    assert exit_.value.code == 2
