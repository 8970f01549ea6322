"""The job catalogue: what operators can run from their own machine.

Each entry names a job, says when it runs in production, and how to run it for
one business date. schedules/ may import chalicelib; chalicelib never imports
schedules.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Job:
    name: str
    schedule: str
    description: str
    run: Callable[[date, bool], object]
    render: Callable[[object], list[str]]


def _run_callbacks(day: date, dry_run: bool):
    from chalicelib.domain import selection_job
    from chalicelib.storage.clients import job_retries

    with job_retries():  # throttles resent after 50 ms, not 1 s
        if dry_run:
            return selection_job.run_date(day, dry_run=True)
        return selection_job.run_and_advance(day)


def _render_callbacks(result) -> list[str]:
    from chalicelib.domain import selection_job

    lines = list(selection_job.summary_lines(result))
    if result.mode == "dry_run":
        lines.insert(0, "DRY RUN: nothing was written; 'created' means would be created")
    return lines


def _no_dry_run(name: str):
    def refuse():
        raise SystemExit(f"{name} has no dry run: it only acts on what fell due, and records its watermark")

    return refuse


def _run_release(day: date, dry_run: bool):
    """Claims whose protection ended on `day` (and any missed day before it) go to the branch pools."""
    from datetime import timedelta

    from chalicelib.domain.prospects import pool
    from chalicelib.wiring import prospects

    if dry_run:
        _no_dry_run("release-prospects")()
    return pool.release_lapsed(prospects.deps(), today=day + timedelta(days=1))


def _run_first_contacts(day: date, dry_run: bool):
    """New prospects whose first contact fell due on `day` (and any missed day before it) with no follow-up
    are escalated to the supervisor (000 第四篇)."""
    from datetime import timedelta

    from chalicelib.domain.prospects import first_contact
    from chalicelib.wiring import prospects

    if dry_run:
        _no_dry_run("first-contacts")()
    return first_contact.escalate_overdue(prospects.deps(), today=day + timedelta(days=1))


def _run_penalty_overdue(day: date, dry_run: bool):
    """Open cash penalties whose settlement day was `day` (and any missed day before it) are flagged."""
    from datetime import timedelta

    from chalicelib.domain import penalties

    if dry_run:
        _no_dry_run("penalty-overdue")()
    return penalties.sweep_overdue(run_date=day + timedelta(days=1))


def _render_dict(result) -> list[str]:
    import json

    return [json.dumps(result, ensure_ascii=False, default=str)]


JOBS: dict[str, Job] = {
    "callbacks": Job(
        name="callbacks",
        schedule="cron(0 18 * * ? *) = 02:00 Asia/Shanghai, for the business date before",
        description="daily callback selection: new, dormant, large outflow, closed, departed manager, periodic",
        run=_run_callbacks,
        render=_render_callbacks,
    ),
    "release-prospects": Job(
        name="release-prospects",
        schedule="cron(0 17 * * ? *) = 01:00 Asia/Shanghai, for the day before",
        description="release lapsed prospect claims to the branch pool (公海); watermarked, so a day runs once",
        run=_run_release,
        render=_render_dict,
    ),
    "first-contacts": Job(
        name="first-contacts",
        schedule="with release-prospects: cron(0 17 * * ? *) = 01:00 Asia/Shanghai, for the day before",
        description="escalate new prospects not contacted within 3 days (000 第四篇) to the supervisor; watermarked",
        run=_run_first_contacts,
        render=_render_dict,
    ),
    "penalty-overdue": Job(
        name="penalty-overdue",
        schedule="cron(10 17 * * ? *) = 01:10 Asia/Shanghai, for the day before",
        description="flag open cash penalties whose settlement day has passed; watermarked",
        run=_run_penalty_overdue,
        render=_render_dict,
    ),
}
