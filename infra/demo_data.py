"""Demo data for the local stack (and a realistic base for API tests).

Deterministic ids so `make token ROLE=... N=...` needs no database lookup.
The directory is here; each area seeds its own records in `infra/demo/<area>.py`
(a `seed()` function and an `ORDER`), run after the directory in that order.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any, TypedDict


class DemoStaff(TypedDict):
    staff_id: str
    name: str
    role: str
    branch_id: str
    outlet_ids: list[str]


BRANCH = {"branch_id": "br-pudong", "name": "浦东营业部"}
OTHER_BRANCH = {"branch_id": "br-haidian", "name": "海淀营业部"}

OUTLETS: list[dict[str, Any]] = [
    {
        "outlet_id": "ot-icbc-lujiazui",
        "bank": "工商银行",
        "name": "陆家嘴支行",
        "branch_id": "br-pudong",
        "address": "上海市浦东新区陆家嘴环路1000号",
        "location": {"lat": 31.2397, "lng": 121.4998},
    },
    {
        "outlet_id": "ot-ccb-zhangjiang",
        "bank": "建设银行",
        "name": "张江支行",
        "branch_id": "br-pudong",
        "address": "上海市浦东新区张江路88号",
        "location": {"lat": 31.2033, "lng": 121.5905},
    },
    {
        "outlet_id": "ot-boc-jinqiao",
        "bank": "中国银行",
        "name": "金桥支行",
        "branch_id": "br-pudong",
        "address": "上海市浦东新区金桥路1号",
        "location": {"lat": 31.2625, "lng": 121.6030},
    },
    {
        "outlet_id": "ot-abc-zhongguancun",
        "bank": "农业银行",
        "name": "中关村支行",
        "branch_id": "br-haidian",
        "address": "北京市海淀区中关村大街1号",
        "location": {"lat": 39.9834, "lng": 116.3160},
    },
]

# Two of every role in the demo branch, plus one manager and supervisor elsewhere.
STAFF: list[DemoStaff] = [
    {
        "staff_id": "cm-001",
        "name": "王晓明",
        "role": "client_manager",
        "branch_id": "br-pudong",
        "outlet_ids": ["ot-icbc-lujiazui"],
    },
    {
        "staff_id": "cm-002",
        "name": "李娜",
        "role": "client_manager",
        "branch_id": "br-pudong",
        "outlet_ids": ["ot-ccb-zhangjiang"],
    },
    {"staff_id": "sup-001", "name": "张伟", "role": "supervisor", "branch_id": "br-pudong", "outlet_ids": []},
    {"staff_id": "sup-002", "name": "刘洋", "role": "supervisor", "branch_id": "br-pudong", "outlet_ids": []},
    {"staff_id": "cba-001", "name": "陈静", "role": "callback_agent", "branch_id": "br-pudong", "outlet_ids": []},
    {"staff_id": "cba-002", "name": "杨帆", "role": "callback_agent", "branch_id": "br-pudong", "outlet_ids": []},
    {"staff_id": "cbl-001", "name": "高峰", "role": "callback_lead", "branch_id": "br-pudong", "outlet_ids": []},
    {"staff_id": "cbl-002", "name": "何静", "role": "callback_lead", "branch_id": "br-pudong", "outlet_ids": []},
    {"staff_id": "cmp-001", "name": "赵敏", "role": "compliance", "branch_id": "br-pudong", "outlet_ids": []},
    {"staff_id": "cmp-002", "name": "孙强", "role": "compliance", "branch_id": "br-pudong", "outlet_ids": []},
    {"staff_id": "adm-001", "name": "周磊", "role": "admin", "branch_id": "br-pudong", "outlet_ids": []},
    {"staff_id": "adm-002", "name": "吴婷", "role": "admin", "branch_id": "br-pudong", "outlet_ids": []},
    {"staff_id": "sys-001", "name": "核心系统", "role": "system", "branch_id": "br-pudong", "outlet_ids": []},
    {"staff_id": "sys-002", "name": "批处理", "role": "system", "branch_id": "br-pudong", "outlet_ids": []},
    {
        "staff_id": "cm-101",
        "name": "黄磊",
        "role": "client_manager",
        "branch_id": "br-haidian",
        "outlet_ids": ["ot-abc-zhongguancun"],
    },
    {"staff_id": "sup-101", "name": "郑凯", "role": "supervisor", "branch_id": "br-haidian", "outlet_ids": []},
]


def staff_id_for(role: str, n: int = 1) -> str:
    """The n-th demo user of a role (1-based), in the demo branch first."""
    matches = [s["staff_id"] for s in STAFF if s["role"] == role]
    if not 1 <= n <= len(matches):
        raise SystemExit(f"no demo user #{n} with role {role}; roles: " f"{sorted({s['role'] for s in STAFF})}")
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
            directory.put_staff({**s, "status": "active", "created_at": now})


def seed_all() -> None:
    from chalicelib.wiring import install

    install()  # every domain port bound (a runner that seeds without importing app.py)
    from infra import demo

    seed_directory()
    modules = [importlib.import_module(f"infra.demo.{m.name}") for m in pkgutil.iter_modules(demo.__path__)]
    for module in sorted(modules, key=lambda m: m.ORDER):
        module.seed()
