"""Operator runner: `python -m schedules list`,
`python -m schedules run callbacks --date 2026-11-20 [--dry-run]`,
`python -m schedules backfill callbacks --from 2026-11-01 --to 2026-11-20 [--dry-run]`,
`python -m schedules admin bootstrap ...`, `branch create|list|close`,
`keys rotate|promote|retire page-token`, `keys rotate|promote|rehash|retire hash-key`,
`outbox list|deliver`, `reconcile <counter> [--repair]`
(docs/operations.md, "Operator commands").

Runs against whatever DYNAMODB_ENDPOINT_URL / AWS credentials the shell has.
Re-running a date is safe: it creates only what is missing.
"""

from __future__ import annotations

import argparse
import re
import sys
from datetime import date

from .catalogue import JOBS

KEY_NAMES = ("page-token", "hash-key", "field-key")  # schedules/operator.KEY_SECRETS, and the KMS key


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date YYYY-MM-DD") from None


def _month(text: str) -> str:
    if not re.fullmatch(r"(19|20|21)\d{2}-(0[1-9]|1[0-2])", text):
        raise argparse.ArgumentTypeError(f"{text!r} is not a month YYYY-MM")
    return text


def main(argv: list[str] | None = None) -> int:
    from chalicelib.wiring import install

    install()  # bind every domain port to its DynamoDB adapter
    parser = argparse.ArgumentParser(prog="python -m schedules", description="Run FieldDesk jobs by hand.")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="list the jobs")
    run = sub.add_parser("run", help="run one job for one business date")
    run.add_argument("job", choices=sorted(JOBS))
    run.add_argument("--date", required=True, type=_date, help="business date YYYY-MM-DD (Asia/Shanghai)")
    run.add_argument("--dry-run", action="store_true", help="count what would be done; write nothing")
    snap = sub.add_parser("sample-snapshot", help="(re)compute a year-end denominator of the 10%% sample")
    snap.add_argument("--year", required=True, type=int, help="the year whose year-end is counted, e.g. 2025")
    snap.add_argument("--by", default="operator", help="who recomputes it (recorded on the snapshot)")
    cal = sub.add_parser("calendar", help="show or publish a year's working-day calendar")
    cal.add_argument("action", choices=["show", "publish"])
    cal.add_argument("--year", required=True, type=int)
    cal.add_argument("--file", help='publish: JSON {"holidays": [...], "makeup_workdays": [...], "note": "..."}')
    cal.add_argument("--by", default="operator", help="who publishes it (recorded on the version)")
    back = sub.add_parser("backfill", help="run one job for every business date of a range")
    back.add_argument("job", choices=sorted(JOBS))
    back.add_argument("--from", dest="start", required=True, type=_date, help="first business date YYYY-MM-DD")
    back.add_argument("--to", required=True, type=_date, help="last business date YYYY-MM-DD (included)")
    back.add_argument("--dry-run", action="store_true", help="count what would be done; write nothing")
    adm = sub.add_parser("admin", help="create the first admin (and their branch)")
    adm.add_argument("action", choices=["bootstrap"])
    adm.add_argument("--staff-id", required=True, help="the admin's FieldDesk staff id (the IdP's staff-id claim)")
    adm.add_argument("--name", required=True)
    adm.add_argument("--branch-id", required=True, help="the admin's branch (head office)")
    adm.add_argument("--branch-name", help="creates the branch when it does not exist yet")
    br = sub.add_parser("branch", help="create, list or close branches")
    br.add_argument("action", choices=["create", "list", "close"])
    br.add_argument("--id", help="branch id, e.g. br-pudong (create, close)")
    br.add_argument("--name", help="create: the branch's name, e.g. 浦东营业部")
    br.add_argument("--by", default="operator", help="who does it (recorded)")
    ks = sub.add_parser("keys", help="rotate a key with two keys valid during the rotation")
    ks.add_argument(
        "action",
        choices=["rotate", "promote", "rehash", "retire", "status"],
        help="rotate: add a new key (field-key: a KMS on-demand rotation); promote: the new key writes; "
        "rehash (hash-key): claim the stored numbers under it; retire: drop the old key; "
        "status: where a rotation stands",
    )
    ks.add_argument("key", choices=sorted(KEY_NAMES))
    ks.add_argument(
        "--secret-id",
        help="the secret's ARN (default: FIELDDESK_PAGE_TOKEN_KEY_SECRET or "
        "FIELDDESK_HASH_KEY_SECRET); field-key: the KMS key (FIELDDESK_KMS_KEY_ID)",
    )
    ks.add_argument("--max-seconds", type=float, help="rehash: stop cleanly after this long (rerun resumes)")
    rec = sub.add_parser("reconcile", help="check counters against the records they count (--repair fixes)")
    rec.add_argument("counter", choices=["open-tasks", "outlet-key-slots", "reveal-budget", "all"])
    rec.add_argument("--date", type=_date, help="reveal-budget: the business date (default: today, Asia/Shanghai)")
    rec.add_argument("--repair", action="store_true", help="set drifted counters from the records")
    box = sub.add_parser("outbox", help="list outbox entries by delivery state, or deliver the due ones now")
    box.add_argument("action", choices=["list", "deliver"])
    box.add_argument(
        "--status",
        choices=["pending", "failing", "delivered"],
        default="pending",
        help="list: pending/failing soonest due first, delivered newest first",
    )
    box.add_argument("--kind", help="list: only this kind, e.g. escalation")
    box.add_argument("--month", help="list --status delivered: month of delivery YYYY-MM (default this month)")
    box.add_argument("--limit", type=int, default=50, help="list: at most this many entries")
    box.add_argument("--id", dest="entry_id", help="deliver: this entry now, due or not")
    requeue = sub.add_parser(
        "requeue-tasks",
        help="bring open tasks due in a date range to the current index "
        "layout: queue order (issue 13 item 8), sharded due key, no copied call windows "
        "(issue 18); idempotent, resume an interrupted run with --from the last day printed",
    )
    requeue.add_argument("--from", dest="first", required=True, type=_date)
    requeue.add_argument("--to", dest="last", required=True, type=_date)
    aud = sub.add_parser(
        "audit",
        help="backfill-actor-index: index reveal records written before the search by person existed "
        "(idempotent; rerun to resume)",
    )
    aud.add_argument("action", choices=["backfill-actor-index"])
    aud.add_argument("--from", dest="first", required=True, type=_month, help="first month, YYYY-MM")
    aud.add_argument("--to", dest="last", required=True, type=_month, help="last month, YYYY-MM")
    args = parser.parse_args(argv)
    if args.command == "audit":
        from chalicelib.storage import audit

        month, total = args.first, 0
        while month <= args.last:
            read, indexed = audit.backfill_actor_index(month)
            total += indexed
            print(f"{month} {read} read, {indexed} indexed", flush=True)
            year, m = int(month[:4]), int(month[5:])
            month = f"{year + m // 12:04d}-{m % 12 + 1:02d}"
        print(f"{total} reveal records indexed by person")
        return 0
    if args.command == "requeue-tasks":
        from datetime import timedelta

        from chalicelib.storage import tasks

        day, total = args.first, 0
        while day <= args.last:
            done = tasks.requeue_open_tasks_due_on(day.isoformat())
            total += done
            print(f"{day} {done} rewritten", flush=True)
            day += timedelta(days=1)
        print(f"{total} open tasks requeued")
        return 0
    if args.command == "reconcile":
        return _reconcile(args)
    if args.command == "outbox":
        from . import operator

        return operator.outbox(args)
    if args.command in ("admin", "branch", "backfill", "keys"):
        return _operator(args)
    if args.command == "calendar":
        return _calendar(args)
    if args.command == "sample-snapshot":
        from chalicelib.domain import sample

        for branch_id, clients in sample.take_snapshot(args.year, by=args.by).items():
            print(f"{branch_id:<24} {clients:>9} clients at {args.year}-12-31")
        return 0
    if args.command == "list":
        for job in JOBS.values():
            print(f"{job.name:<12} {job.schedule}\n{'':<12} {job.description}")
        return 0
    job = JOBS[args.job]
    result = job.run(args.date, args.dry_run)
    for line in job.render(result):
        print(line)
    return 0 if getattr(result, "status", "completed") == "completed" else 1


