"""Fault injection below botocore's retry loop, and a driver that proves nothing is lost or doubled.

`FaultInjector` patches `botocore.endpoint.Endpoint._do_get_response`, the one HTTP attempt inside
botocore's retry loop, for DynamoDB only. Each logical API call (one `_make_api_call`) draws at most
one fault:
- throttle:       one attempt answers ThrottlingException (not applied); botocore retries it;
- applied_500:    the attempt is applied to the table, then answers 500 InternalServerError (the client
                  never sees the success); botocore retries the same request;
- exhausted:      every attempt of the call answers 500 (not applied): the retries run out and the
                  application sees the error.
Backoff sleeps are skipped so the harness runs in seconds.

`run_flows` drives the API the way the phone's queue does: one Idempotency-Key per submission, retried
with that key on 429, 503 and 409 `in_progress` until it succeeds; then it reads the table back and counts
per submission: lost (answered a success or a refusal but not stored), duplicated (stored more than once),
and answers that were neither a success nor a retryable error in the envelope.
"""

from __future__ import annotations

import contextvars
import json
import random
import uuid
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field

RETRYABLE = {429, 503}
_call_fault: contextvars.ContextVar[str | None] = contextvars.ContextVar("fault", default=None)


class _Raw:
    def __init__(self, body: bytes):
        self._body = body

    def stream(self, **_):
        yield self._body


def _error(status: int, code: str, operation_model):
    from botocore.awsrequest import AWSResponse

    body = json.dumps({"__type": f"com.amazonaws.dynamodb.v20120810#{code}", "message": "injected"}).encode()
    headers = {"x-amzn-ErrorType": code, "content-type": "application/x-amz-json-1.0"}
    http = AWSResponse("https://dynamodb.injected", status, headers, _Raw(body))
    parsed = {
        "Error": {"Code": code, "Message": "injected fault"},
        "ResponseMetadata": {"HTTPStatusCode": status, "HTTPHeaders": headers, "RetryAttempts": 0},
    }
    return (http, parsed), None


@dataclass
class FaultInjector:
    rate: float = 0.2
    seed: int = 14
    counts: Counter = field(default_factory=Counter)
    kinds: tuple = ("throttle", "applied_500", "exhausted")

    @contextmanager
    def active(self):
        import botocore.endpoint
        import botocore.retries.bucket
        from botocore.client import BaseClient

        rng = random.Random(self.seed)
        original_send = botocore.endpoint.Endpoint._do_get_response
        original_call = BaseClient._make_api_call
        original_sleep = botocore.retries.bucket.Clock.sleep
        original_acquire = botocore.retries.bucket.TokenBucket.acquire
        injector = self

        class _NoSleep:
            @staticmethod
            def sleep(_seconds):
                return None

            def __getattr__(self, name):
                import time

                return getattr(time, name)

        def make_api_call(client, operation_name, api_params):
            fault = None
            if client.meta.service_model.service_name == "dynamodb" and rng.random() < injector.rate:
                fault = rng.choice(list(injector.kinds))
            token = _call_fault.set(fault)
            try:
                return original_call(client, operation_name, api_params)
            finally:
                _call_fault.reset(token)

        def do_get_response(endpoint, request, operation_model, context):
            fault = _call_fault.get()
            if fault is None or operation_model.service_model.service_name != "dynamodb":
                return original_send(endpoint, request, operation_model, context)
            if fault == "throttle":
                _call_fault.set(None)  # once: the retry goes through
                injector.counts["throttle"] += 1
                return _error(400, "ThrottlingException", operation_model)
            if fault == "applied_500":
                _call_fault.set(None)
                injector.counts["applied_500"] += 1
                original_send(endpoint, request, operation_model, context)  # applied, response lost
                return _error(500, "InternalServerError", operation_model)
            injector.counts["exhausted_attempt"] += 1
            return _error(500, "InternalServerError", operation_model)

        botocore.endpoint.Endpoint._do_get_response = do_get_response
        BaseClient._make_api_call = make_api_call
        botocore.retries.bucket.Clock.sleep = lambda self, amount: None
        # Adaptive mode's client-side rate limiter waits on a condition variable, not Clock.sleep: after a few
        # throttles it held the import's requests ~16 s of an 18 s test. It paces sends; it changes no outcome.
        botocore.retries.bucket.TokenBucket.acquire = lambda self, amount=1, block=True: True
        saved_time = botocore.endpoint.time
        botocore.endpoint.time = _NoSleep()
        try:
            yield self
        finally:
            botocore.endpoint.Endpoint._do_get_response = original_send
            BaseClient._make_api_call = original_call
            botocore.retries.bucket.Clock.sleep = original_sleep
            botocore.retries.bucket.TokenBucket.acquire = original_acquire
            botocore.endpoint.time = saved_time


