"""The daily prospects job raises a new prospect not contacted within 3 days (000 第四篇) to the supervisor:
once, through the outbox with its flag, ids only; the operator runs the same job for a date."""

from __future__ import annotations

import json

import pytest

from chalicelib import clock
from chalicelib.storage import base
from chalicelib.storage import problems as problem_repo
from chalicelib.storage import prospects as repo

REGISTERED = "2026-11-20T10:00:00+08:00"


def register(api, phone, as_="cm-001"):
    body = {
        "name": "钱七",
        "phone": phone,
        "class": "A",
        "source": "own_network",
        "first_contact_on": "2026-11-20",
        "need": "了解港股通",
    }
    with clock.freeze(REGISTERED):
        status, out = api.post("/v1/prospects", body, as_=as_)
    assert status == 201, out
    return out["prospect_id"]


@pytest.fixture
def alerts(monkeypatch):
    sent = []
    original = problem_repo.notify_escalation
    monkeypatch.setattr(
        problem_repo, "notify_escalation", lambda kind, rec: (sent.append((kind, rec)), original(kind, rec))
    )
    return sent


def invoke(day: str) -> dict:
    from chalice.test import Client

    from app import app

    with Client(app) as client, clock.freeze(f"{day}T01:00:00+08:00"):
        return client.lambda_.invoke(
            "release_lapsed_prospects",
            client.events.generate_cw_event(
                source="aws.events", detail_type="Scheduled Event", detail={}, resources=[]
            ),
        ).payload


def test_an_uncontacted_prospect_reaches_the_supervisor_once_and_a_contacted_one_never(api, alerts):
    late = register(api, "13600000011")
    contacted = register(api, "13600000012")
    with clock.freeze("2026-11-23T16:00:00+08:00"):
        status, _ = api.post(
            f"/v1/prospects/{contacted}/follow-ups", {"channel": "phone", "summary": "已电话联系"}, as_="cm-001"
        )
        assert status == 201
    assert invoke("2026-11-23")["first_contacts"]["escalated"] == 0  # due 11-23: not yet overdue
    assert alerts == []
    out = invoke("2026-11-24")
    assert out["first_contacts"] == {"from": "2026-11-23", "through": "2026-11-23", "escalated": 1}
    ((kind, record),) = alerts
    assert kind == "prospect_first_contact_overdue" and record["prospect_id"] == late
    assert record["audience"] == ["supervisor"] and record["owner_id"] == "cm-001"
    assert record["branch_id"] == "br-pudong" and record["first_contact_due"] == "2026-11-23"
    assert "钱七" not in json.dumps(record) and "13600000011" not in json.dumps(record)
    stored = repo.get_prospect(late)
    assert stored["first_contact_escalated_for"] == "2026-11-23"
    assert "gsi5pk" not in base.get_item(f"PROSPECT#{late}", "PROFILE")  # out of the due bucket
    assert invoke("2026-11-24")["first_contacts"]["escalated"] == 0 and len(alerts) == 1
    # The prospect's own view still says the first contact is overdue.
    status, view = api.get(f"/v1/prospects/{late}", as_="cm-001")
    assert status == 200 and view["first_contact_escalated_for"] == "2026-11-23"


def test_the_operator_runs_the_job_for_a_date(api, alerts, capsys):
    from schedules.__main__ import main

    late = register(api, "13600000013")
    with clock.freeze("2026-12-01T09:00:00+08:00"):
        assert main(["run", "first-contacts", "--date", "2026-11-23"]) == 0
    assert late in capsys.readouterr().out and [r["prospect_id"] for _, r in alerts] == [late]
