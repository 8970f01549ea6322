"""An in-memory DynamoDB for the replay benchmark (issue 18 §5): no moto, no network.

`Engine.attach(client)` registers a botocore `before-send` handler (first, ahead of anything else)
that answers the serialized request with an `AWSResponse`, so the job runs through the whole SDK
(parameter validation, serialization, signing, retries, parsing) as it does on AWS. The engine
understands what the selection job asks (GetItem, BatchGetItem, Query on the table and its GSIs,
PutItem, UpdateItem, TransactWriteItems, BatchWriteItem with the expressions it uses) and raises
`Unsupported` on anything else: a replay that silently answered something it does not understand
would measure nothing.

Per request it advances the calling stream's virtual clock by `latency` (bench/replay.py), may
inject a fault (throttling, a transaction conflict), and bills capacity from the real item sizes
with the rules of bench/capacity_meter.py: ceil(size / 1 KB) WCU on the larger image, the same for
every GSI the item enters, stays in or leaves (twice when its key changes), transactions 2x;
ceil(size / 4 KB) RCU per item read or per Query on what it evaluated, at least 1, half when
eventually consistent (every GSI read), misses included.
"""

from __future__ import annotations

import bisect
import json
import random
import re
import threading
from collections import Counter, defaultdict
from collections.abc import Callable
from decimal import Decimal

from bench.capacity_meter import item_size, rcu, wcu

INDEXES = tuple(f"gsi{i}" for i in range(1, 7))
PAGE_BYTES = 1024 * 1024  # a Query page stops at 1 MB of items evaluated
PREFIX = "com.amazonaws.dynamodb.v20120810#"


class Unsupported(NotImplementedError):
    """A request (or an expression) the replay engine does not model."""


class Refused(Exception):
    def __init__(self, code: str, message: str = "", **extra):
        super().__init__(code)
        self.code, self.message, self.extra = code, message or code, extra


# --- expressions -------------------------------------------------------------------
_TOKEN = re.compile(r"\s*(<=|>=|<>|[=<>(),+\-]|[#:]?[A-Za-z_][A-Za-z0-9_]*|\S)")
KEYWORDS = {"AND", "OR", "NOT", "BETWEEN", "SET", "REMOVE", "ADD", "DELETE"}


def tokens(text: str) -> list[str]:
    out = _TOKEN.findall(text)
    if "".join(out).replace(" ", "") != re.sub(r"\s", "", text):
        raise Unsupported(f"expression not understood: {text!r}")
    for t in out:
        if t in (".", "[", "]") or not re.fullmatch(r"<=|>=|<>|[=<>(),+\-]|[#:]?\w+", t):
            raise Unsupported(f"token {t!r} in {text!r} (nested paths are not modelled)")
    return out


class _Parser:
    def __init__(self, text: str, names: dict, values: dict):
        self.t, self.i, self.names, self.values, self.text = tokens(text), 0, names or {}, values or {}, text

    def peek(self) -> str | None:
        return self.t[self.i] if self.i < len(self.t) else None

    def kw(self, word: str) -> bool:
        if (self.peek() or "").upper() == word:
            self.i += 1
            return True
        return False

    def take(self, expected: str | None = None) -> str:
        tok = self.peek()
        if tok is None or (expected is not None and tok != expected):
            raise Unsupported(f"expected {expected!r} at {tok!r} in {self.text!r}")
        self.i += 1
        return tok

    def path(self) -> str:
        tok = self.take()
        if tok.startswith("#"):
            return self.names[tok]
        if tok.startswith(":") or tok.upper() in KEYWORDS:
            raise Unsupported(f"a path expected at {tok!r} in {self.text!r}")
        return tok

    # operands: ("path", name) | ("value", typed) | ("fn", name, args)
    def operand(self):
        tok = self.peek() or ""
        if tok.startswith(":"):
            self.i += 1
            return ("value", self.values[tok])
        if self.i + 1 < len(self.t) and self.t[self.i + 1] == "(" and not tok.startswith("#"):
            self.i += 2
            args = [self.operand()]
            while self.peek() == ",":
                self.i += 1
                args.append(self.operand())
            self.take(")")
            return ("fn", tok, args)
        return ("path", self.path())

    # conditions
    def condition(self):
        node = self.conj()
        while self.kw("OR"):
            node = ("or", node, self.conj())
        return node

    def conj(self):
        node = self.neg()
        while self.kw("AND"):
            node = ("and", node, self.neg())
        return node

    def neg(self):
        if self.kw("NOT"):
            return ("not", self.neg())
        if self.peek() == "(":
            self.i += 1
            node = self.condition()
            self.take(")")
            return node
        left = self.operand()
        if left[0] == "fn":
            return left
        if self.kw("BETWEEN"):
            low = self.operand()
            if not self.kw("AND"):
                raise Unsupported(f"BETWEEN without AND in {self.text!r}")
            return ("between", left, low, self.operand())
        op = self.take()
        if op not in ("=", "<>", "<", "<=", ">", ">="):
            raise Unsupported(f"comparator {op!r} in {self.text!r}")
        return ("cmp", op, left, self.operand())

    def done(self):
        if self.peek() is not None:
            raise Unsupported(f"trailing {self.peek()!r} in {self.text!r}")