@dataclass
class TransactionFaults:
    """What DynamoDB answers a busy selection (issue 18): a share of TransactWriteItems cancelled with
    ThrottlingError (botocore does not retry a cancelled transaction: the application must) and a share
    with TransactionConflict (another writer held an item: agent contention); the same shares of the task
    puts (PutItem of a `TASK#` item) answered ProvisionedThroughputExceededException as it reaches the
    application once botocore's retries are spent, or TransactionConflictException (the task's item in
    another writer's transaction). Not applied either way. `refuse(params)` may pick the writes to refuse
    instead of the random share (`params`: the request's, a transaction's or a put's): it returns the
    reason, "" for none, or None to draw at random."""

    throttle: float = 0.05
    conflict: float = 0.05
    seed: int = 18
    refuse: object = None
    counts: Counter = field(default_factory=Counter)
    items: list = field(default_factory=list)  # the keys of every transaction item sent, for assertions
    transactions: list = field(default_factory=list)  # the keys of each transaction sent, one list each
    puts: list = field(default_factory=list)  # the keys of each task put sent

    @contextmanager
    def active(self):
        from botocore.client import BaseClient
        from botocore.exceptions import ClientError

        rng = random.Random(self.seed)
        original = BaseClient._make_api_call
        faults = self

        def refused(api_params) -> str | None:
            chosen = faults.refuse(api_params) if callable(faults.refuse) else None
            draw = rng.random()
            if chosen is None:
                chosen = (
                    "ThrottlingError"
                    if draw < faults.throttle
                    else "TransactionConflict"
                    if draw < faults.throttle + faults.conflict
                    else None
                )
            if chosen:
                faults.counts[chosen] += 1
            return chosen or None

        def make_api_call(client, operation_name, api_params):
            if operation_name == "PutItem" and api_params["Item"]["pk"]["S"].startswith("TASK#"):
                faults.puts.append((api_params["Item"]["pk"]["S"], api_params["Item"]["sk"]["S"]))
                chosen = refused(api_params)
                if chosen:
                    code = {
                        "ThrottlingError": "ProvisionedThroughputExceededException",
                        "TransactionConflict": "TransactionConflictException",
                    }[chosen]
                    raise ClientError({"Error": {"Code": code, "Message": "injected"}}, operation_name)
            if operation_name == "TransactWriteItems":
                entries = api_params.get("TransactItems", [])
                sent = []
                for entry in entries:
                    op = next(iter(entry.values()))
                    key = op.get("Key") or {k: op["Item"][k] for k in ("pk", "sk")}
                    sent.append((key["pk"]["S"], key["sk"]["S"]))
                faults.items.extend(sent)
                faults.transactions.append(sent)
                chosen = refused(api_params)
                if chosen:
                    reasons = [{"Code": "None"}] * len(entries)
                    reasons[0] = {"Code": chosen, "Message": "injected"}
                    raise ClientError(
                        {
                            "Error": {"Code": "TransactionCanceledException", "Message": "injected"},
                            "CancellationReasons": reasons,
                        },
                        operation_name,
                    )
            return original(client, operation_name, api_params)

        BaseClient._make_api_call = make_api_call
        try:
            yield self
        finally:
            BaseClient._make_api_call = original


# --- the flows -----------------------------------------------------------------------------------------------
@dataclass
class Figures:
    submissions: Counter = field(default_factory=Counter)
    answers: Counter = field(default_factory=Counter)
    lost: Counter = field(default_factory=Counter)
    duplicated: Counter = field(default_factory=Counter)
    bad_answers: list = field(default_factory=list)
    gave_up: Counter = field(default_factory=Counter)

    def line(self, flow: str) -> str:
        return (
            f"{flow:<18} submissions {self.submissions[flow]:>4}  lost {self.lost[flow]}  "
            f"duplicated {self.duplicated[flow]}  gave up {self.gave_up[flow]}"
        )


def _submit(api, figures: Figures, flow: str, method: str, path: str, body: dict, as_: str, tries: int = 25):
    """One submission, retried with its key as the phone's queue does. Returns the final (status, json)."""
    key = f"harness-{uuid.uuid4().hex}"
    figures.submissions[flow] += 1
    status, data = None, None
    for _ in range(tries):
        status, data = api.call(method, path, body, as_=as_, headers={"Idempotency-Key": key})
        figures.answers[status] += 1
        envelope_ok = isinstance(data, dict) and ("error" not in data or "code" in data["error"])
        retryable = status in RETRYABLE or (
            status == 409 and (data or {}).get("error", {}).get("code") == "in_progress"
        )
        if status < 300:
            return status, data
        if not envelope_ok or not retryable:
            figures.bad_answers.append((flow, status, (data or {}).get("error", {}).get("code")))
            return status, data
        if status in RETRYABLE and "Retry-After" not in api.last.headers:
            figures.bad_answers.append((flow, status, "no Retry-After"))
    figures.gave_up[flow] += 1
    return status, data


