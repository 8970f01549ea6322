"""Cold-import benchmark: importing app.py vs importing its third-party dependencies alone.

    python bench/cold_import.py              # print the figures
    python bench/cold_import.py --write      # also update the section in docs/benchmarks.md

What a Lambda cold start pays before the first request is mostly imports. Each
sample is a fresh interpreter (the same venv, the same environment as Lambda's
prod stage) timing one `import` with perf_counter; the two cases alternate so
machine noise hits both alike, and the medians are compared. The dependency
baseline is every third-party module that importing app.py loads, imported on
its own: the ratio is what FieldDesk's own code adds (target <= 1.15).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"
TARGET = 1.15
BEGIN, END = "<!-- cold-import:begin -->", "<!-- cold-import:end -->"
ENV = {
    "AWS_DEFAULT_REGION": "cn-north-1",
    "FIELDDESK_STAGE": "prod",
    "FIELDDESK_JWT_MODE": "jwks",
    "FIELDDESK_JWKS_URL": "https://idp.example.cn/jwks.json",
    "FIELDDESK_JWT_ISSUER": "https://idp.example.cn",
    "FIELDDESK_HASH_KEY_SECRET": "hash",
    "FIELDDESK_PAGE_TOKEN_KEY_SECRET": "page",
    "FIELDDESK_KMS_KEY_ID": "arn:aws:kms:cn-north-1:123456789012:key/bench",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_SERVICE_NAME": "fielddesk",
}

_TIMED = """
import sys, time
sys.path.insert(0, {root!r})
t0 = time.perf_counter()
{body}
print(time.perf_counter() - t0)
"""

_LIST_THIRD_PARTY = """
import sys
sys.path.insert(0, {root!r})
before = set(sys.modules)
import app
own = ("app", "chalicelib")
stdlib = set(sys.stdlib_module_names)
mods = sorted(m for m in set(sys.modules) - before
              if m.split(".")[0] not in stdlib and m.split(".")[0] not in own and not m.startswith("_")
              and getattr(sys.modules[m], "__file__", None))
print("\\n".join(mods))
"""


def _run(code: str) -> str:
    # Any value of PYTHONDONTWRITEBYTECODE (even "0") stops .pyc files being written, and then every sample
    # compiled our sources while the dependencies came compiled from pip: Lambda runs compiled files.
    env = {**{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}, **ENV}
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout.strip()


def third_party_modules() -> list[str]:
    return _run(_LIST_THIRD_PARTY.format(root=str(ROOT))).splitlines()


def sample(body: str) -> float:
    return float(_run(_TIMED.format(root=str(ROOT), body=body)).splitlines()[-1])


def measure(runs: int) -> dict:
    modules = third_party_modules()
    deps_body = "\n".join(f"import {m}" for m in modules)
    for _ in range(2):  # warm the OS file cache and .pyc files for both
        sample("import app"), sample(deps_body)
    app_times, deps_times = [], []
    for _ in range(runs):
        app_times.append(sample("import app"))
        deps_times.append(sample(deps_body))
    app_median, deps_median = statistics.median(app_times), statistics.median(deps_times)
    return {
        "runs": runs,
        "third_party_modules": len(modules),
        "top_level": sorted({m.split(".")[0] for m in modules}),
        "app_ms": round(app_median * 1000, 1),
        "deps_ms": round(deps_median * 1000, 1),
        "app_spread_ms": [round(min(app_times) * 1000, 1), round(max(app_times) * 1000, 1)],
        "deps_spread_ms": [round(min(deps_times) * 1000, 1), round(max(deps_times) * 1000, 1)],
        "ratio": round(app_median / deps_median, 3),
        "target": TARGET,
        "python": platform.python_version(),
        "machine": f"{platform.system()} {platform.machine()}, " f"{os.cpu_count()} CPUs (shared)",
    }


def markdown(r: dict) -> str:
    verdict = "met" if r["ratio"] <= TARGET else "MISSED"
    return "\n".join(
        [
            BEGIN,
            f"Measured by `make bench-import` (bench/cold_import.py): {r['runs']} alternating fresh-interpreter "
            f"samples of each, medians; Python {r['python']}, {r['machine']}.",
            "",
            "| import | median | min - max |",
            "| --- | --- | --- |",
            f"| third-party dependencies alone ({r['third_party_modules']} modules) | {r['deps_ms']} ms | "
            f"{r['deps_spread_ms'][0]} - {r['deps_spread_ms'][1]} ms |",
            f"| `app.py` (every blueprint, the dependencies above included) | {r['app_ms']} ms | "
            f"{r['app_spread_ms'][0]} - {r['app_spread_ms'][1]} ms |",
            "",
            f"Ratio app / dependencies: **{r['ratio']}** (target <= {TARGET}: {verdict}).",
            f"Top-level packages loaded at import: {', '.join(r['top_level'])}.",
            END,
        ]
    )


def write(section: str) -> None:
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Benchmarks\n"
    if BEGIN in text and END in text:
        text = re.sub(re.escape(BEGIN) + ".*?" + re.escape(END), lambda _: section, text, flags=re.S)
    else:
        text = text.rstrip("\n") + "\n\n## Cold import\n\n" + section + "\n"
    DOC.write_text(text, encoding="utf-8")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="cold-import benchmark")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--write", action="store_true", help="update the cold import section of docs/benchmarks.md")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    result = measure(args.runs)
    print(json.dumps(result, indent=2) if args.json else markdown(result))
    if args.write:
        write(markdown(result))
    return 0 if result["ratio"] <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
