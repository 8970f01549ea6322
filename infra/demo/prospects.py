"""Prospects for cm-001 and cm-002, and (local stage only) a known API key for 陆家嘴支行."""

from __future__ import annotations

ORDER = 15

DEMO_OUTLET_KEY_ID = "demolujiazui"
DEMO_OUTLET_KEY_SECRET = "local-demo-secret-lujiazui-0001"
DEMO_OUTLET_API_KEY = f"fdk_{DEMO_OUTLET_KEY_ID}.{DEMO_OUTLET_KEY_SECRET}"

DEMO_PROSPECTS = [
    (
        "cm-001",
        {
            "name": "陈建国",
            "phone": "13800138001",
            "class": "A",
            "source": "outlet_walk_in",
            "outlet_id": "ot-icbc-lujiazui",
            "need": "退休金稳健理财",
            "note": "工作日下午方便",
        },
    ),
    (
        "cm-001",
        {
            "name": "林美华",
            "phone": "13800138002",
            "id_number": "11010519491231002X",
            "class": "B",
            "source": "seminar",
            "need": "了解科创板开户条件",
        },
    ),
    ("cm-001", {"name": "周志强", "phone": "13800138003", "class": "C", "source": "own_network", "need": "观望中"}),
    (
        "cm-002",
        {
            "name": "吴丽娟",
            "phone": "13800138004",
            "class": "A",
            "source": "referral",
            "outlet_id": "ot-ccb-zhangjiang",
            "need": "基金定投",
        },
    ),
    ("cm-002", {"name": "郑海波", "phone": "13800138005", "class": "D", "source": "own_network", "need": ""}),
]


def seed() -> None:
    from chalicelib import clock
    from chalicelib.auth import Principal
    from chalicelib.config import get_settings
    from chalicelib.domain import outlet_keys
    from chalicelib.domain.prospects import registration
    from chalicelib.models.pii import normalise_mobile
    from chalicelib.models.prospects import ProspectIn
    from chalicelib.storage import directory
    from chalicelib.storage import outlet_keys as key_store
    from chalicelib.storage import prospects as repo
    from chalicelib.wiring import prospects
    from infra.demo_data import STAFF

    names = {s["staff_id"]: s["name"] for s in STAFF}
    for staff_id, data in DEMO_PROSPECTS:
        if repo.get_claim(repo.PHONE, repo.phone_hash(normalise_mobile(data["phone"]))):
            continue  # already seeded; registering again would record a collision
        who = Principal(kind="staff", id=staff_id, role="client_manager", branch_id="br-pudong", name=names[staff_id])
        body = ProspectIn.model_validate({**data, "first_contact_on": clock.today().isoformat()})
        registration.register(prospects.deps(), who, body)
    if get_settings().stage != "local" or directory.get_api_key(DEMO_OUTLET_KEY_ID):
        return
    outlet = directory.get_outlet("ot-icbc-lujiazui")
    if outlet is None:
        raise SystemExit("the demo outlet ot-icbc-lujiazui is missing: the directory is seeded first")
    key_store.put_key_directly(
        outlet_keys.new_key_record(
            outlet, key_id=DEMO_OUTLET_KEY_ID, secret=DEMO_OUTLET_KEY_SECRET, label="local demo key", by="demo-data"
        )
    )
