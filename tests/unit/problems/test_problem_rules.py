"""Problem-item rules on the in-memory repository (issue 17 §1): transitions, branch scoping, SLA sweep reads."""

from __future__ import annotations

import pytest

from chalicelib.auth import Principal
from chalicelib.domain import problems
from chalicelib.domain.problems_ports import PROBLEMS, ProblemChanged
from chalicelib.errors import Conflict, Forbidden, NotFound, Unprocessable, ValidationFailed
from chalicelib.models.problems import TransitionIn
from chalicelib.storage.memory.problems import MemoryProblemRepository

COMPLIANCE = Principal(kind="staff", id="cmp-1", role="compliance", branch_id="hq")
SUPERVISOR = Principal(kind="staff", id="sup-1", role="supervisor", branch_id="br-other")


@pytest.fixture
def repo():
    with PROBLEMS.override(MemoryProblemRepository()) as fake:
        yield fake


def stored(repo, **kw) -> dict:
    record = problems.new_record(
        branch_id="br-pudong",
        category="suitability",
        cause="c",
        responsible_department="d",
        severity="normal",
        description="x",
        source="compliance",
        created_by="cmp-1",
        **kw,
    )
    repo.create(record)
    return record


def test_transitions_follow_the_table_and_resolution_needs_a_note(repo):
    pid = stored(repo)["problem_id"]
    with pytest.raises(Unprocessable):
        problems.transition(COMPLIANCE, pid, TransitionIn(to="verified"))
    problems.transition(COMPLIANCE, pid, TransitionIn(to="in_progress"))
    with pytest.raises(ValidationFailed):
        problems.transition(COMPLIANCE, pid, TransitionIn(to="resolved"))
    done = problems.transition(COMPLIANCE, pid, TransitionIn(to="resolved", note="fixed"))
    assert done["resolved_by"] == "cmp-1" and repo.get(pid)["status"] == "resolved"
    assert [h["to"] for h in repo.get(pid)["history"]] == ["open", "in_progress", "resolved"]


def test_verification_without_an_account_is_refused_and_writes_nothing(repo):
    pid = stored(repo)["problem_id"]
    with pytest.raises(ValidationFailed):
        problems.transition(COMPLIANCE, pid, TransitionIn(to="resolved", note="n", verify_with_client=True))
    assert repo.get(pid)["status"] == "open" and repo.tasks == []


def test_a_concurrent_move_is_a_409_and_writes_no_callback(repo, monkeypatch):
    pid = stored(repo, account_id="acc-1")["problem_id"]
    real_get = repo.get

    def stale_then_moved(problem_id):
        seen = real_get(problem_id)
        repo.items[problem_id]["status"] = "in_progress"  # another compliance officer moved it meanwhile
        return seen

    monkeypatch.setattr(repo, "get", stale_then_moved)
    with pytest.raises(ProblemChanged) as err:
        problems.transition(COMPLIANCE, pid, TransitionIn(to="resolved", note="n", verify_with_client=True))
    assert isinstance(err.value, Conflict) and repo.tasks == []


def test_only_oversight_moves_and_supervisors_read_their_branch_only(repo):
    pid = stored(repo)["problem_id"]
    with pytest.raises(Forbidden):
        problems.transition(SUPERVISOR, pid, TransitionIn(to="in_progress"))
    with pytest.raises(NotFound):
        problems.read(SUPERVISOR, pid)
    assert problems.read(COMPLIANCE, pid)["problem_id"] == pid
