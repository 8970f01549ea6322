"""Capacity DynamoDB reports, and a model of it from item sizes (issue 22, part 3).

`CapacityMeter` hooks botocore events on the given DynamoDB clients:

- `before-parameter-build.dynamodb`: every operation that accepts it gets
  `ReturnConsumedCapacity=INDEXES`, so the engine reports table and each GSI apart;
- `before-call.dynamodb`: the serialized request is kept, and the items a write touches are
  read (consistently, through a separate unhooked client) to have their before-image;
- `after-call.dynamodb`: the engine's ConsumedCapacity is summed per flow, per target
  (table or `table/index`) and per kind (read or write), and the model's figure for the same
  request is computed from the before/after images and the items actually read.

The model (AWS developer guide, "DynamoDB item sizes and formats" and "read and write
operations"): item size = attribute names + values (numbers ~1 byte per 2 significant digits
+ 1, List/Map 3 bytes + 1 per element); a write costs ceil(size / 1 KB) WCU on the larger of
the before and after images, a delete the before-image; every GSI (all ours project ALL, so
an index entry is the whole item) costs the same for the item entering, staying in (an update)
or leaving it, twice (a delete and a put) when its key changes; a transaction costs 2x for
each Put/Update/Delete and ConditionCheck. A read costs ceil(size / 4 KB) RCU per item
(GetItem, each BatchGetItem key) or per request on the summed sizes of the items evaluated
(Query: before the filter and the projection), at least 1 unit, half for eventually
consistent reads (every GSI read), a miss included.
"""

from __future__ import annotations

import base64
import json
import math
import re
import threading
from collections import defaultdict
from decimal import Decimal

WRITE_OPS = {"PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem"}


# --- item sizes ------------------------------------------------------------------
def number_size(text: str) -> int:
    digits = Decimal(text).normalize().as_tuple().digits  # no leading or trailing zeros
    return math.ceil(len(digits) / 2) + 1


def value_size(value: dict) -> int:
    ((kind, v),) = value.items()
    if kind == "S":
        return len(v.encode())
    if kind == "N":
        return number_size(v)
    if kind == "B":
        return len(base64.b64decode(v))
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "SS":
        return sum(len(s.encode()) for s in v)
    if kind == "NS":
        return sum(number_size(n) for n in v)
    if kind == "BS":
        return sum(len(base64.b64decode(b)) for b in v)
    if kind == "L":
        return 3 + sum(value_size(e) + 1 for e in v)
    if kind == "M":
        return 3 + sum(len(k.encode()) + value_size(e) + 1 for k, e in v.items())
    raise ValueError(f"unknown attribute type {kind}")


def item_size(item: dict | None) -> int:
    """Bytes of a typed (DynamoDB JSON) item: names plus values."""
    return sum(len(k.encode()) + value_size(v) for k, v in (item or {}).items())


def wcu(size: int) -> int:
    return max(1, math.ceil(size / 1024))


def rcu(size: int, consistent: bool) -> float:
    return max(1, math.ceil(size / 4096)) * (1.0 if consistent else 0.5)