def _read_back(faults: FaultInjector, fn):
    """Read without faults: the check must not itself be disturbed."""
    saved, faults.rate = faults.rate, 0.0
    try:
        return fn()
    finally:
        faults.rate = saved


def run_flows(api, faults: FaultInjector, size: int) -> Figures:
    from chalicelib.storage import base

    figures = Figures()
    with faults.active():
        # Visits: each submission carries a unique marker in `outcome`.
        visit_markers = []
        for i in range(size):
            marker = f"harness-visit-{i}"
            body = {
                "kind": "on_site",
                "visited_at": "2026-11-20T10:00:00+08:00",
                "unit_name": "某公司",
                "person_met": "李总",
                "discussed": "两融",
                "outcome": marker,
                "clients_count": 1,
            }
            status, _ = _submit(api, figures, "visits", "POST", "/v1/visits", body, as_="cm-001")
            visit_markers.append((marker, status))
        # Penalties: a unique evidence note each.
        penalty_markers = []
        for i in range(size):
            marker = f"harness-penalty-{i}"
            body = {"manager_id": "cm-001", "rule_code": "DRESS", "breach_date": "2026-11-18", "evidence_note": marker}
            status, _ = _submit(api, figures, "penalties", "POST", "/v1/penalties", body, as_="sup-001")
            penalty_markers.append((marker, status))
        # Prospects: one person (a unique phone) each; a retry must not be a collision with itself.
        prospect_phones = []
        for i in range(size):
            phone = f"1391{i:07d}"
            body = {
                "name": "王五",
                "phone": phone,
                "class": "A",
                "source": "own_network",
                "first_contact_on": "2026-11-19",
                "need": "基金",
                "note": "harness",
            }
            status, data = _submit(api, figures, "prospects", "POST", "/v1/prospects", body, as_="cm-001")
            prospect_phones.append((phone, status, data))

        # Callback attempts: one task each (seeded without faults), one unanswered attempt on it.
        from tests.factories.tasks import make_account, make_task

        def seed():
            return [make_task(account_id=make_account(f"HA{i:04d}")["account_id"])["task_id"] for i in range(size)]

        task_ids = _read_back(faults, seed)
        attempt_answers = []
        for task_id in task_ids:
            body = {"channel": "phone", "reached": False, "reason": "no_answer"}
            status, _ = _submit(
                api, figures, "attempts", "POST", f"/v1/callback-tasks/{task_id}/attempts", body, as_="cba-001"
            )
            attempt_answers.append((task_id, status))

        # Task claims: one queued task each (seeded without faults), claimed once; the agent's load counts it
        # once (the claim's own transaction), however often the claim is retried.
        def seed_queue():
            from chalicelib.storage import callback_work as work_repo

            queued = [
                make_task("dormant", make_account(f"HQ{i:04d}")["account_id"], assignee_id=None)["task_id"]
                for i in range(size)
            ]
            return queued, work_repo.agent_loads(["cba-001"]).get("cba-001", 0)

        queued_ids, load_before = _read_back(faults, seed_queue)
        claim_answers = []
        for task_id in queued_ids:
            status, _ = _submit(
                api, figures, "claims", "POST", f"/v1/callback-tasks/{task_id}/claim", None, as_="cba-001"
            )
            claim_answers.append((task_id, status))

    def count_back():
        from chalicelib.storage import callback_work as work_repo

        claimed = 0
        for task_id, status in claim_answers:
            held = (work_repo.get_task(task_id) or {}).get("assignee_id") == "cba-001"
            claimed += held
            _tally(figures, "claims", int(held), status)
        extra_load = work_repo.agent_loads(["cba-001"]).get("cba-001", 0) - load_before - claimed
        figures.duplicated["claims"] += max(extra_load, 0)  # a claim counted twice in the agent's load
        figures.lost["claims"] += max(-extra_load, 0)  # a claim the load never counted

        for task_id, status in attempt_answers:
            _task, attempts, _ = work_repo.task_with_history(task_id)
            _tally(figures, "attempts", len(attempts), status)
        visits = [i for i in base.query_all("STAFF#cm-001#VISITS", index="gsi1")]
        by_marker = Counter(v.get("outcome") for v in visits)
        for marker, status in visit_markers:
            _tally(figures, "visits", by_marker[marker], status)
        penalties = base.query_all("STAFF#cm-001#PENALTIES", index="gsi1")
        by_note = Counter(p.get("evidence_note") for p in penalties)
        for marker, status in penalty_markers:
            _tally(figures, "penalties", by_note[marker], status)
        from chalicelib.storage import prospects as prospect_repo

        for phone, status, _data in prospect_phones:
            from chalicelib.models.pii import normalise_mobile

            claim = prospect_repo.get_claim(prospect_repo.PHONE, prospect_repo.phone_hash(normalise_mobile(phone)))
            stored = 1 if claim else 0
            collisions = prospect_repo.collisions_of(claim["prospect_id"]) if claim else []
            _tally(figures, "prospects", stored + len(collisions), status)

    _read_back(faults, count_back)
    return figures


