"""The DynamoDB implementation of `domain.penalty_ports.PenaltyRepository`.

It wraps the item functions of `storage/penalties.py` and turns a lost transaction into the outcome the
rules name: which transaction item guards which rule is known here only (the order is built by
`storage.penalties.enter`).
"""

from __future__ import annotations

from datetime import date

from ..domain.penalty_ports import EntryRefused, Page, PenaltyChanged, RuleScope, RuleVersionExists
from ..errors import ConditionFailed
from . import base, directory
from . import penalties as store

_BEFORE_SCOPES = 4  # penalty, audit, manager check, ledger


def _page(page: base.Page) -> Page:
    return Page(page.items, page.last_key)


class DynamoPenaltyRepository:
    # --- the catalogue
    def rule_scope(self, scope: str) -> RuleScope:
        found = store.rule_scope(scope)
        return RuleScope(found["rev"], list(found["versions"]))

    def forget_rule_scopes(self) -> None:
        store.forget_rule_scopes()

    def put_rule_version(self, record: dict) -> None:
        try:
            store.put_rule_version(record)
        except base.TransactionCancelled as err:
            if err.failed(0):
                raise RuleVersionExists(record["scope"], record["effective_from"]) from None
            raise

    def branch_exists(self, branch_id: str) -> bool:
        return store.branch_exists(branch_id)

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
        try:
            store.enter(
                record,
                audit,
                branch_id=branch_id,
                ledger=ledger,
                ledger_version=ledger_version,
                catalogue_revisions=catalogue_revisions,
                flags=flags,
            )
        except base.TransactionCancelled as err:
            first_flag = _BEFORE_SCOPES + len(catalogue_revisions)
            raise EntryRefused(
                exists=err.failed(0),
                manager=err.failed(2),
                stale=any(err.failed(i) for i in range(3, first_flag)),
                flags=[f["flag_id"] for i, f in enumerate(flags) if err.failed(first_flag + i)],
            ) from None

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
        from ..domain import outbox
        from ..domain.outbox_handlers import PENALTY_OVERDUE_FLAG

        extra = [store.ledger_drop_op(record)] if drop_from_ledger else []
        if overdue_flag is not None:
            # The flag is an outbox entry of the overdue write: a lost response cannot lose it.
            extra.append(outbox.record_op(PENALTY_OVERDUE_FLAG, record["penalty_id"], {"flag": overdue_flag}))
        try:
            store.replace(
                record,
                expected_status=expected_status,
                expected_revision=expected_revision,
                audit=audit,
                reversal=reversal,
                extra_ops=extra,
            )
        except ConditionFailed:
            raise PenaltyChanged() from None
        if overdue_flag is not None:
            outbox.deliver_now(PENALTY_OVERDUE_FLAG, record["penalty_id"])  # best effort; the sweep delivers

    def get(self, penalty_id: str) -> dict | None:
        return store.get(penalty_id)

    def get_with_history(self, penalty_id: str) -> tuple[dict | None, list[dict], dict | None]:
        return store.get_with_history(penalty_id)

    def list_for_manager(self, manager_id: str, month: str | None, *, limit: int, start_key=None) -> Page:
        return _page(store.list_for_manager(manager_id, month, limit=limit, start_key=start_key))

    def list_for_branch(self, branch_id: str, month: str | None, *, limit: int, start_key=None) -> Page:
        return _page(store.list_for_branch(branch_id, month, limit=limit, start_key=start_key))

    def manager_month(self, manager_id: str, month: str) -> list[dict]:
        return store.manager_month(manager_id, month)

    def branch_month(self, branch_id: str, month: str) -> list[dict]:
        return store.branch_month(branch_id, month)

    def staff_flags_since(self, staff_id: str, since: str) -> list[dict]:
        return store.staff_flags_since(staff_id, since)

    def branch_flags_since(self, branch_id: str, since: str) -> list[dict]:
        return store.branch_flags_since(branch_id, since)

    def due_on(self, day: date) -> list[dict]:
        return store.due_on(day)

    def get_ledger(self, manager_id: str, month: str) -> dict | None:
        return store.get_ledger(manager_id, month)

    def get_collision(self, collision_id: str) -> dict | None:
        return store.get_collision(collision_id)

    # --- flags
    def put_flag(self, record: dict) -> bool:
        return store.put_flag(record)

    def list_flags(
        self, *, branch_id: str | None = None, staff_id: str | None = None, limit: int, start_key=None
    ) -> Page:
        return _page(store.list_flags(branch_id=branch_id, staff_id=staff_id, limit=limit, start_key=start_key))

    # --- the staff directory
    def get_staff(self, staff_id: str) -> dict | None:
        return directory.get_staff(staff_id)

    def scoped_staff(self, staff_id: str) -> dict | None:
        from ..auth import cached_staff

        return cached_staff(staff_id)

    def branch_managers(self, branch_id: str) -> list[dict]:
        return directory.all_branch_staff(branch_id, "client_manager")
