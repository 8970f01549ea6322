"""Seed N accounts quickly, a given fraction of them selection candidates for a date.

For benchmarks and the cost tests: account items are built with the same
`account_item` the feed uses (so every index attribute is right) and written
with BatchWriteItem, which is fine for seeding (never for tasks). Ids are
deterministic: candidates `<prefix>-c<i>`, the rest `<prefix>-x<i>`, so two
seedings with the same candidate count select exactly the same accounts.

    from infra.bench_seed import seed_accounts
    seed_accounts(100_000, 0.01, date(2026, 11, 19))
"""

from __future__ import annotations

from datetime import date, timedelta

CANDIDATE_KINDS = ("new_account", "dormant", "large_outflow", "closed_account", "periodic")
# A national book's day (issue 18 §5: candidates in proportion to the book): daily candidates as shares of
# the book, events through the inbox, dormant, periodic by tier (gold 5%, silver 15%, ordinary 80% of the
# book, reviewed every 14, 30 and 91 days). About 2.3% of the book a day, a tenth of it through the inbox.
DAY_SHARES = {
    "new_account": 0.0010,
    "closed_account": 0.0004,
    "large_outflow": 0.0008,
    "dormant": 0.0025,
    "periodic/gold": 0.05 / 14,
    "periodic/silver": 0.15 / 30,
    "periodic/ordinary": 0.80 / 91,
}


def day_plan(candidates: int) -> list[str]:
    """The kind of each of a day's candidates, interleaved in proportion to DAY_SHARES (deterministic)."""
    total = sum(DAY_SHARES.values())
    kinds, owed = [], dict.fromkeys(DAY_SHARES, 0.0)
    for _ in range(candidates):
        for k in DAY_SHARES:
            owed[k] += DAY_SHARES[k] / total
        kind = max(owed, key=lambda k: owed[k])
        owed[kind] -= 1
        kinds.append(kind)
    return kinds


def _in_phase(prefix: str, start: int, tier: str, day: date, want: bool) -> tuple[str, int]:
    from chalicelib.storage.accounts import period_days, periodic_bucket, periodic_phase

    days = period_days(tier)
    if days is None:
        raise ValueError(f"tier {tier!r} has no periodic contact cycle")
    i = start
    while True:
        account_id = f"{prefix}{i}"
        if (periodic_phase(account_id, days) == periodic_bucket(day, days)) is want:
            return account_id, i + 1
        i += 1


def build_accounts(
    n: int,
    candidate_fraction: float,
    business_date: date,
    *,
    branch_id: str = "br-pudong",
    managers: tuple[str, ...] = ("cm-001", "cm-002"),
    prefix: str = "bench",
    candidates: int | None = None,
    kinds: list[str] | None = None,
) -> tuple[list[dict], dict[str, list[str]]]:
    """(items to write, candidate account ids by trigger). `candidates` overrides the fraction; `kinds`
    gives each candidate's kind (`periodic/<tier>` for a tier's review, `day_plan` for a realistic day),
    by default CANDIDATE_KINDS in turn (as many events as dormant and periodic, gold only)."""
    from chalicelib.config import get_settings
    from chalicelib.domain.accounts import OUTFLOW_SNAPSHOT
    from chalicelib.domain.selection import INBOX_SNAPSHOT
    from chalicelib.storage.accounts import account_item, inbox_item, transfer_item

    s = get_settings()
    d = business_date
    n_candidates = candidates if candidates is not None else round(n * candidate_fraction)
    long_ago = str(d - timedelta(days=400))
    recent = str(d - timedelta(days=10))
    items: list[dict] = []
    selected: dict[str, list[str]] = {k: [] for k in CANDIDATE_KINDS}

    def state(account_id: str, i: int, **over) -> dict:
        base = {
            "account_id": account_id,
            "status": "open",
            "branch_id": branch_id,
            "client_name": "测试客户",
            "phone_masked": "139****0000",
            "id_masked": "310***********0000",
            "opened_at": f"{long_ago}T10:00:00+08:00",
            "opened_on": long_ago,
            "channel": "counter",
            "tier": "ordinary",
            "last_trade_on": recent,
            "serving_manager_id": managers[i % len(managers)],
            "manager_since": f"{long_ago}T10:00:00+08:00",
            "version": 1,
            "updated_at": f"{d}T20:00:00+08:00",
        }
        return {**base, **over}

    def inbox(trigger: str, account: dict, **extra) -> dict:
        # What the feed writes beside the account: the event waiting for selection.
        return inbox_item(
            {
                "trigger": trigger,
                "episode": str(d),
                "event_on": str(d),
                "account_id": account["account_id"],
                "account": {k: account[k] for k in INBOX_SNAPSHOT if account.get(k)},
                **extra,
            }
        )

    cursor = 0
    plan = kinds if kinds is not None else [CANDIDATE_KINDS[i % len(CANDIDATE_KINDS)] for i in range(n_candidates)]
    if len(plan) != n_candidates:
        raise ValueError(f"{len(plan)} kinds for {n_candidates} candidates")
    for i, planned in enumerate(plan):
        kind, _, tier = planned.partition("/")
        if kind == "periodic":
            account_id, cursor = _in_phase(f"{prefix}-c", max(cursor, i), tier or "gold", d, True)
            items.append(account_item(state(account_id, i, tier=tier or "gold")))
        else:
            account_id, cursor = _in_phase(f"{prefix}-c", max(cursor, i), "ordinary", d, False)
            if kind == "new_account":
                account = state(account_id, i, opened_on=str(d), opened_at=f"{d}T10:00:00+08:00", last_trade_on=None)
                items += [account_item(account), inbox("new_account", account)]
            elif kind == "dormant":
                items.append(account_item(state(account_id, i, last_trade_on=str(d - timedelta(days=s.dormant_days)))))
            elif kind == "closed_account":
                account = state(
                    account_id,
                    i,
                    status="closed",
                    closed_on=str(d),
                    closed_at=f"{d}T15:00:00+08:00",
                    close_reason="competitor",
                )
                items += [account_item(account), inbox("closed_account", account)]
            else:
                account = state(account_id, i)
                items.append(account_item(account))
                record = {
                    "account_id": account_id,
                    "event_id": f"{account_id}-out",
                    "amount": s.large_outflow_yuan,
                    "balance_before": s.large_outflow_yuan * 3,
                    "at": f"{d}T14:00:00+08:00",
                    "on": str(d),
                    "large": True,
                    "account": {k: account[k] for k in OUTFLOW_SNAPSHOT if account.get(k)},
                }
                items.append(transfer_item(record, True))
                items.append(
                    inbox(
                        "large_outflow",
                        account,
                        transfer={k: record[k] for k in ("event_id", "amount", "balance_before", "at")},
                    )
                )
        selected[kind].append(account_id)
    cursor = 0
    for i in range(n - n_candidates):
        account_id, cursor = _in_phase(f"{prefix}-x", cursor, "ordinary", d, False)
        items.append(account_item(state(account_id, i)))
    return [{k: v for k, v in item.items() if v is not None} for item in items], selected


def seed_accounts(n: int, candidate_fraction: float, business_date: date, **kwargs) -> dict[str, list[str]]:
    """Write N accounts (BatchWriteItem, 25 a request) and return the candidate ids by trigger."""
    from chalicelib.storage import base
    from chalicelib.storage.clients import main_table

    items, selected = build_accounts(n, candidate_fraction, business_date, **kwargs)
    with main_table().batch_writer() as writer:
        for item in items:
            writer.put_item(Item=base.to_dynamo(item))
    return selected
