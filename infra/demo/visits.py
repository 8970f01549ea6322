"""A few of cm-001's logs from today, so the lists are not empty."""

from __future__ import annotations

from datetime import timedelta

ORDER = 10


def seed() -> None:
    from chalicelib import clock
    from chalicelib.auth import Principal
    from chalicelib.domain.visits import record_visit
    from chalicelib.models.visits import VisitIn, VisitKind

    cm = Principal(
        kind="staff", id="cm-001", role="client_manager", branch_id="br-pudong", outlet_ids=("ot-icbc-lujiazui",)
    )
    now = clock.now()
    for hours, kind, person, clients in (
        (3, "outlet_shift", "大堂经理 周女士", 1),
        (2, "phone", "客户 陈先生", 1),
        (1, "on_site", "某科技公司 财务 孙总", 2),
    ):
        record_visit(
            cm,
            VisitIn(
                kind=VisitKind(kind),
                visited_at=now - timedelta(hours=hours),
                outlet_id="ot-icbc-lujiazui",
                person_met=person,
                discussed="介绍基金定投与两融业务",
                outcome="有意向",
                clients_count=clients,
            ),
        )
