"""Create tables and buckets on the local endpoint and load the demo data."""

from __future__ import annotations


def prepare() -> None:
    from chalicelib.config import get_settings
    from chalicelib.storage.clients import dynamodb_client
    from chalicelib.wiring import install
    from infra.demo_data import seed_all
    from infra.tables import create_tables

    install()  # the demo data goes through the domain's ports, as the app does
    s = get_settings()
    # FIELDDESK_DDB_DATA keeps DynamoDB Local's data between runs: seed only a new table.
    kept = s.table_name in dynamodb_client().list_tables()["TableNames"]
    create_tables(dynamodb_client(), s.table_name, s.idempotency_table_name)
    create_buckets()
    if kept:
        print(f"table {s.table_name} already holds data (FIELDDESK_DDB_DATA): demo data not loaded again")
    else:
        seed_all()


def create_buckets() -> None:
    from chalicelib.config import get_settings
    from chalicelib.storage.clients import s3_client

    s = get_settings()
    s3_client().create_bucket(Bucket=s.photo_bucket)
    # The mobile forms POST photos straight from the browser to the presigned URL (another origin).
    s3_client().put_bucket_cors(
        Bucket=s.photo_bucket,
        CORSConfiguration={
            "CORSRules": [
                {
                    "AllowedOrigins": list(s.cors_origins),
                    "AllowedMethods": ["POST", "GET"],
                    "AllowedHeaders": ["*"],
                    "ExposeHeaders": ["ETag"],
                    "MaxAgeSeconds": 600,
                }
            ]
        },
    )
