"""Operator commands (`python -m schedules admin|branch|backfill|keys`) on moto, as on `make run`."""

from __future__ import annotations

import boto3
import pytest

from chalicelib import clock
from schedules.__main__ import main


def test_bootstrap_creates_the_first_admin_and_branch_once_and_the_admin_can_sign_in(capsys):
    from chalice.test import Client

    from app import app
    from chalicelib.storage import directory
    from tests.conftest import token_for

    assert main(["admin", "bootstrap", "--staff-id", "adm-hq", "--name", "张总", "--branch-id", "br-hq"]) == 1
    assert "branch_name" in capsys.readouterr().err  # an unknown branch needs its name
    argv = [
        "admin",
        "bootstrap",
        "--staff-id",
        "adm-hq",
        "--name",
        "张总",
        "--branch-id",
        "br-hq",
        "--branch-name",
        "总部",
    ]
    assert main(argv) == 0
    first = capsys.readouterr().out
    assert '"staff_created": true' in first and '"branch_created": true' in first
    assert main(argv) == 0, "a rerun is safe"
    assert '"staff_created": false' in capsys.readouterr().out
    assert directory.get_staff("adm-hq")["role"] == "admin" and directory.get_branch("br-hq")["name"] == "总部"
    with Client(app) as client:
        me = client.http.get("/v1/me", headers={"Authorization": f"Bearer {token_for('adm-hq')}"})
    assert me.status_code == 200 and b'"role": "admin"' in me.body.replace(b'":"', b'": "')

    directory.put_staff(
        {
            "staff_id": "cm-9",
            "name": "x",
            "role": "client_manager",
            "branch_id": "br-hq",
            "outlet_ids": [],
            "status": "active",
        }
    )
    assert main(["admin", "bootstrap", "--staff-id", "cm-9", "--name", "x", "--branch-id", "br-hq"]) == 1
    assert "not an active admin" in capsys.readouterr().err


