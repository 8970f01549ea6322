"""Mint a bearer token for a demo user of the local stage: `make token ROLE=supervisor N=2`."""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

from infra.demo_data import staff_id_for


def mint(staff_id: str, *, secret: str, issuer: str, audience: str, ttl_seconds: int = 8 * 3600) -> str:
    import jwt

    now = int(time.time())
    claims = {
        "sub": staff_id,
        "iss": issuer,
        "aud": audience,
        "iat": now,
        "exp": now + ttl_seconds,
        "token_use": "access",
    }
    return jwt.encode(claims, secret, algorithm="HS256")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--role", default="client_manager")
    parser.add_argument("--n", type=int, default=1)
    args = parser.parse_args()
    from chalicelib.config import Settings

    # The local stage's own environment, the same one `chalice local` runs with (the stage is required).
    config = Path(__file__).resolve().parent.parent / ".chalice" / "config.json"
    for name, value in json.loads(config.read_text())["stages"]["local"]["environment_variables"].items():
        os.environ.setdefault(name, value)
    s = Settings()
    print(mint(staff_id_for(args.role, args.n), secret=s.jwt_secret, issuer=s.jwt_issuer, audience=s.jwt_audience))


if __name__ == "__main__":
    main()
