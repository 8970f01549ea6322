"""The branch port (domain/branch_ports.py) on DynamoDB: `BRANCH#<id>`/`PROFILE`, listed through gsi2 `BRANCHES`."""

from __future__ import annotations

from . import base, directory


class DynamoBranchRepository:
    def create(self, record: dict) -> None:
        directory.put_new_branch(record)

    def get(self, branch_id: str) -> dict | None:
        return directory.get_branch(branch_id)

    def list(self, *, limit: int, start_key: dict | None = None) -> base.Page:
        return base.query_records("BRANCHES", index="gsi2", limit=limit, start_key=start_key)