def _operator(args) -> int:
    from chalicelib.errors import DomainError

    from . import operator

    if args.command == "branch" and args.action in ("create", "close") and not args.id:
        print(f"branch {args.action} needs --id", file=sys.stderr)
        return 2
    try:
        if args.command == "admin":
            return operator.admin_bootstrap(args)
        if args.command == "branch":
            return operator.branch(args)
        if args.command == "backfill":
            return operator.backfill(args, JOBS)
        return operator.keys(args)
    except DomainError as err:
        print(f"refused: {err.message}", file=sys.stderr)
        return 1


def _reconcile(args) -> int:
    """Exit 1 when drift was found and left (without --repair), or a repair was refused (the counter moved)."""
    import json

    from chalicelib import clock
    from chalicelib.domain import reconcile

    today = clock.today()
    day = (args.date or today).isoformat()
    checks = {
        "open-tasks": lambda: reconcile.open_task_counters(repair=args.repair),
        "outlet-key-slots": lambda: reconcile.outlet_key_slots(repair=args.repair),
        "reveal-budget": lambda: reconcile.reveal_budget(day, repair=args.repair),
    }
    names = reconcile.COUNTERS if args.counter == "all" else (args.counter,)
    reports = [checks[name]() for name in names]
    print(json.dumps(reports[0] if len(reports) == 1 else reports, ensure_ascii=False, indent=1))
    left = sum(len(r["drift"]) - (r["repaired"] if args.repair else 0) for r in reports)
    return 0 if not left else 1


def _calendar(args) -> int:
    import json

    from chalicelib.domain import calendar
    from chalicelib.errors import DomainError
    from chalicelib.models.calendar import CalendarIn

    try:
        if args.action == "show":
            result = calendar.view(args.year)
        else:
            if not args.file:
                print("calendar publish needs --file", file=sys.stderr)
                return 2
            with open(args.file, encoding="utf-8") as handle:
                body = CalendarIn.model_validate(json.load(handle))
            result = calendar.publish(args.year, body.holidays, body.makeup_workdays, body.note, args.by)
    except DomainError as err:
        print(f"refused: {err.message}", file=sys.stderr)
        return 1
    print(json.dumps(result, ensure_ascii=False, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