# --- the meter -------------------------------------------------------------------
class CapacityMeter:
    """Sums engine-reported and modelled capacity per flow: `with meter.flow("name"): ...`."""

    def __init__(self, clients, snapshot_client, indexes: dict[str, list[tuple[str, str, str | None]]]):
        """`indexes`: table name -> [(index name, hash key, range key)] for every GSI."""
        self.clients = list(clients)
        self.snap = snapshot_client
        self.indexes = indexes
        self.keys = {t: ks for t, ks in self._key_schemas().items()}
        self.current: str | None = None
        self.engine: dict[str, dict[tuple[str, str], float]] = defaultdict(lambda: defaultdict(float))
        self.model: dict[str, dict[tuple[str, str], float]] = defaultdict(lambda: defaultdict(float))
        self.requests: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self.unreported: dict[str, int] = defaultdict(int)
        # Model units for cases AWS does not document and DynamoDB Local bills as 0 (probed on 3.3.1):
        # a BatchGetItem key that is not found, a Query that evaluates no item, a ConditionCheck in a
        # transaction. They are in `model`; `local_rules` subtracts them.
        self.undocumented: dict[str, dict[tuple[str, str, str], float]] = defaultdict(lambda: defaultdict(float))
        # Model write units by the kind of item written (the first `#` segment of its pk, for an
        # explanation of where a flow's WCU go): [writes, table units, index units, bytes after].
        self.by_item: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(lambda: [0, 0.0, 0.0, 0]))
        self._local = threading.local()
        self._lock = threading.Lock()

    def _key_schemas(self) -> dict[str, list[str]]:
        out = {}
        for table in self.indexes:
            schema = self.snap.describe_table(TableName=table)["Table"]["KeySchema"]
            out[table] = [k["AttributeName"] for k in sorted(schema, key=lambda k: k["KeyType"])]  # HASH, RANGE
        return out

    # -- wiring
    def attach(self) -> CapacityMeter:
        for c in self.clients:
            c.meta.events.register("before-parameter-build.dynamodb", self.add_return_consumed_capacity)
            c.meta.events.register("before-call.dynamodb", self._before_call)
            c.meta.events.register("after-call.dynamodb", self._after_call)
        return self

    def detach(self) -> None:
        for c in self.clients:
            c.meta.events.unregister("before-parameter-build.dynamodb", self.add_return_consumed_capacity)
            c.meta.events.unregister("before-call.dynamodb", self._before_call)
            c.meta.events.unregister("after-call.dynamodb", self._after_call)

    class _Flow:
        def __init__(self, meter, name):
            self.meter, self.name = meter, name

        def __enter__(self):
            self.previous, self.meter.current = self.meter.current, self.name
            return self.meter

        def __exit__(self, *exc):
            self.meter.current = self.previous

    def flow(self, name: str) -> _Flow:
        return self._Flow(self, name)

    @staticmethod
    def add_return_consumed_capacity(params, model, **kwargs):
        if "ReturnConsumedCapacity" in model.input_shape.members:
            params["ReturnConsumedCapacity"] = "INDEXES"

    # -- images
    def _key_of(self, table: str, item: dict) -> dict:
        return {k: item[k] for k in self.keys[table] if k in item}

    def _image(self, table: str, key: dict) -> dict | None:
        return self.snap.get_item(TableName=table, Key=key, ConsistentRead=True).get("Item")

    def _written(self, op: str, body: dict) -> list[tuple[str, dict, str, bool]]:
        """(table, key, action, transactional) for every item the write touches."""
        if op == "PutItem":
            return [(body["TableName"], self._key_of(body["TableName"], body["Item"]), "put", False)]
        if op in ("UpdateItem", "DeleteItem"):
            return [(body["TableName"], body["Key"], "update" if op == "UpdateItem" else "delete", False)]
        if op == "BatchWriteItem":
            out = []
            for table, requests in body["RequestItems"].items():
                for r in requests:
                    if "PutRequest" in r:
                        out.append((table, self._key_of(table, r["PutRequest"]["Item"]), "put", False))
                    else:
                        out.append((table, r["DeleteRequest"]["Key"], "delete", False))
            return out
        if op == "TransactWriteItems":
            out = []
            for entry in body["TransactItems"]:
                ((action, spec),) = entry.items()
                key = self._key_of(spec["TableName"], spec["Item"]) if action == "Put" else spec["Key"]
                out.append((spec["TableName"], key, action.lower(), True))
            return out
        return []

    def _before_call(self, model, params, **kwargs):
        self._local.pending = None
        if self.current is None or model.name not in WRITE_OPS | {"GetItem", "BatchGetItem", "Query", "Scan"}:
            return
        body = json.loads(params["body"] or b"{}")
        touched = [(t, k, a, tx, self._image(t, k)) for t, k, a, tx in self._written(model.name, body)]
        self._local.pending = (self.current, body, touched)

    def _after_call(self, http_response, parsed, model, **kwargs):
        pending = getattr(self._local, "pending", None)
        self._local.pending = None
        if pending is None:
            return
        flow, body, touched = pending
        with self._lock:
            self.requests[flow][model.name] += 1
        if http_response.status_code >= 300:
            # A refused request (a condition, a cancelled transaction): DynamoDB bills it, but the
            # engine reports no ConsumedCapacity on an error; counted, not modelled.
            with self._lock:
                self.unreported[flow] += 1
            return
        raw = json.loads(http_response.content or b"{}")
        self._add_engine(flow, model.name, raw.get("ConsumedCapacity"))
        if model.name in WRITE_OPS:
            self._model_writes(flow, model.name, raw, touched)
        else:
            self._model_reads(flow, model.name, body, raw)

    # -- engine figures
    def _add_engine(self, flow: str, op: str, consumed) -> None:
        """ConsumedCapacity entries; `CapacityUnits` alone counts as the operation's kind."""
        if consumed is None:
            return
        kind = "write" if op in WRITE_OPS else "read"
        with self._lock:
            for c in consumed if isinstance(consumed, list) else [consumed]:
                table = c["TableName"]
                parts = [(table, c.get("Table") or {})]
                for group in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
                    parts += [(f"{table}/{name}", v) for name, v in (c.get(group) or {}).items()]
                if len(parts) == 1 and not parts[0][1]:
                    parts = [(table, c)]  # TOTAL-style answer without a breakdown
                for target, units in parts:
                    read, write = units.get("ReadCapacityUnits"), units.get("WriteCapacityUnits")
                    if read is None and write is None:
                        read, write = (
                            (0, units.get("CapacityUnits", 0))
                            if kind == "write"
                            else (units.get("CapacityUnits", 0), 0)
                        )
                    if read:
                        self.engine[flow][(target, "read")] += read
                    if write:
                        self.engine[flow][(target, "write")] += write

    # -- the model
    def _index_entries(self, table: str, item: dict | None) -> dict[str, tuple]:
        out = {}
        for name, hash_key, range_key in self.indexes.get(table, []):
            if item and hash_key in item and (range_key is None or range_key in item):
                out[name] = (json.dumps(item[hash_key]), json.dumps(item.get(range_key)))
        return out

    def _model_writes(self, flow: str, op: str, raw: dict, touched) -> None:
        unprocessed = raw.get("UnprocessedItems") or {}
        units: dict[tuple[str, str], float] = defaultdict(float)
        extra: dict[tuple[str, str, str], float] = defaultdict(float)
        for table, key, action, tx, before in touched:
            if unprocessed.get(table) and any(
                self._key_of(
                    table, (r.get("PutRequest") or {}).get("Item") or (r.get("DeleteRequest") or {}).get("Key", {})
                )
                == key
                for r in unprocessed[table]
            ):
                continue
            factor = 2 if tx else 1
            if action == "conditioncheck":
                units[(table, "write")] += factor * wcu(item_size(before))
                extra[(table, "write", "ConditionCheck in a transaction")] += factor * wcu(item_size(before))
                continue
            after = None if action == "delete" else self._image(table, key)
            b, a = item_size(before), item_size(after)
            table_units = factor * wcu(b if action == "delete" else max(a, b))
            units[(table, "write")] += table_units
            index_units = 0.0
            was, now = self._index_entries(table, before), self._index_entries(table, after)
            for name in set(was) | set(now):
                if name in was and name in now and was[name] != now[name]:
                    n = factor * (wcu(b) + wcu(a))
                elif name in was and name in now:
                    n = factor * wcu(max(a, b))
                else:
                    n = factor * wcu(b if name in was else a)
                units[(f"{table}/{name}", "write")] += n
                index_units += n
            first_key = next(iter(key.values()), {})
            label = f"{table} {str(next(iter(first_key.values()), '')).split('#')[0]} ({action}{', tx' if tx else ''})"
            with self._lock:
                row = self.by_item[flow][label]
                row[0] += 1
                row[1] += table_units
                row[2] += index_units
                row[3] += a
        self._add_model(flow, units, extra)

    def _add_model(self, flow, units, extra) -> None:
        with self._lock:
            for k, v in units.items():
                self.model[flow][k] += v
            for k, v in extra.items():
                self.undocumented[flow][k] += v

    def _model_reads(self, flow: str, op: str, body: dict, raw: dict) -> None:
        units: dict[tuple[str, str], float] = defaultdict(float)
        extra: dict[tuple[str, str, str], float] = defaultdict(float)
        if op == "GetItem":
            table = body["TableName"]
            item = raw.get("Item")
            if item is not None and "ProjectionExpression" in body:
                item = self._image(table, body["Key"])
            units[(table, "read")] += rcu(item_size(item), bool(body.get("ConsistentRead")))
        elif op == "BatchGetItem":
            for table, request in body["RequestItems"].items():
                pending = (raw.get("UnprocessedKeys") or {}).get(table, {}).get("Keys", [])
                consistent = bool(request.get("ConsistentRead"))
                for key in request["Keys"]:
                    if key in pending:
                        continue
                    found = self._image(table, key)
                    units[(table, "read")] += rcu(item_size(found), consistent)
                    if found is None:
                        extra[(table, "read", "BatchGetItem key not found")] += rcu(0, consistent)
        elif op in ("Query", "Scan"):
            table = body["TableName"]
            index = body.get("IndexName")
            target = f"{table}/{index}" if index else table
            consistent = bool(body.get("ConsistentRead")) and not index
            items = raw.get("Items")
            if items is None or any(
                k in body for k in ("FilterExpression", "ProjectionExpression", "Select", "AttributesToGet")
            ):
                # What the engine evaluated: the same key condition, page and limit, whole items.
                again = {
                    k: v
                    for k, v in body.items()
                    if k
                    not in (
                        "FilterExpression",
                        "ProjectionExpression",
                        "Select",
                        "AttributesToGet",
                        "ReturnConsumedCapacity",
                    )
                }
                names = again.get("ExpressionAttributeNames") or {}
                used = again.get("KeyConditionExpression", "")
                again_names = {k: v for k, v in names.items() if re.search(re.escape(k) + r"(?!\w)", used)}
                values = again.get("ExpressionAttributeValues") or {}
                again_values = {k: v for k, v in values.items() if re.search(re.escape(k) + r"(?!\w)", used)}
                again.pop("ExpressionAttributeNames", None)
                again.pop("ExpressionAttributeValues", None)
                if again_names:
                    again["ExpressionAttributeNames"] = again_names
                if again_values:
                    again["ExpressionAttributeValues"] = again_values
                items = getattr(self.snap, "query" if op == "Query" else "scan")(**again).get("Items", [])
            size = sum(item_size(i) for i in items)
            units[(target, "read")] += rcu(size, consistent)
            if not items:
                extra[(target, "read", f"{op} evaluating no item")] += rcu(0, consistent)
        self._add_model(flow, units, extra)

    # -- results
    def local_rules(self, flow: str) -> dict[tuple[str, str], float]:
        """The model without the undocumented cases DynamoDB Local bills as 0."""
        out = defaultdict(float, self.model[flow])
        for (target, kind, _), v in self.undocumented[flow].items():
            out[(target, kind)] -= v
        return out

    def totals(self, flow: str, source: str = "engine") -> dict[str, float]:
        """source: engine, model (documented rules) or local (model with DynamoDB Local's rules)."""
        figures = {"engine": self.engine[flow], "model": self.model[flow], "local": self.local_rules(flow)}[source]
        out = {"rcu": 0.0, "wcu": 0.0, "table_wcu": 0.0, "index_wcu": 0.0, "table_rcu": 0.0, "index_rcu": 0.0}
        for (target, kind), v in figures.items():
            short = "r" if kind == "read" else "w"
            out[f"{short}cu"] += v
            out[f"{'index' if '/' in target else 'table'}_{short}cu"] += v
        return out


def table_indexes(client, *tables: str) -> dict[str, list[tuple[str, str, str | None]]]:
    """Every GSI of the tables, as CapacityMeter wants them."""
    out = {}
    for table in tables:
        desc = client.describe_table(TableName=table)["Table"]
        out[table] = []
        for gsi in desc.get("GlobalSecondaryIndexes", []):
            schema = {k["KeyType"]: k["AttributeName"] for k in gsi["KeySchema"]}
            out[table].append((gsi["IndexName"], schema["HASH"], schema.get("RANGE")))
    return out
