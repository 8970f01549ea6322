"""Reading visit logs: the author, their branch's supervisor and compliance; the met person's contact
only through an audited disclosure."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from ... import clock
from ...config import get_settings
from ...errors import Forbidden, NotFound, ValidationFailed
from ...models.visits import VisitQuery
from .. import disclosure
from ..visit_ports import PHOTOS, SEALER, VISITS

if TYPE_CHECKING:
    from ...auth import Principal


def _readable(principal: Principal, record: dict | None) -> dict:
    if record and (
        record["manager_id"] == principal.id
        or (principal.role == "supervisor" and record["branch_id"] == principal.branch_id)
        or principal.role == "compliance"
    ):
        return record
    raise NotFound("visit log not found")


def read_visit(principal: Principal, visit_id: str) -> dict:
    record = _readable(principal, VISITS().get_visit(visit_id))
    seconds = get_settings().photo_url_seconds
    return {
        **record,
        "notes": record.get("notes", []),
        "photo_urls": [PHOTOS().read_url(k, seconds) for k in record.get("photo_keys", [])],
    }


def reveal_contact(principal: Principal, visit_id: str, body) -> dict:
    """The met person's full contact to the manager who logged the visit, or to compliance with a case.

    A supervisor reads the log (masked) to sign it off; following the contact up is the manager's work.
    """
    record = VISITS().get_visit(visit_id)
    if not record:
        raise NotFound("visit log not found")
    subject = disclosure.Subject("visit", visit_id, record["branch_id"])
    purpose = disclosure.Purpose.of(body)
    try:
        _readable(principal, record)
    except NotFound:
        disclosure.record_refusal(principal, subject, purpose, "not the caller's visit log", ["person_contact"])
        raise
    if principal.role == "compliance":
        if purpose.code != "compliance_case":
            disclosure.refuse(
                principal,
                subject,
                purpose,
                "compliance reveals name their case " "(purpose compliance_case with case_ref)",
                ["person_contact"],
            )
    elif record["manager_id"] != principal.id:
        disclosure.refuse(
            principal,
            subject,
            purpose,
            "only the manager who logged the visit may reveal " "the contact",
            ["person_contact"],
        )
    shown, audit = disclosure.grant(
        principal,
        subject,
        purpose,
        {"person_contact": SEALER().unseal(sealed) if (sealed := record.get("person_contact_sealed")) else None},
    )
    return {"visit_id": visit_id, "person_contact": shown.get("person_contact"), "audit_id": audit["audit_id"]}


def visit_versions(principal: Principal, visit_id: str) -> dict:
    """How the log read before each same-day amendment (the amended log itself is `read_visit`)."""
    _readable(principal, VISITS().get_visit(visit_id))
    return {"visit_id": visit_id, "versions": VISITS().visit_versions(visit_id)}


def _range(query_from: date | None, query_to: date | None) -> tuple[str, str]:
    end = query_to or clock.today()
    start = query_from or end - timedelta(days=30)
    return start.isoformat(), f"{end.isoformat()}T~"  # "~" sorts after any time and offset


def manager_in_scope(principal: Principal, manager_id: str) -> None:
    if principal.role == "client_manager":
        if manager_id != principal.id:
            raise Forbidden("client managers list their own logs only")
        return
    if principal.role != "supervisor":
        return  # compliance reads any branch's logs
    staff = VISITS().scoped_staff(manager_id)  # the principal cache's copy: a read scope check costs no request
    if not staff or staff["branch_id"] != principal.branch_id:
        raise Forbidden("that manager is not in your branch")


def list_visits(principal: Principal, query: VisitQuery, start_key):
    start, end = _range(query.date_from, query.date_to)
    manager_id = query.manager_id or (principal.id if principal.role == "client_manager" else None)
    if manager_id:
        manager_in_scope(principal, manager_id)
        return VISITS().list_manager_visits(manager_id, start, end, limit=query.limit, start_key=start_key)
    if principal.role != "supervisor":
        raise ValidationFailed.field("query.manager_id", "is required")
    return VISITS().list_branch_visits(principal.branch_id, start, end, limit=query.limit, start_key=start_key)
