"""The job catalogue: what operators can run from their own machine.

Each entry names a job, says when it runs in production, and how to run it for
one business date. schedules/ may import chalicelib; chalicelib never imports
schedules.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Callable


@dataclass(frozen=True)
class Job:
    name: str
    schedule: str
    description: str
    run: Callable[[date, bool], object]
    render: Callable[[object], list[str]]


def _run_callbacks(day: date, dry_run: bool):
    from chalicelib.domain import selection_job

    if dry_run:
        return selection_job.run_date(day, dry_run=True)
    return selection_job.run_and_advance(day)


def _render_callbacks(result) -> list[str]:
    from chalicelib.domain import selection_job

    lines = list(selection_job.summary_lines(result))
    if result.mode == "dry_run":
        lines.insert(0, "DRY RUN: nothing was written; 'created' means would be created")
    return lines


JOBS: dict[str, Job] = {
    "callbacks": Job(
        name="callbacks",
        schedule="cron(0 18 * * ? *) = 02:00 Asia/Shanghai, for the business date before",
        description="daily callback selection: new, dormant, large outflow, closed, departed manager, periodic",
        run=_run_callbacks, render=_render_callbacks),
}