def _plain(typed: dict):
    ((kind, v),) = typed.items()
    if kind == "N":
        return ("N", Decimal(v))
    if kind in ("S", "B", "BOOL", "NULL"):
        return (kind, v)
    return (kind, json.dumps(v, sort_keys=True))


def _value(item: dict, node):
    kind = node[0]
    if kind == "value":
        return node[1]
    if kind == "path":
        return item.get(node[1])
    name, args = node[1], node[2]
    if name == "if_not_exists":
        current = _value(item, args[0])
        return current if current is not None else _value(item, args[1])
    if name == "list_append":
        a, b = _value(item, args[0]), _value(item, args[1])
        return {"L": list(a["L"]) + list(b["L"])}
    raise Unsupported(f"function {name} as a value")


def evaluate(node, item: dict) -> bool:
    kind = node[0]
    if kind == "or":
        return evaluate(node[1], item) or evaluate(node[2], item)
    if kind == "and":
        return evaluate(node[1], item) and evaluate(node[2], item)
    if kind == "not":
        return not evaluate(node[1], item)
    if kind == "fn":
        name, args = node[1], node[2]
        if name in ("attribute_exists", "attribute_not_exists"):
            present = args[0][0] == "path" and args[0][1] in item
            return present if name == "attribute_exists" else not present
        if name == "begins_with":
            a, b = _value(item, args[0]), _value(item, args[1])
            return a is not None and "S" in a and a["S"].startswith(b["S"])
        raise Unsupported(f"condition function {name}")
    if kind == "between":
        v, lo, hi = (_value(item, n) for n in node[1:])
        if v is None or lo is None or hi is None or not (set(v) == set(lo) == set(hi)):
            return False
        return _plain(lo) <= _plain(v) <= _plain(hi)
    op, a, b = node[1], _value(item, node[2]), _value(item, node[3])
    if a is None or b is None:
        return op == "<>" and (a is None) != (b is None)
    if op in ("=", "<>"):
        return (_plain(a) == _plain(b)) == (op == "=")
    if set(a) != set(b) or next(iter(a)) not in ("S", "N", "B"):
        return False
    x, y = _plain(a)[1], _plain(b)[1]
    return {"<": x < y, "<=": x <= y, ">": x > y, ">=": x >= y}[op]


def check(expression: str | None, names: dict, values: dict, item: dict | None) -> bool:
    if not expression:
        return True
    p = _Parser(expression, names, values)
    node = p.condition()
    p.done()
    return evaluate(node, item or {})


