"""Visit photos in S3: presigned uploads with size and type limits, short-lived reads."""

from __future__ import annotations

from ..config import get_settings
from .clients import s3_client


def presign_upload(key: str, content_type: str, max_bytes: int, expires: int) -> dict:
    return s3_client().generate_presigned_post(
        Bucket=get_settings().photo_bucket,
        Key=key,
        Fields={"Content-Type": content_type},
        Conditions=[{"Content-Type": content_type}, ["content-length-range", 1, max_bytes]],
        ExpiresIn=expires,
    )


def presign_read(key: str, expires: int) -> str:
    return s3_client().generate_presigned_url(
        "get_object", Params={"Bucket": get_settings().photo_bucket, "Key": key}, ExpiresIn=expires
    )
