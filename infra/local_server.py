"""Serve the app with Chalice's local dev server (what `chalice local` runs) on a given port.

`chalice local` overwrites the environment with the stage's variables from .chalice/config.json,
which pin moto to port 5005; `make run` (with FIELDDESK_MOTO_PORT) and the end-to-end tests
start the same server with the environment they were given instead.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    port = int(sys.argv[1])
    sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)
    from chalice.config import Config
    from chalice.local import LocalDevServer

    from app import app

    config = Config.create(chalice_stage="local", app_name="fielddesk", project_dir=str(ROOT))
    LocalDevServer(app, config, "127.0.0.1", port).serve_forever()


if __name__ == "__main__":
    main()