def apply_update(expression: str, names: dict, values: dict, item: dict) -> dict:
    """The item after SET / REMOVE / ADD (DELETE and nested paths are refused)."""
    p = _Parser(expression, names, values)
    out = dict(item)
    while p.peek() is not None:
        clause = p.take().upper()
        while True:
            if clause == "SET":
                target = p.path()
                p.take("=")
                left = p.operand()
                if p.peek() in ("+", "-"):
                    sign, right = p.take(), p.operand()
                    a, b = Decimal(_value(out, left)["N"]), Decimal(_value(out, right)["N"])
                    out[target] = {"N": str(a + b if sign == "+" else a - b)}
                else:
                    out[target] = _value(item, left)
            elif clause == "REMOVE":
                out.pop(p.path(), None)
            elif clause == "ADD":
                target, add = p.path(), p.operand()
                add_v = _value(item, add)
                current = out.get(target)
                if "N" in add_v:
                    base = Decimal(current["N"]) if current else Decimal(0)
                    out[target] = {"N": str(base + Decimal(add_v["N"]))}
                elif "SS" in add_v:
                    out[target] = {"SS": sorted(set((current or {}).get("SS", [])) | set(add_v["SS"]))}
                else:
                    raise Unsupported(f"ADD of {add_v} in {expression!r}")
            else:
                raise Unsupported(f"update clause {clause} in {expression!r}")
            if p.peek() != ",":
                break
            p.take(",")
    return out


def key_range(expression: str, names: dict, values: dict, hash_name: str, range_name: str):
    """(hash value, low, high, low inclusive, high inclusive) of a key condition."""
    p = _Parser(expression, names, values)
    node = p.condition()
    p.done()
    parts = []
    while node[0] == "and":
        parts.append(node[2])
        node = node[1]
    parts.append(node)
    hash_value, low, high, lo_in, hi_in = None, None, None, True, True
    for part in parts:
        if part[0] == "cmp" and part[2] == ("path", hash_name) and part[1] == "=":
            hash_value = _plain(part[3][1])[1]
            continue
        if part[0] == "cmp" and part[2] == ("path", range_name):
            v = _plain(part[3][1])[1]
            op = part[1]
            if op == "=":
                low = high = v
            elif op in ("<", "<="):
                high, hi_in = v, op == "<="
            elif op in (">", ">="):
                low, lo_in = v, op == ">="
            else:
                raise Unsupported(f"key condition {op}")
        elif part[0] == "between" and part[1] == ("path", range_name):
            low, high = _plain(part[2][1])[1], _plain(part[3][1])[1]
        elif part[0] == "fn" and part[1] == "begins_with" and part[2][0] == ("path", range_name):
            low = part[2][1][1]["S"]
            high = low + "\U0010ffff"
        else:
            raise Unsupported(f"key condition part {part} of {expression!r}")
    if hash_value is None:
        raise Unsupported(f"no hash key equality in {expression!r}")
    return hash_value, low, high, lo_in, hi_in


def project(item: dict, projection: str | None, names: dict | None) -> dict:
    if not projection:
        return item
    wanted = [(names or {}).get(p.strip(), p.strip()) for p in projection.split(",")]
    if any("." in w or "[" in w for w in wanted):
        raise Unsupported(f"projection {projection!r}")
    return {k: item[k] for k in wanted if k in item}


