"""~20 accounts in the demo branch, fed through the real feed; several are candidates for yesterday."""

from __future__ import annotations

from datetime import timedelta

ORDER = 30


def seed() -> None:
    from chalicelib import clock
    from chalicelib.domain import accounts
    from chalicelib.models.pii import id_check_digit
    from chalicelib.storage.accounts import periodic_bucket, periodic_phase
    from chalicelib.wiring import install

    install()  # the feed's rules reach the table through their ports (idempotent)

    d = clock.today() - timedelta(days=1)  # yesterday: what tonight's job selects
    long_ago = d - timedelta(days=400)

    def opened(i: int, on, **extra) -> dict:
        first17 = f"31011519880101{i:03d}"
        return {
            "type": "account_opened",
            "event_id": f"demo-open-{i}",
            "account_id": f"demo-ac-{i:03d}",
            "branch_id": "br-pudong",
            "client_name": ["赵一", "钱二", "孙三", "李四", "周五"][i % 5] + "先生",
            "phone": f"1380013{i:04d}",
            "id_number": first17 + id_check_digit(first17),
            "opened_at": f"{on}T10:30:00+08:00",
            "serving_manager_id": ("cm-001", "cm-002")[i % 2],
            "tier": "ordinary",
            "channel": "counter",
            **extra,
        }

    def trade(i: int, on) -> dict:
        return {
            "type": "trade_day",
            "event_id": f"demo-trade-{i}-{on}",
            "account_id": f"demo-ac-{i:03d}",
            "trade_date": str(on),
        }

    gold = next(i for i in range(100, 1000) if periodic_phase(f"demo-ac-{i:03d}", 14) == periodic_bucket(d, 14))
    events = [
        opened(1, d),
        opened(2, d, channel="bank_outlet_bulk", outlet_id="ot-icbc-lujiazui"),
        opened(3, d - timedelta(days=180)),  # dormant, never traded
        opened(4, long_ago),
        trade(4, d - timedelta(days=180)),  # dormant
        opened(5, long_ago),
        trade(5, d - timedelta(days=3)),
        {
            "type": "transfer_out",
            "event_id": "demo-out-5",
            "account_id": "demo-ac-005",
            "amount": "650000.00",
            "balance_before": "900000.00",
            "at": f"{d}T14:05:00+08:00",
        },  # large outflow
        opened(6, long_ago),
        {
            "type": "account_closed",
            "event_id": "demo-close-6",
            "account_id": "demo-ac-006",
            "closed_at": f"{d}T15:00:00+08:00",
            "reason": "commission_rate",
        },
        opened(gold, long_ago, tier="gold"),
        trade(gold, d - timedelta(days=2)),
    ]  # periodic (gold)
    for i in range(7, 21):  # ordinary accounts, recently active: not candidates
        events += [opened(i, long_ago, tier=("silver", "ordinary")[i % 2]), trade(i, d - timedelta(days=i))]
    accounts.ingest(events, source="demo")
