"""Operator commands behind `python -m schedules admin|branch|backfill|keys|outbox` (docs/operations.md).

They run from an operator's machine with the stack's settings in the environment (see "Run a job
for a date") and call the same domain code as the API; nothing here is deployed.
"""

from __future__ import annotations

import json
import secrets
import sys
from datetime import date, timedelta

MAX_BACKFILL_DAYS = 366
KEY_SECRETS = {
    "page-token": ("FIELDDESK_PAGE_TOKEN_KEY_SECRET", "page_token_key_secret"),
    "hash-key": ("FIELDDESK_HASH_KEY_SECRET", "hash_key_secret"),
}
# What comes after each step, per key. The hash key re-hashes the stored claims before the old key goes.
NEXT = {
    "page-token": {
        "rotate": "in 5 minutes: python -m schedules keys promote page-token",
        "promote": "after 24 hours: python -m schedules keys retire page-token",
        "retire": "done",
    },
    "hash-key": {
        "rotate": "in 5 minutes: python -m schedules keys promote hash-key",
        "promote": "python -m schedules keys rehash hash-key (resumable; rerun until completed)",
        "rehash": "python -m schedules keys retire hash-key",
        "retire": "done",
    },
}


def _print(value) -> None:
    print(json.dumps(value, ensure_ascii=False, indent=1, default=str))


def admin_bootstrap(args) -> int:
    from chalicelib.domain import directory

    result = directory.bootstrap_admin(args.staff_id, args.name, args.branch_id, branch_name=args.branch_name)
    _print(result)
    print(
        f"next: give {args.staff_id} a sign-in at the identity provider with the claim "
        f"{_claim()} = {args.staff_id} (docs/operations.md, Identity provider)",
        file=sys.stderr,
    )
    return 0


def _claim() -> str:
    from chalicelib.config import get_settings

    return get_settings().jwt_staff_id_claim


def branch(args) -> int:
    from chalicelib.domain import directory

    if args.action == "create":
        if not args.name:
            print("branch create needs --name", file=sys.stderr)
            return 2
        _print(directory.create_branch(args.id, args.name, by=args.by))
    elif args.action == "close":
        _print(directory.close_branch(args.id, by=args.by))
    else:
        for b in directory.list_branches():
            print(f"{b['branch_id']:<24} {b.get('status', 'active'):<8} {b.get('name', '')}")
    return 0


def backfill(args, jobs) -> int:
    """Runs a job for each business date from --from to --to. A date that does not complete (or fails) does
    not block the later ones (issue 18); they are listed at the end to run again, and the exit code is 1."""
    job = jobs[args.job]
    if args.to < args.start:
        print("--to is before --from", file=sys.stderr)
        return 2
    days = (args.to - args.start).days + 1
    if days > MAX_BACKFILL_DAYS:
        print(f"{days} days: at most {MAX_BACKFILL_DAYS} per backfill", file=sys.stderr)
        return 2
    left = []
    for n in range(days):
        day: date = args.start + timedelta(days=n)
        try:
            result = job.run(day, args.dry_run)
        except Exception as err:  # noqa: BLE001 - one date's error is reported, the next dates still run
            print(f"== {job.name} {day} failed: {type(err).__name__}")
            left.append(day)
            continue
        status = getattr(result, "status", "completed")
        print(f"== {job.name} {day} {status}")
        for line in job.render(result):
            print(line)
        if status != "completed":
            left.append(day)
    if left:
        print("not completed: " + ", ".join(str(d) for d in left) + " (run each again: it resumes)", file=sys.stderr)
        return 1
    return 0


def keys(args, client=None) -> int:
    """Rotation with no failed page and no missed lookup: two keys valid at every step.

    page-token: `rotate` adds a new key as the second line (opens tokens, signs none), so containers
    that still hold the old value (cached up to 5 minutes) and those with the new one accept each
    other's tokens. `promote` (after 5 minutes): the new key signs, the old one still opens. `retire`
    (after 24 hours, when every token the old key signed has expired): only the new key is left.

    hash-key: the same steps, and while two keys are valid every claim is written and looked up under
    both (pii.lookup_hashes). `promote` makes the new key the one stored hashes are written with;
    `rehash` (storage/rehash.py) claims every stored prospect under it, resumable and idempotent;
    `retire` refuses until the rehash of the writer key has completed.
    """
    import os

    from chalicelib.config import get_settings

    if args.key == "field-key":
        return _field_key(args, client)
    env, setting = KEY_SECRETS[args.key]
    secret_id = args.secret_id or os.environ.get(env) or getattr(get_settings(), setting)
    if not secret_id:
        print(f"set {env} to the secret's ARN (the functions' environment)", file=sys.stderr)
        return 2
    if client is None:
        import boto3

        client = boto3.client("secretsmanager")
    current = [k.strip() for k in client.get_secret_value(SecretId=secret_id)["SecretString"].splitlines() if k.strip()]
    if args.action == "rehash":
        return _rehash(args, current)
    if args.action == "status":
        status = {
            "key": args.key,
            "keys_valid": len(current),
            "step": "rotation under way" if len(current) > 1 else "one key",
        }
        if args.key == "hash-key":
            from chalicelib.storage import pii, rehash

            status["writer_key_id"] = pii.key_id(current[0])
            status["rehash"] = {
                k: v for k, v in rehash.progress(status["writer_key_id"]).items() if k != "partitions_done"
            }
        _print(status)
        return 0
    then = NEXT[args.key][args.action]
    if args.action == "rotate":
        if len(current) > 1:
            print("a rotation is under way (two keys): promote or retire first", file=sys.stderr)
            return 1
        value = [current[0], secrets.token_urlsafe(48)]
    elif args.action == "promote":
        if len(current) < 2:
            print("nothing to promote: rotate first", file=sys.stderr)
            return 1
        value = [current[1], current[0]]
    else:
        if len(current) < 2:
            print("nothing to retire: the secret holds one key", file=sys.stderr)
            return 0
        if args.key == "hash-key":
            from chalicelib.storage import pii, rehash

            done = rehash.progress(pii.key_id(current[0]))
            if not done["completed"]:
                print(
                    f"the stored claims are not all hashed with the writer key {done['writer_key_id']} yet: "
                    "run python -m schedules keys rehash hash-key until it completes",
                    file=sys.stderr,
                )
                return 1
        value = current[:1]
    client.put_secret_value(SecretId=secret_id, SecretString="\n".join(value))
    print(
        f"{args.key}: {args.action} done, {len(value)} key(s) valid; containers read the secret within "
        f"5 minutes. Next: {then}"
    )
    return 0