# --- the engine ------------------------------------------------------------------------
class Engine:
    """One table (pk, sk) with the six GSIs (gsiNpk, gsiNsk, all projecting ALL)."""

    def __init__(self, table: str, *, latency: float = 0.010, seed: int = 1):
        self.table, self.latency = table, latency
        # Injected faults: a share of task puts and of transactions throttled, a share of transactions
        # cancelled by a conflict, a share of the agents' LOAD writes refused by a conflict.
        self.throttle = self.tx_conflict = self.load_conflict = 0.0
        # A table at its provisioned limit (`--write-limit`): WCU a (virtual) second it accepts, 0 for none; the
        # writes past a second's units are throttled, whoever sends them. `now` is the virtual clock.
        self.write_limit = 0.0
        self.now: Callable[[], float] = lambda: 0.0
        self.items = _Items()
        # (index or "table") -> hash value -> sorted [(range value, pk, sk)]
        self.parts: dict[str, dict] = {n: defaultdict(list) for n in ("table", *INDEXES)}
        self.lock = threading.RLock()
        self.rand = random.Random(seed)
        self.advance: Callable[[float], None] = lambda seconds: None  # the virtual clock (bench/replay.py)
        self.reset()

    def reset(self) -> None:
        self.calls: Counter = Counter()  # requests answered, by operation (refused ones included)
        self.refused: Counter = Counter()  # by error code
        self.throttled = 0  # task puts and transactions refused or cancelled for throttling (unbilled)
        self.limited = 0  # writes of those refused past `write_limit`
        self.second_units: Counter = Counter()  # virtual second -> WCU accepted in it (`write_limit`)
        self.serial: Counter = Counter()  # requests sent from the job's main thread (not the workers), by operation
        self.units: defaultdict[tuple[str, str], float] = defaultdict(float)  # (target, read|write) -> units
        self.items_read = 0
        self.written_keys: Counter = Counter()  # (target, partition key) -> item writes
        self.item_writes = 0  # table item writes (each Put/Update/Delete landing)

    # -- storage
    @staticmethod
    def _key(item: dict) -> tuple:
        return (item["pk"]["S"], item["sk"]["S"])

    def _entries(self, item: dict | None):
        if not item:
            return []
        out = [("table", item["pk"]["S"], (item["sk"]["S"], item["pk"]["S"], item["sk"]["S"]))]
        for name in INDEXES:
            h, r = item.get(f"{name}pk"), item.get(f"{name}sk")
            if h is not None and r is not None:
                out.append((name, _plain(h)[1], (_plain(r)[1], item["pk"]["S"], item["sk"]["S"])))
        return out

    def store(self, item: dict) -> None:
        """Write an item directly (seeding): no request, no capacity."""
        self._replace(self._key(item), item)

    def _replace(self, key: tuple, after: dict | None) -> dict | None:
        before = self.items.get(key)
        for name, h, entry in self._entries(before):
            rows = self.parts[name][h]
            i = bisect.bisect_left(rows, entry)
            if i < len(rows) and rows[i] == entry:
                rows.pop(i)
        if after is None:
            self.items.pop(key, None)
        else:
            self.items[key] = after
            for name, h, entry in self._entries(after):
                bisect.insort(self.parts[name][h], entry)
        return before

    # -- capacity
    def _bill_write(self, before: dict | None, after: dict | None, factor: int) -> None:
        b, a = item_size(before), item_size(after)
        self.units[(self.table, "write")] += factor * wcu(max(a, b))
        key = (after or before or {}).get("pk", {}).get("S")
        self.written_keys[("table", key)] += 1
        self.item_writes += 1
        was = {n: h for n, h, _ in self._entries(before) if n != "table"}
        now = {n: h for n, h, _ in self._entries(after) if n != "table"}
        for name in set(was) | set(now):
            entry_was = before and (json.dumps(before.get(f"{name}pk")), json.dumps(before.get(f"{name}sk")))
            entry_now = after and (json.dumps(after.get(f"{name}pk")), json.dumps(after.get(f"{name}sk")))
            if name in was and name in now and entry_was != entry_now:
                n = factor * (wcu(b) + wcu(a))
            elif name in was and name in now:
                n = factor * wcu(max(a, b))
            else:
                n = factor * wcu(b if name in was else a)
            self.units[(f"{self.table}/{name}", "write")] += n
            for h in {was.get(name), now.get(name)} - {None}:
                self.written_keys[(name, h)] += 1

    def _bill_read(self, target: str, size: int, consistent: bool, n_items: int) -> None:
        self.units[(target, "read")] += rcu(size, consistent)
        self.items_read += n_items

    # -- the botocore hook
    def attach(self, client) -> None:
        client.meta.events.register_first("before-send.dynamodb", self.before_send)

    def detach(self, client) -> None:
        client.meta.events.unregister("before-send.dynamodb", self.before_send)

    def before_send(self, request, **kwargs):
        from botocore.awsrequest import AWSResponse

        op = request.headers["X-Amz-Target"].decode().split(".", 1)[1]
        body = json.loads(request.body or b"{}")
        self.advance(self.latency)
        with self.lock:
            self.calls[op] += 1
            if threading.current_thread() is threading.main_thread():
                self.serial[op] += 1
            try:
                handler = getattr(self, f"op_{op}", None)
                if handler is None:
                    raise Unsupported(f"operation {op}")
                status, payload = 200, handler(body)
            except Refused as err:
                self.refused[err.code] += 1
                status = 500 if err.code == "InternalServerError" else 400
                payload = {"__type": PREFIX + err.code, "message": err.message, **err.extra}
        raw = _Raw(json.dumps(payload).encode())
        return AWSResponse(request.url, status, {"Content-Type": "application/x-amz-json-1.0"}, raw)

    def _table_of(self, name: str) -> None:
        if name != self.table:
            raise Unsupported(f"table {name}")

    # -- operations
    def op_GetItem(self, body: dict) -> dict:
        self._table_of(body["TableName"])
        item = self.items.get(self._key(body["Key"]))
        self._bill_read(self.table, item_size(item), bool(body.get("ConsistentRead")), 1 if item else 0)
        if item is None:
            return {}
        return {"Item": project(item, body.get("ProjectionExpression"), body.get("ExpressionAttributeNames"))}

    def op_BatchGetItem(self, body: dict) -> dict:
        out: dict = {}
        for table, request in body["RequestItems"].items():
            self._table_of(table)
            if len(request["Keys"]) > 100:
                raise Refused("ValidationException", "Too many items requested for the BatchGetItem call")
            found = []
            for key in request["Keys"]:
                item = self.items.get(self._key(key))
                self._bill_read(self.table, item_size(item), bool(request.get("ConsistentRead")), 1 if item else 0)
                if item is not None:
                    found.append(
                        project(item, request.get("ProjectionExpression"), request.get("ExpressionAttributeNames"))
                    )
            out[table] = found
        return {"Responses": out, "UnprocessedKeys": {}}

    def op_Query(self, body: dict) -> dict:
        self._table_of(body["TableName"])
        index = body.get("IndexName")
        if index is not None and index not in INDEXES:
            raise Unsupported(f"index {index}")
        if body.get("FilterExpression") or body.get("Select") not in (None, "ALL_ATTRIBUTES"):
            raise Unsupported("Query with a filter or Select")
        names, values = body.get("ExpressionAttributeNames") or {}, body.get("ExpressionAttributeValues") or {}
        h_name, r_name = (f"{index}pk", f"{index}sk") if index else ("pk", "sk")
        h, low, high, lo_in, hi_in = key_range(body["KeyConditionExpression"], names, values, h_name, r_name)
        rows = self.parts[index or "table"].get(h, [])
        forward = body.get("ScanIndexForward", True)
        start = body.get("ExclusiveStartKey")
        if forward:
            i = 0 if low is None else bisect.bisect_left(rows, (low,))
            if start:
                i = max(i, bisect.bisect_right(rows, (_plain(start[r_name])[1], start["pk"]["S"], start["sk"]["S"])))
            seq = (rows[j] for j in range(i, len(rows)))
        else:
            i = len(rows) if high is None else bisect.bisect_right(rows, (high, "\U0010ffff"))
            if start:
                i = min(i, bisect.bisect_left(rows, (_plain(start[r_name])[1], start["pk"]["S"], start["sk"]["S"])))
            seq = (rows[j] for j in range(i - 1, -1, -1))
        limit = body.get("Limit")
        items, size, last = [], 0, None
        for r, pk, sk in seq:
            if low is not None and (r < low or (r == low and not lo_in)):
                if forward:
                    continue
                break
            if high is not None and (r > high or (r == high and not hi_in)):
                if forward:
                    break
                continue
            item = self.items[(pk, sk)]
            items.append(item)
            size += item_size(item)
            if (limit and len(items) >= limit) or size >= PAGE_BYTES:
                last = item
                break
        target = f"{self.table}/{index}" if index else self.table
        self._bill_read(target, size, bool(body.get("ConsistentRead")) and not index, len(items))
        out: dict = {
            "Items": [project(i, body.get("ProjectionExpression"), names) for i in items],
            "Count": len(items),
            "ScannedCount": len(items),
        }
        if last is not None:
            keys = ("pk", "sk") + ((h_name, r_name) if index else ())
            out["LastEvaluatedKey"] = {k: last[k] for k in keys}
        return out

    def _conditional(self, spec: dict, current: dict | None) -> bool:
        return check(
            spec.get("ConditionExpression"),
            spec.get("ExpressionAttributeNames") or {},
            spec.get("ExpressionAttributeValues") or {},
            current,
        )

    def _after(self, action: str, spec: dict, current: dict | None) -> dict | None:
        if action == "Put":
            return spec["Item"]
        if action == "Delete":
            return None
        if action == "Update":
            key = spec["Key"]
            base = current if current is not None else dict(key)
            return apply_update(
                spec["UpdateExpression"],
                spec.get("ExpressionAttributeNames") or {},
                spec.get("ExpressionAttributeValues") or {},
                base,
            )
        raise Unsupported(f"write action {action}")

    def _past_limit(self, units: float) -> bool:
        """Whether a write of `units` WCU goes past this virtual second's `write_limit` (refused, unbilled)."""
        if not self.write_limit:
            return False
        second = int(self.now())
        if self.second_units[second] + units > self.write_limit:
            self.throttled += 1
            self.limited += 1
            return True
        self.second_units[second] += units
        return False

    def op_PutItem(self, body: dict) -> dict:
        item = body["Item"]
        if self._past_limit(wcu(item_size(item))):
            raise Refused("ProvisionedThroughputExceededException", "The level of configured provisioned throughput")
        if self.throttle and item["pk"]["S"].startswith("TASK#") and self.rand.random() < self.throttle:
            # A task's put (storage/selection.create_task) refused whole; sent once (clients.sent_once), the
            # job re-queues the task behind the others. DynamoDB bills none of it.
            self.throttled += 1
            code = self.rand.choice(["ThrottlingException", "ProvisionedThroughputExceededException"])
            raise Refused(code, "Rate of requests exceeds the allowed throughput")
        return self._single("Put", body)

    def op_UpdateItem(self, body: dict) -> dict:
        if self._past_limit(1.0):
            raise Refused("ProvisionedThroughputExceededException", "The level of configured provisioned throughput")
        if (
            self.load_conflict
            and "open_tasks" in body.get("UpdateExpression", "")
            and self.rand.random() < self.load_conflict
        ):
            # An agent's LOAD item written by a concurrent transaction (a claim, another run's settle).
            raise Refused("TransactionConflictException", "Transaction is ongoing for the item")
        return self._single("Update", body)

    def _single(self, action: str, body: dict) -> dict:
        self._table_of(body["TableName"])
        key = self._key(body["Item"] if action == "Put" else body["Key"])
        current = self.items.get(key)
        if not self._conditional(body, current):
            # A refused conditional write still costs the item's write units (AWS developer guide).
            self.units[(self.table, "write")] += wcu(item_size(current))
            extra = (
                {"Item": current} if current and body.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD" else {}
            )
            raise Refused("ConditionalCheckFailedException", "The conditional request failed", **extra)
        after = self._after(action, body, current)
        self._bill_write(current, after, 1)
        self._replace(key, after)
        rv = body.get("ReturnValues", "NONE")
        if rv == "ALL_NEW":
            return {"Attributes": after or {}}
        if rv == "ALL_OLD":  # the fan-out's claim of a date's per-date parts (storage/selection_shards.py)
            return {"Attributes": current or {}} if current else {}
        if rv != "NONE":
            raise Unsupported(f"ReturnValues {rv}")
        return {}

    def op_TransactWriteItems(self, body: dict) -> dict:
        ops = []
        for entry in body["TransactItems"]:
            ((action, spec),) = entry.items()
            self._table_of(spec["TableName"])
            key = self._key(spec["Item"] if action == "Put" else spec["Key"])
            ops.append((action, spec, key))
        if len({k for _, _, k in ops}) != len(ops):
            raise Refused("ValidationException", "Transaction request cannot include multiple operations on one item")
        if self._past_limit(2.0 * len(ops)):  # a transaction's writes bill twice
            raise Refused("ProvisionedThroughputExceededException", "The level of configured provisioned throughput")
        if self.throttle and self.rand.random() < self.throttle:
            # Half refused whole (botocore resends them after 50 ms: clients.job_retries), half cancelled item
            # by item (the job retries those).
            self.throttled += 1
            if self.rand.random() < 0.5:
                code = self.rand.choice(["ThrottlingException", "ProvisionedThroughputExceededException"])
                raise Refused(code, "Rate of requests exceeds the allowed throughput")
            reasons = [{"Code": "ThrottlingError", "Message": "Throughput exceeds the current capacity"}] + [
                {"Code": "None"} for _ in ops[1:]
            ]
            raise Refused("TransactionCanceledException", "Transaction cancelled", CancellationReasons=reasons)
        loads = [
            i
            for i, (action, spec, _) in enumerate(ops)
            if action == "Update" and "open_tasks" in spec.get("UpdateExpression", "")
        ]
        held = [i for i in loads if self.load_conflict and self.rand.random() < self.load_conflict]
        if held:
            # Agent contention per LOAD item, as for a single UpdateItem: a transaction adding to n agents'
            # counters is cancelled when any one of them is held (1 - 0.95^n), so batching them is not free.
            # As DynamoDB does, the cancellation names each held item.
            self.refused["TransactionConflict (LOAD)"] += 1  # told apart from the task transactions' conflicts
            reasons = [{"Code": "None"} for _ in ops]
            for i in held:
                reasons[i] = {"Code": "TransactionConflict", "Message": "Transaction is ongoing"}
            raise Refused("TransactionCanceledException", "Transaction cancelled", CancellationReasons=reasons)
        if self.tx_conflict and self.rand.random() < self.tx_conflict:
            # Another writer holds one of its items (the feed extending an inbox entry, a concurrent run).
            reasons = [{"Code": "None"} for _ in ops]
            reasons[min(1, len(ops) - 1)] = {"Code": "TransactionConflict", "Message": "Transaction is ongoing"}
            raise Refused("TransactionCanceledException", "Transaction cancelled", CancellationReasons=reasons)
        reasons, afters = [], []
        for action, spec, key in ops:
            current = self.items.get(key)
            ok = self._conditional(spec, current)
            reasons.append({"Code": "None"} if ok else {"Code": "ConditionalCheckFailed", "Message": "failed"})
            afters.append(None if not ok or action == "ConditionCheck" else self._after(action, spec, current))
        if any(r["Code"] != "None" for r in reasons):
            raise Refused("TransactionCanceledException", "Transaction cancelled", CancellationReasons=reasons)
        for (action, _spec, key), after in zip(ops, afters, strict=True):
            current = self.items.get(key)
            if action == "ConditionCheck":
                self.units[(self.table, "write")] += 2 * wcu(item_size(current))
                continue
            self._bill_write(current, after, 2)
            self._replace(key, after)
        return {}

    def op_BatchWriteItem(self, body: dict) -> dict:
        for table, requests in body["RequestItems"].items():
            self._table_of(table)
            for r in requests:
                if "PutRequest" not in r:
                    raise Unsupported("BatchWriteItem delete")
                item = r["PutRequest"]["Item"]
                key = self._key(item)
                self._bill_write(self.items.get(key), item, 1)
                self._replace(key, item)
        return {"UnprocessedItems": {}}


class _Items:
    """Items kept as compact JSON (a 100k-candidate replay holds ~400k items): a copy on every read."""

    def __init__(self):
        self._data: dict[tuple, bytes] = {}

    def get(self, key: tuple) -> dict | None:
        raw = self._data.get(key)
        return None if raw is None else json.loads(raw)

    def __getitem__(self, key: tuple) -> dict:
        return json.loads(self._data[key])

    def __setitem__(self, key: tuple, item: dict) -> None:
        self._data[key] = json.dumps(item, separators=(",", ":"), ensure_ascii=False).encode()

    def pop(self, key: tuple, default=None):
        return self._data.pop(key, default)

    def __len__(self) -> int:
        return len(self._data)

    def keys(self):
        return self._data.keys()


class _Raw:
    """What `AWSResponse` reads a body from."""

    def __init__(self, content: bytes):
        self.content = content

    def stream(self, **kwargs):
        yield self.content
