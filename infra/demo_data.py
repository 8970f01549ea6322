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


# --- intent clients -----------------------------------------------------------------------
# The demo outlet key works on the local stage only; anywhere else no key is seeded.
DEMO_OUTLET_KEY_ID = "demolujiazui"
DEMO_OUTLET_KEY_SECRET = "local-demo-secret-lujiazui-0001"
DEMO_OUTLET_API_KEY = f"fdk_{DEMO_OUTLET_KEY_ID}.{DEMO_OUTLET_KEY_SECRET}"

DEMO_PROSPECTS = [
    ("cm-001", {"name": "陈建国", "phone": "13800138001", "class": "A", "source": "outlet_walk_in",
                "outlet_id": "ot-icbc-lujiazui", "need": "退休金稳健理财", "note": "工作日下午方便"}),
    ("cm-001", {"name": "林美华", "phone": "13800138002", "id_number": "11010519491231002X", "class": "B",
                "source": "seminar", "need": "了解科创板开户条件"}),
    ("cm-001", {"name": "周志强", "phone": "13800138003", "class": "C", "source": "own_network",
                "need": "观望中"}),
    ("cm-002", {"name": "吴丽娟", "phone": "13800138004", "class": "A", "source": "referral",
                "outlet_id": "ot-ccb-zhangjiang", "need": "基金定投"}),
    ("cm-002", {"name": "郑海波", "phone": "13800138005", "class": "D", "source": "own_network", "need": ""}),
]


def seed_prospects() -> None:
    from chalicelib import clock
    from chalicelib.auth import Principal
    from chalicelib.config import get_settings
    from chalicelib.domain import outlet_keys, prospects
    from chalicelib.models.pii import normalise_mobile
    from chalicelib.models.prospects import ProspectIn
    from chalicelib.storage import directory
    from chalicelib.storage import outlet_keys as key_store
    from chalicelib.storage import prospects as repo

    names = {s["staff_id"]: s["name"] for s in STAFF}
    for staff_id, data in DEMO_PROSPECTS:
        if repo.get_claim(repo.PHONE, repo.phone_hash(normalise_mobile(data["phone"]))):
            continue  # already seeded; registering again would record a collision
        who = Principal(kind="staff", id=staff_id, role="client_manager", branch_id="br-pudong",
                        name=names[staff_id])
        body = ProspectIn.model_validate({**data, "first_contact_on": clock.today().isoformat()})
        prospects.register(who, body)
    if get_settings().stage != "local" or directory.get_api_key(DEMO_OUTLET_KEY_ID):
        return
    outlet = directory.get_outlet("ot-icbc-lujiazui")
    key_store.put_key_directly(outlet_keys.new_key_record(outlet, key_id=DEMO_OUTLET_KEY_ID,
                                                          secret=DEMO_OUTLET_KEY_SECRET, label="local demo key",
                                                          by="demo-data"))


SEEDERS.append(seed_prospects)


def seed_all() -> None:
    for seeder in SEEDERS:
        seeder()
