"""Create tables and buckets on the local endpoint and load the demo data."""
from __future__ import annotations


def prepare() -> None:
    from chalicelib.config import get_settings
    from chalicelib.storage.clients import dynamodb_client
    from infra.demo_data import seed_all
    from infra.tables import create_tables

    s = get_settings()
    create_tables(dynamodb_client(), s.table_name, s.idempotency_table_name)
    create_buckets()
    seed_all()


def create_buckets() -> None:
    from chalicelib.config import get_settings
    from chalicelib.storage.clients import s3_client

    s3_client().create_bucket(Bucket=get_settings().photo_bucket)
