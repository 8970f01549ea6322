"""Demo data for the local stack (and a realistic base for API tests).

Deterministic ids so `make token ROLE=... N=...` needs no database lookup.
Each area appends its own seeding function to SEEDERS.
"""
from __future__ import annotations

from typing import Callable

BRANCH = {"branch_id": "br-pudong", "name": "浦东营业部"}
OTHER_BRANCH = {"branch_id": "br-haidian", "name": "海淀营业部"}

OUTLETS = [
    {"outlet_id": "ot-icbc-lujiazui", "bank": "工商银行", "name": "陆家嘴支行", "branch_id": "br-pudong",
     "address": "上海市浦东新区陆家嘴环路1000号", "location": {"lat": 31.2397, "lng": 121.4998}},
    {"outlet_id": "ot-ccb-zhangjiang", "bank": "建设银行", "name": "张江支行", "branch_id": "br-pudong",
     "address": "上海市浦东新区张江路88号", "location": {"lat": 31.2033, "lng": 121.5905}},
    {"outlet_id": "ot-boc-jinqiao", "bank": "中国银行", "name": "金桥支行", "branch_id": "br-pudong",
     "address": "上海市浦东新区金桥路1号", "location": {"lat": 31.2625, "lng": 121.6030}},
    {"outlet_id": "ot-abc-zhongguancun", "bank": "农业银行", "name": "中关村支行", "branch_id": "br-haidian",
     "address": "北京市海淀区中关村大街1号", "location": {"lat": 39.9834, "lng": 116.3160}},
]

# Two of every role in the demo branch, plus one manager and supervisor elsewhere.
STAFF = [
    {"staff_id": "cm-001", "name": "王晓明", "role": "client_manager", "branch_id": "br-pudong",
     "outlet_ids": ["ot-icbc-lujiazui"]},
    {"staff_id": "cm-002", "name": "李娜", "role": "client_manager", "branch_id": "br-pudong",
     "outlet_ids": ["ot-ccb-zhangjiang"]},
    {"staff_id": "sup-001", "name": "张伟", "role": "supervisor", "branch_id": "br-pudong", "outlet_ids": []},
    {"staff_id": "sup-002", "name": "刘洋", "role": "supervisor", "branch_id": "br-pudong", "outlet_ids": []},
    {"staff_id": "cba-001", "name": "陈静", "role": "callback_agent", "branch_id": "br-pudong", "outlet_ids": []},
    {"staff_id": "cba-002", "name": "杨帆", "role": "callback_agent", "branch_id": "br-pudong", "outlet_ids": []},
    {"staff_id": "cmp-001", "name": "赵敏", "role": "compliance", "branch_id": "br-pudong", "outlet_ids": []},
    {"staff_id": "cmp-002", "name": "孙强", "role": "compliance", "branch_id": "br-pudong", "outlet_ids": []},
    {"staff_id": "adm-001", "name": "周磊", "role": "admin", "branch_id": "br-pudong", "outlet_ids": []},
    {"staff_id": "adm-002", "name": "吴婷", "role": "admin", "branch_id": "br-pudong", "outlet_ids": []},
    {"staff_id": "sys-001", "name": "核心系统", "role": "system", "branch_id": "br-pudong", "outlet_ids": []},
    {"staff_id": "sys-002", "name": "批处理", "role": "system", "branch_id": "br-pudong", "outlet_ids": []},
    {"staff_id": "cm-101", "name": "黄磊", "role": "client_manager", "branch_id": "br-haidian",
     "outlet_ids": ["ot-abc-zhongguancun"]},
    {"staff_id": "sup-101", "name": "郑凯", "role": "supervisor", "branch_id": "br-haidian", "outlet_ids": []},
]


def staff_id_for(role: str, n: int = 1) -> str:
    """The n-th demo user of a role (1-based), in the demo branch first."""
    matches = [s["staff_id"] for s in STAFF if s["role"] == role]
    if not 1 <= n <= len(matches):
        raise SystemExit(f"no demo user #{n} with role {role}; roles: "
                         f"{sorted({s['role'] for s in STAFF})}")
    return matches[n - 1]


def seed_directory() -> None:
    from chalicelib import clock
    from chalicelib.storage import directory

    now = clock.iso(clock.now())
    for b in (BRANCH, OTHER_BRANCH):
        directory.put_branch(b)
    for o in OUTLETS:
        if not directory.get_outlet(o["outlet_id"]):
            directory.put_outlet({**o, "status": "active", "created_at": now}, new=True)
    for s in STAFF:
        if not directory.get_staff(s["staff_id"]):
            directory.put_staff({**s, "status": "active", "created_at": now}, new=True)


SEEDERS: list[Callable[[], None]] = [seed_directory]


def seed_all() -> None:
    for seeder in SEEDERS:
        seeder()


def seed_accounts() -> None:
    """~20 accounts in the demo branch, fed through the real feed; several are candidates for yesterday."""
    from datetime import timedelta

    from chalicelib import clock
    from chalicelib.domain import accounts
    from chalicelib.models.pii import id_check_digit
    from chalicelib.storage.accounts import periodic_bucket, periodic_phase

    d = clock.today() - timedelta(days=1)  # yesterday: what tonight's job selects
    long_ago = d - timedelta(days=400)

    def opened(i: int, on, **extra) -> dict:
        first17 = f"31011519880101{i:03d}"
        return {"type": "account_opened", "event_id": f"demo-open-{i}", "account_id": f"demo-ac-{i:03d}",
                "branch_id": "br-pudong", "client_name": ["赵一", "钱二", "孙三", "李四", "周五"][i % 5] + "先生",
                "phone": f"1380013{i:04d}", "id_number": first17 + id_check_digit(first17),
                "opened_at": f"{on}T10:30:00+08:00", "serving_manager_id": ("cm-001", "cm-002")[i % 2],
                "tier": "ordinary", "channel": "counter", **extra}

    def trade(i: int, on) -> dict:
        return {"type": "trade_day", "event_id": f"demo-trade-{i}-{on}", "account_id": f"demo-ac-{i:03d}",
                "trade_date": str(on)}

    gold = next(i for i in range(100, 1000)
                if periodic_phase(f"demo-ac-{i:03d}", 14) == periodic_bucket(d, 14))
    events = [opened(1, d), opened(2, d, channel="bank_outlet_bulk", outlet_id="ot-icbc-lujiazui"),
              opened(3, d - timedelta(days=180)),                                    # dormant, never traded
              opened(4, long_ago), trade(4, d - timedelta(days=180)),               # dormant
              opened(5, long_ago), trade(5, d - timedelta(days=3)),
              {"type": "transfer_out", "event_id": "demo-out-5", "account_id": "demo-ac-005", "amount": "650000.00",
               "balance_before": "900000.00", "at": f"{d}T14:05:00+08:00"},       # large outflow
              opened(6, long_ago), {"type": "account_closed", "event_id": "demo-close-6", "account_id": "demo-ac-006",
                                    "closed_at": f"{d}T15:00:00+08:00", "reason": "commission_rate"},
              opened(gold, long_ago, tier="gold"), trade(gold, d - timedelta(days=2))]  # periodic (gold)
    for i in range(7, 21):  # ordinary accounts, recently active: not candidates
        events += [opened(i, long_ago, tier=("silver", "ordinary")[i % 2]), trade(i, d - timedelta(days=i))]
    accounts.ingest(events, source="demo")


SEEDERS.append(seed_accounts)
