"""axe-core for the browser tests: the npm package, pinned and checksummed, kept in `.local/axe/` (git-ignored).

`npm pack` fetches the tarball without running any of its scripts (as infra/ddb_local.py does for
DynamoDB Local); its sha256 must match the pin. The page's CSP allows no inline scripts, so the
engine is evaluated through the DevTools protocol (page.evaluate), which the CSP does not govern.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VERSION = "4.10.3"
SHA256 = "0f2b4d7dcdf7d1219df8d1959ad68e565f51d14c3f0d88bb71cd59abeb956292"
HOME = ROOT / ".local" / "axe" / VERSION
# The experimental rule issue 20 names (a visible label the accessible name must contain) is off by default.
RULES = {"label-content-name-mismatch": {"enabled": True}}


def axe_source() -> str:
    target = HOME / "axe.min.js"
    if not target.exists():
        npm = shutil.which("npm")
        if not npm:
            raise RuntimeError("npm is missing: install nodejs/npm to fetch axe-core for the accessibility checks")
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run(
                [npm, "pack", f"axe-core@{VERSION}", "--silent", "--pack-destination", tmp],
                check=True,
                capture_output=True,
                timeout=300,
            )
            tarball = Path(tmp) / f"axe-core-{VERSION}.tgz"
            digest = hashlib.sha256(tarball.read_bytes()).hexdigest()
            if digest != SHA256:
                raise RuntimeError(f"axe-core {VERSION}: sha256 {digest} does not match the pin {SHA256}")
            with tarfile.open(tarball) as tar:
                member = tar.extractfile("package/axe.min.js")
                HOME.mkdir(parents=True, exist_ok=True)
                target.write_bytes(member.read())
    return target.read_text()


def serious_violations(page) -> list[dict]:
    """axe's violations of impact serious or critical on the page as it is now (WCAG 2.x A/AA and best practice)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source())
    result = page.evaluate("rules => axe.run(document, {rules, resultTypes: ['violations']})", RULES)
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
