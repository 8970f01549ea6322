"""`PenaltyRepository` in memory, with the table's semantics: a transaction is all or nothing and names
every condition it lost, index orders as storage/keys.py builds them (breach date, then id; flags by
creation), money read back to the fen, None attributes not stored, every read a copy."""

from __future__ import annotations

from datetime import date

from ...domain.penalty_ports import EntryRefused, Page, PenaltyChanged, RuleScope, RuleVersionExists
from . import _table as t


class MemoryPenaltyRepository:
    def __init__(self) -> None:
        self.scopes: dict[str, dict] = {}  # scope -> {"rev": int | None, "versions": {effective_from: version}}
        self.branches: set[str] = set()
        self.staff: dict[str, dict] = {}
        self.penalties: dict[str, dict] = {}
        self.audits: dict[str, dict[str, dict]] = {}  # penalty_id -> sort key -> entry
        self.reversals: dict[str, dict] = {}
        self.ledgers: dict[tuple[str, str], dict] = {}
        self.collisions: dict[str, dict] = {}
        self.flags: dict[str, dict] = {}
        self.outbox: dict[str, dict] = {}  # penalty_id -> overdue flag entry payload (one entry a subject)

    # --- seeding (what other areas write)
    def add_staff(self, staff_id: str, branch_id: str, role: str = "client_manager", **kw) -> None:
        self.staff[staff_id] = t.stored({"staff_id": staff_id, "branch_id": branch_id, "role": role, **kw})
        self.branches.add(branch_id)

    # --- the catalogue
    def rule_scope(self, scope: str) -> RuleScope:
        found = self.scopes.get(scope) or {"rev": None, "versions": {}}
        versions = [t.read(found["versions"][k]) for k in sorted(found["versions"])]
        return RuleScope(found["rev"], versions)

    def forget_rule_scopes(self) -> None:
        pass  # nothing cached

    def put_rule_version(self, record: dict) -> None:
        scope = self.scopes.setdefault(record["scope"], {"rev": None, "versions": {}})
        if str(record["effective_from"]) in scope["versions"]:
            raise RuleVersionExists(record["scope"], record["effective_from"])
        scope["versions"][str(record["effective_from"])] = t.stored(record)
        scope["rev"] = (scope["rev"] or 0) + 1

    def branch_exists(self, branch_id: str) -> bool:
        return branch_id in self.branches

    # --- penalties
    def enter(
        self,
        record: dict,
        audit: dict,
        *,
        branch_id: str,
        ledger: dict,
        ledger_version: int | None,
        catalogue_revisions: dict[str, int | None],
        flags: list[dict],
    ) -> None:
        staff = self.staff.get(record["manager_id"])
        key = (ledger["manager_id"], ledger["month"])
        stored_ledger = self.ledgers.get(key)
        stale = (
            (stored_ledger is not None)
            if ledger_version is None
            else (stored_ledger is None or int(stored_ledger["version"]) != ledger_version)
        )
        stale = stale or any(
            (self.scopes.get(scope) or {}).get("rev") != rev for scope, rev in catalogue_revisions.items()
        )
        refused = EntryRefused(
            exists=record["penalty_id"] in self.penalties,
            manager=not staff or staff.get("branch_id") != branch_id or staff.get("role") != "client_manager",
            stale=stale,
            flags=[f["flag_id"] for f in flags if f["flag_id"] in self.flags],
        )
        if refused.exists or refused.manager or refused.stale or refused.flags:
            raise refused
        self.penalties[record["penalty_id"]] = t.stored(record)
        self._audit(record["penalty_id"], audit)
        self.ledgers[key] = t.stored(ledger)
        for f in flags:
            self.flags[f["flag_id"]] = t.stored(f)

    def _audit(self, penalty_id: str, entry: dict) -> None:
        self.audits.setdefault(penalty_id, {})[f"{entry['at']}#{int(entry['revision']):04d}"] = t.stored(entry)

    def replace(
        self,
        record: dict,
        *,
        expected_status: str,
        expected_revision: int,
        audit: dict,
        reversal: dict | None = None,
        drop_from_ledger: bool = False,
        overdue_flag: dict | None = None,
    ) -> None:
        pid = record["penalty_id"]
        current = self.penalties.get(pid)
        if (
            current is None
            or current["status"] != expected_status
            or int(current["revision"]) != expected_revision
            or f"{audit['at']}#{int(audit['revision']):04d}" in self.audits.get(pid, {})
            or (reversal is not None and pid in self.reversals)
        ):
            raise PenaltyChanged()
        key = (record["manager_id"], record["breach_date"][:7])
        if drop_from_ledger and record.get("ledgered") and key not in self.ledgers:
            raise PenaltyChanged()  # the ledger's update is conditional on its existence
        self.penalties[pid] = t.stored(record)
        self._audit(pid, audit)
        if reversal is not None:
            self.reversals[pid] = t.stored(reversal)
        if drop_from_ledger:
            ledger = self.ledgers.setdefault(key, {"version": 0})  # a stub where none was (marked stale)
            if record.get("ledgered"):
                ledger.get("penalties", {}).pop(pid, None)
            else:
                ledger["stale"] = True
            ledger["version"] = int(ledger.get("version", 0)) + 1
        if overdue_flag is not None:
            self.outbox.setdefault(pid, t.stored({"flag": overdue_flag}))

    def get(self, penalty_id: str) -> dict | None:
        return t.fen(t.read(self.penalties.get(penalty_id)))

    def get_with_history(self, penalty_id: str) -> tuple[dict | None, list[dict], dict | None]:
        history = [t.fen(t.read(e)) for _, e in sorted(self.audits.get(penalty_id, {}).items())]
        return self.get(penalty_id), history, t.fen(t.read(self.reversals.get(penalty_id)))

    def _rows(self, field: str, value: str, month: str | None) -> list[tuple[str, dict]]:
        return [
            (f"{p['breach_date']}#{p['penalty_id']}", p)
            for p in self.penalties.values()
            if p[field] == value and (month is None or p["breach_date"].startswith(f"{month}-"))
        ]

    def _page(self, rows: list[tuple[str, dict]], limit: int, start_key) -> Page:
        items, last = t.page(rows, limit, start_key, newest_first=True)
        return Page([t.fen(t.read(i)) for i in items], last)

    def list_for_manager(self, manager_id: str, month: str | None, *, limit: int, start_key=None) -> Page:
        return self._page(self._rows("manager_id", manager_id, month), limit, start_key)

    def list_for_branch(self, branch_id: str, month: str | None, *, limit: int, start_key=None) -> Page:
        return self._page(self._rows("branch_id", branch_id, month), limit, start_key)

    def manager_month(self, manager_id: str, month: str) -> list[dict]:
        return [t.fen(t.read(p)) for _, p in sorted(self._rows("manager_id", manager_id, month), key=lambda r: r[0])]

    def branch_month(self, branch_id: str, month: str) -> list[dict]:
        return [t.fen(t.read(p)) for _, p in sorted(self._rows("branch_id", branch_id, month), key=lambda r: r[0])]

    def _flags_since(self, field: str, value: str, since: str) -> list[dict]:
        found = [f for f in self.flags.values() if f[field] == value and f"{f['created_at']}#{f['flag_id']}" >= since]
        return [t.fen(t.read(f)) for f in sorted(found, key=lambda f: f"{f['created_at']}#{f['flag_id']}")]

    def staff_flags_since(self, staff_id: str, since: str) -> list[dict]:
        return self._flags_since("staff_id", staff_id, since)

    def branch_flags_since(self, branch_id: str, since: str) -> list[dict]:
        return self._flags_since("branch_id", branch_id, since)

    def due_on(self, day: date) -> list[dict]:
        # the sparse due index: open, payable in cash, not yet overdue
        due = [
            p
            for p in self.penalties.values()
            if p["status"] == "open" and p.get("due_on") == str(day) and not p.get("overdue")
        ]
        return [t.fen(t.read(p)) for p in sorted(due, key=lambda p: p["penalty_id"])]

    def get_ledger(self, manager_id: str, month: str) -> dict | None:
        return t.fen(t.read(self.ledgers.get((manager_id, month))))

    def get_collision(self, collision_id: str) -> dict | None:
        return t.fen(t.read(self.collisions.get(collision_id)))

    # --- flags
    def put_flag(self, record: dict) -> bool:
        if record["flag_id"] in self.flags:
            return False
        self.flags[record["flag_id"]] = t.stored(record)
        return True

    def list_flags(
        self, *, branch_id: str | None = None, staff_id: str | None = None, limit: int, start_key=None
    ) -> Page:
        field, value = ("staff_id", staff_id) if staff_id else ("branch_id", branch_id)
        rows = [(f"{f['created_at']}#{f['flag_id']}", f) for f in self.flags.values() if f[field] == value]
        items, last = t.page(rows, limit, start_key, newest_first=True)
        return Page([t.fen(t.read(i)) for i in items], last)

    # --- the staff directory
    def get_staff(self, staff_id: str) -> dict | None:
        return t.read(self.staff.get(staff_id))

    def scoped_staff(self, staff_id: str) -> dict | None:
        return t.read(self.staff.get(staff_id))

    def branch_managers(self, branch_id: str) -> list[dict]:
        found = [s for s in self.staff.values() if s["branch_id"] == branch_id and s["role"] == "client_manager"]
        return [t.read(s) for s in sorted(found, key=lambda s: s["staff_id"])]