def _tally(figures: Figures, flow: str, stored: int, status: int | None) -> None:
    if stored > 1:
        figures.duplicated[flow] += 1
    if stored == 0 and status is not None and status < 300:
        figures.lost[flow] += 1


# --- the core system's CSV file ----------------------------------------------------------------------------
IMPORT_HEADER = (
    "event_id,type,account_id,branch_id,client_name,phone,id_number,opened_at,channel,serving_manager_id,"
    "tier,trade_date,amount,balance_before,at,closed_at,reason"
)


@dataclass
class ImportFigures:
    rows: int = 0
    deliveries: int = 0
    failed_deliveries: int = 0
    status: str | None = None
    lost: int = 0  # a row whose event is not stored, or an account short of its events
    duplicated: int = 0  # an account whose version counts more events than the file has for it
    summary: dict = field(default_factory=dict)

    def line(self) -> str:
        return (
            f"{'import':<18} rows {self.rows:>5}  lost {self.lost}  duplicated {self.duplicated}  "
            f"deliveries {self.deliveries} ({self.failed_deliveries} failed)  {self.status}"
        )


def run_import_flow(faults: FaultInjector, accounts: int, transfers: int, max_deliveries: int = 40) -> ImportFigures:
    """One file (an opening and `transfers` transfers in per account) delivered to `import_account_file`
    until its summary says completed (a failed delivery is retried, as EventBridge and the resume job
    do); then read back: every row's event stored once, every account's version = its events."""
    import functools

    import boto3
    import chalice.test
    from chalice.local import LambdaContext
    from chalice.test import Client

    from app import app
    from chalicelib.storage import base, keys
    from tests.factories.accounts import id_number, phone

    bucket, key = "fielddesk-account-files", "core/harness.csv"
    ids = [f"hi-{i:04d}" for i in range(accounts)]
    rows = [
        f"o-{a},account_opened,{a},br-pudong,李四,{phone(i + 1)},{id_number(i + 1)},2026-11-19T10:00:00+08:00,"
        "counter,cm-001,gold,,,,,,"
        for i, a in enumerate(ids)
    ]
    rows += [
        f"x-{a}-{n},transfer_in,{a},,,,,,,,,,100.00,1000.00,2026-11-19T{10 + n:02d}:00:00+08:00,,"
        for n in range(1, transfers + 1)
        for a in ids
    ]

    def seed():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket=bucket)
        s3.put_object(Bucket=bucket, Key=key, Body=(IMPORT_HEADER + "\n" + "\n".join(rows) + "\n").encode())

    _read_back(faults, seed)
    figures = ImportFigures(rows=len(rows))
    event = {"detail": {"bucket": {"name": bucket}, "object": {"key": key}}}
    saved = chalice.test.LambdaContext
    chalice.test.LambdaContext = functools.partial(LambdaContext, max_runtime_ms=900_000)
    try:
        with faults.active(), Client(app) as client:
            while figures.status != "completed" and figures.deliveries < max_deliveries:
                figures.deliveries += 1
                try:
                    figures.status = client.lambda_.invoke("import_account_file", event).payload["status"]
                except Exception:  # the function failed (a progress write out of retries): delivered again
                    figures.failed_deliveries += 1
                    figures.status = None
    finally:
        chalice.test.LambdaContext = saved

    def count_back():
        for row in rows:
            if not base.get_item(**keys.account_event(row.split(",")[0]), consistent=True):
                figures.lost += 1
        for a in ids:
            version = int((base.get_item(**keys.account(a), consistent=True) or {}).get("version", 0))
            figures.lost += version < transfers + 1
            figures.duplicated += version > transfers + 1
        from chalicelib.domain import account_import

        etag = boto3.client("s3", region_name="us-east-1").head_object(Bucket=bucket, Key=key)["ETag"]
        figures.summary = account_import.get_import_summary(bucket, key, etag)

    _read_back(faults, count_back)
    return figures
