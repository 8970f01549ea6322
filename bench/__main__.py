"""`make bench`: every benchmark, each printing its figures and targets; exit 1 if any target is missed."""

from __future__ import annotations

import importlib.util
import platform
import subprocess
import sys
from datetime import UTC, datetime

SUITES = [
    "bench.scheduler",
    "bench.routes",
    "bench.cold_import",
    "bench.cold_start",
    "bench.test_speed",  # issue 17: this suite against 2e00bcc's, one after the other (~6 min)
    "bench.durability",
    "bench.capacity",
    "bench.replay",
    "bench.send_pace",
]


def main() -> int:
    print(
        f"FieldDesk benchmarks, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.machine()}, "
        f"{platform.python_version()}, {subprocess.run(['nproc'], capture_output=True, text=True).stdout.strip()} cores"
    )
    failed = []
    for name in SUITES:
        if importlib.util.find_spec(name) is None:
            print(f"\n== {name}: not present")
            continue
        print(f"\n== {name}")
        # Each suite runs in its own process: moto state and import caches must not leak between them.
        code = subprocess.run([sys.executable, "-m", name]).returncode
        if code:
            failed.append(name)
    print("\nall targets met" if not failed else f"\ntargets missed in: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
