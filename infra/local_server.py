"""Serve the app with Chalice's local dev server (what `chalice local` runs) on a given port.

`chalice local` overwrites the environment with the stage's variables from .chalice/config.json,
which pin moto to port 5005; `make run` (with FIELDDESK_MOTO_PORT) and the end-to-end tests
start the same server with the environment they were given instead.
"""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOCK = threading.Lock()


def main() -> None:
    port = int(sys.argv[1])
    sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)
    from chalice.config import Config
    from chalice.local import ChaliceRequestHandler, LocalDevServer

    from app import app

    class OneRequestAtATime(ChaliceRequestHandler):
        """Connections stay threaded (browsers keep them open), but the app runs one request at a
        time, as in Lambda: Chalice keeps `current_request` on the app object, so two requests
        running together could each read the other's."""

        def _generic_handle(self) -> None:
            with LOCK:
                super()._generic_handle()

        # The base class binds every verb to its own _generic_handle; rebind them to ours.
        do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = do_PATCH = do_OPTIONS = _generic_handle

    config = Config.create(chalice_stage="local", app_name="fielddesk", project_dir=str(ROOT))
    LocalDevServer(app, config, "127.0.0.1", port, handler_cls=OneRequestAtATime).serve_forever()


if __name__ == "__main__":
    main()
