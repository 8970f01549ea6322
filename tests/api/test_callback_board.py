"""GET /v1/callback-tasks/board (issue 20 §1): the callback-centre lead's board of open, due-today and
overdue tasks by agent and trigger, and each agent's workload; counts only."""

from __future__ import annotations

import pytest

from chalicelib import clock
from tests.factories.tasks import make_account, make_task

NOW = "2026-11-20T10:00:00+08:00"


@pytest.fixture(autouse=True)
def frozen():
    with clock.freeze(NOW):
        yield


def test_open_tasks_by_holder_and_trigger_with_due_today_and_overdue(api):
    for a in ("B1", "B2", "B3", "B4"):
        make_account(a)
    make_task("new_account", "B1", due_on="2026-11-20", assignee_id="cba-001")  # due today
    make_task("new_account", "B2", business_date="2026-11-18", due_on="2026-11-19", assignee_id="cba-001")  # overdue
    make_task("large_outflow", "B3", due_on="2026-11-23", assignee_id="cba-002", priority=0)
    make_task("dormant", "B4", due_on="2026-11-20", assignee_id=None)  # the queue
    status, board = api.get("/v1/callback-tasks/board", as_="cmp-001")
    assert status == 200, board
    assert board["branch_id"] == "br-pudong" and board["today"] == "2026-11-20"
    rows = {(r["assignee_id"], r["trigger"]): r for r in board["rows"]}
    assert rows[("cba-001", "new_account")] == {
        "assignee_id": "cba-001",
        "name": "陈静",
        "trigger": "new_account",
        "open": 2,
        "due_today": 1,
        "overdue": 1,
    }
    assert rows[("cba-002", "large_outflow")]["open"] == 1 and rows[("cba-002", "large_outflow")]["overdue"] == 0
    assert rows[(None, "dormant")]["open"] == 1 and rows[(None, "dormant")]["due_today"] == 1
    load = {w["assignee_id"]: w for w in board["workload"]}
    assert load["cba-001"]["open"] == 2 and load["cba-002"]["risk"] == 1 and load[None]["open"] == 1
    assert "client_name" not in str(board) and "phone" not in str(board)  # counts only


def test_who_may_read_the_board(api):
    assert api.get("/v1/callback-tasks/board", as_="cba-001")[0] == 200
    assert api.get("/v1/callback-tasks/board", as_="adm-001")[0] == 200
    assert api.get("/v1/callback-tasks/board?branch_id=br-haidian", as_="cmp-001")[0] == 200
    assert api.get("/v1/callback-tasks/board?branch_id=br-haidian", as_="cba-001")[0] == 403
    for who in ("sup-001", "cm-001"):
        assert api.get("/v1/callback-tasks/board", as_=who)[0] == 403