def _field_key(args, client=None) -> int:
    """The field (sealing) key is the stack's KMS key. KMS keeps every older key material, so a rotation
    never needs a re-encryption and every sealed value keeps opening: `rotate` asks KMS for an on-demand
    rotation (it also rotates yearly: EnableKeyRotation in the stack); containers take a data key under the
    new material within an hour (storage/pii.DATA_KEY_MAX_SECONDS). `status` shows the rotations."""
    from chalicelib.config import get_settings

    key_id = args.secret_id or get_settings().kms_key_id
    if args.action not in ("rotate", "status"):
        print(
            "the field key is a KMS key: KMS keeps the old key material, so there is nothing to promote, "
            "rehash or retire (docs/operations.md, Rotate secrets)",
            file=sys.stderr,
        )
        return 2
    if not key_id:
        print(
            "set FIELDDESK_KMS_KEY_ID to the stack's key (a local stage seals with a local key: nothing to " "rotate)",
            file=sys.stderr,
        )
        return 2
    if client is None:
        import boto3

        client = boto3.client("kms")
    if args.action == "rotate":
        client.rotate_key_on_demand(KeyId=key_id)
    rotations = client.list_key_rotations(KeyId=key_id).get("Rotations", [])
    _print(
        {
            "key": "field-key",
            "kms_key_id": key_id,
            "automatic_rotation": client.get_key_rotation_status(KeyId=key_id).get("KeyRotationEnabled"),
            "rotations": [{"at": r.get("RotationDate"), "type": r.get("RotationType")} for r in rotations],
        }
    )
    if args.action == "rotate":
        print(
            "field-key: rotated. Every sealed value still opens; containers seal under the new key material "
            "within an hour. Next: done"
        )
    return 0


def _rehash(args, current: list[str]) -> int:
    if args.key != "hash-key":
        print("rehash is for the hash key (page tokens expire by themselves)", file=sys.stderr)
        return 2
    if len(current) < 2:
        print("no rotation under way: rotate and promote first", file=sys.stderr)
        return 1
    from chalicelib.storage import rehash

    result = rehash.rehash(
        current[0],
        max_seconds=args.max_seconds,
        on_partition=lambda p, counts: print(f"{p}: {json.dumps(counts)}", file=sys.stderr),
    )
    _print({k: v for k, v in result.items() if k != "partitions_done"} | {"partitions": len(result["partitions_done"])})
    if not result["completed"]:
        print("stopped before the end: rerun to resume", file=sys.stderr)
        return 1
    print(f"hash-key: rehash completed. Next: {NEXT['hash-key']['rehash']}")
    return 0


def outbox(args) -> int:
    """`list`: entries with their delivery state (never the payload); `deliver`: the due ones now (the
    sweep's work, for when an operator fixed what made them fail), or one entry by `--id` whatever its due time."""
    from chalicelib.domain import outbox as box
    from chalicelib.errors import DomainError
    from chalicelib.models.outbox import OutboxEntryOut

    try:
        if args.action == "deliver":
            if args.entry_id:
                _print(OutboxEntryOut.model_validate(box.deliver_entry(args.entry_id)).model_dump(mode="json"))
                return 0
            result = box.deliver_due()
            _print(result)
            return 0 if not result["failed"] and not result["partial"] else 1
        if args.limit < 1:
            print("--limit must be at least 1", file=sys.stderr)
            return 2
        from pydantic import ValidationError

        from chalicelib.models.outbox import OutboxQuery

        try:  # the API's own checks of kind and month
            OutboxQuery(status=args.status, kind=args.kind, month=args.month)
        except ValidationError as err:
            print("; ".join(f"--{e['loc'][0]}: {e['msg']}" for e in err.errors()), file=sys.stderr)
            return 2
        shown, start = 0, None
        while shown < args.limit:
            page = box.list_entries(
                args.status, kind=args.kind, month=args.month, limit=min(100, args.limit - shown), start_key=start
            )
            for record in page.items:
                print(json.dumps(OutboxEntryOut.model_validate(record).model_dump(mode="json"), ensure_ascii=False))
            shown += len(page.items)
            start = page.last_key
            if not start:
                break
    except DomainError as err:
        print(f"refused: {err.message}", file=sys.stderr)
        return 1
    return 0
