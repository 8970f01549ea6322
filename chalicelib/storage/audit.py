"""Disclosure audit (PIPL): every full reveal of a phone or ID number is recorded."""
from __future__ import annotations

import uuid

from .. import clock
from . import base, keys


def record_reveal(*, actor_id: str, actor_role: str, subject_kind: str, subject_id: str, fields: list[str],
                  purpose: str, branch_id: str) -> dict:
    at = clock.iso(clock.now())
    audit_id = uuid.uuid4().hex
    record = {"audit_id": audit_id, "at": at, "actor_id": actor_id, "actor_role": actor_role,
              "subject_kind": subject_kind, "subject_id": subject_id, "fields": fields, "purpose": purpose,
              "branch_id": branch_id}
    base.put_new({**keys.reveal_audit(at, audit_id),
                  **keys.reveal_audit_subject_index(subject_kind, subject_id, at, audit_id), **record})
    return record


def list_reveals(month: str, *, limit: int, start_key=None) -> base.Page:
    return base.query_records(f"AUDIT#REVEAL#{month}", limit=limit, start_key=start_key, newest_first=True)


def list_subject_reveals(subject_kind: str, subject_id: str, *, limit: int, start_key=None) -> base.Page:
    return base.query_records(f"SUBJECT#{subject_kind}#{subject_id}#AUDIT", index="gsi1", limit=limit,
                              start_key=start_key, newest_first=True)