def test_branches_are_created_listed_and_closed_only_when_empty(capsys):
    from chalicelib.storage import directory

    assert main(["branch", "create", "--id", "br-pudong", "--name", "浦东营业部", "--by", "adm-hq"]) == 0
    assert main(["branch", "create", "--id", "br-xuhui", "--name", "徐汇营业部"]) == 0
    assert main(["branch", "create", "--id", "br-xuhui", "--name", "again"]) == 1
    assert "already exists" in capsys.readouterr().err
    directory.put_staff(
        {
            "staff_id": "cm-1",
            "name": "x",
            "role": "client_manager",
            "branch_id": "br-pudong",
            "outlet_ids": [],
            "status": "active",
        }
    )
    assert main(["branch", "close", "--id", "br-pudong"]) == 1
    assert "cm-1" in capsys.readouterr().err
    assert main(["branch", "close", "--id", "br-xuhui", "--by", "adm-hq"]) == 0
    assert main(["branch", "close", "--id", "br-xuhui"]) == 1
    assert main(["branch", "close", "--id", "br-nowhere"]) == 1
    capsys.readouterr()
    assert main(["branch", "list"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert [line.split()[:2] for line in listed] == [["br-pudong", "active"], ["br-xuhui", "closed"]]
    assert directory.get_branch("br-xuhui")["closed_by"] == "adm-hq"


def test_backfill_runs_every_date_of_the_range_and_refuses_bad_ranges(capsys, directory):
    with clock.freeze("2026-11-21T09:00:00+08:00"):
        assert main(["backfill", "callbacks", "--from", "2026-11-17", "--to", "2026-11-19", "--dry-run"]) == 0
        out = capsys.readouterr().out
        assert [line.split()[2] for line in out.splitlines() if line.startswith("== callbacks")] == [
            "2026-11-17",
            "2026-11-18",
            "2026-11-19",
        ]
        assert out.count("DRY RUN") == 3
        assert main(["backfill", "callbacks", "--from", "2026-11-19", "--to", "2026-11-17"]) == 2
        assert main(["backfill", "callbacks", "--from", "2025-01-01", "--to", "2026-11-19"]) == 2
        assert main(["backfill", "release-prospects", "--from", "2026-11-18", "--to", "2026-11-19"]) == 0
        out = capsys.readouterr().out
        assert out.count("== release-prospects") == 2 and '"released": 0' in out
        assert main(["backfill", "penalty-overdue", "--from", "2026-11-19", "--to", "2026-11-19"]) == 0
        assert "== penalty-overdue 2026-11-19 completed" in capsys.readouterr().out
        with pytest.raises(SystemExit):
            main(["backfill", "penalty-overdue", "--from", "2026-11-19", "--to", "2026-11-19", "--dry-run"])


def test_page_token_key_rotates_with_two_keys_valid_at_every_step(capsys, monkeypatch):
    from chalicelib.api import pagination

    sm = boto3.client("secretsmanager", region_name="us-east-1")
    arn = sm.create_secret(Name="fielddesk-page-token", SecretString="old-key")["ARN"]
    monkeypatch.setenv("FIELDDESK_PAGE_TOKEN_KEY_SECRET", arn)

    def value():
        return sm.get_secret_value(SecretId=arn)["SecretString"]

    def mint(secret):
        return pagination._fernet(secret).encrypt(b"page")

    def opens(secret, token):
        return pagination._fernet(secret).decrypt(token) == b"page"

    old_token = mint(value())
    assert main(["keys", "rotate", "page-token"]) == 0
    staged = value()
    old, new = staged.split("\n")
    assert old == "old-key" and len(new) >= 40
    assert opens(staged, old_token) and opens("old-key", mint(staged)), "the old key still signs"
    assert main(["keys", "rotate", "page-token"]) == 1, "one rotation at a time"
    assert main(["keys", "promote", "page-token"]) == 0
    promoted = value()
    assert promoted == f"{new}\nold-key"
    assert opens(promoted, old_token) and opens(staged, mint(promoted)), "a container a step behind opens it"
    assert main(["keys", "retire", "page-token"]) == 0
    assert value() == new
    assert opens(value(), mint(promoted)) and not _opens_safely(pagination, value(), old_token)
    assert "Next: done" in capsys.readouterr().out


def _opens_safely(pagination, secret, token) -> bool:
    from cryptography.fernet import InvalidToken

    try:
        return pagination._fernet(secret).decrypt(token) == b"page"
    except InvalidToken:
        return False


def test_a_page_token_survives_the_rotation_through_the_api(api, monkeypatch):
    """A next_token minted before `rotate` and `promote` still opens the next page after them."""
    from chalicelib.api import pagination
    from chalicelib.errors import ValidationFailed

    secret = {"value": "old-key"}
    monkeypatch.setattr(pagination, "secret_page_token_key", lambda: secret["value"])
    token = pagination.encode({"pk": "a", "sk": "b"}, caller="cm-001", scope="visits")
    secret["value"] = "old-key\nnew-key"
    assert pagination.decode(token, caller="cm-001", scope="visits") == {"pk": "a", "sk": "b"}
    secret["value"] = "new-key\nold-key"
    assert pagination.decode(token, caller="cm-001", scope="visits") == {"pk": "a", "sk": "b"}
    fresh = pagination.encode({"pk": "c", "sk": "d"}, caller="cm-001", scope="visits")
    secret["value"] = "new-key"
    assert pagination.decode(fresh, caller="cm-001", scope="visits") == {"pk": "c", "sk": "d"}
    with pytest.raises(ValidationFailed):
        pagination.decode(token, caller="cm-001", scope="visits")


def test_reconcile_reports_and_repairs_a_drifted_open_task_counter(directory, capsys):
    # issue 14 §4: "an agent's open-task counter drifts (10 -> 4, expected 7)"; the records are the truth.
    import json

    from chalicelib.storage import base, keys
    from tests.factories.tasks import make_account, make_task

    for i in range(3):
        make_account(f"A00{i}")
        make_task("dormant", f"A00{i}", business_date="2026-11-20", assignee_id="cba-001")
    make_task("dormant", "A009", business_date="2026-11-20", assignee_id="cba-001", status="done")
    # The counter is the agent's LOAD item (issue 18), not the staff record.
    base.update(**keys.agent_load("cba-001"), expression="SET open_tasks = :n", values={":n": 10}, return_values="NONE")
    assert main(["reconcile", "open-tasks"]) == 1  # drift found, nothing written
    report = json.loads(capsys.readouterr().out)
    assert [(d["staff_id"], d["counter"], d["open_tasks"]) for d in report["drift"]] == [("cba-001", 10, 3)]
    assert base.get_item(**keys.agent_load("cba-001"))["open_tasks"] == 10
    assert main(["reconcile", "open-tasks", "--repair"]) == 0
    assert json.loads(capsys.readouterr().out)["repaired"] == 1
    assert base.get_item(**keys.agent_load("cba-001"))["open_tasks"] == 3
    assert main(["reconcile", "open-tasks"]) == 0  # nothing left to repair
