"""Write the branch console as static files for an S3 (+ CloudFront) origin, as the API serves them.

    .venv/bin/python -m infra.web_static OUT_DIR

The API writes content hashes into the console's HTML and module imports as it serves them
(chalicelib/api/console.py); a static origin needs the same files, so this writes them:
`OUT_DIR/app/console/index.html` (with `<base href="../">`) and each asset under
`OUT_DIR/app/console/`, plus `OUT_DIR/cache-control.json` mapping each key to the Cache-Control its
upload must carry (`aws s3 cp --cache-control …`). The phone forms (chalicelib/web/*) are copied
as they are. docs/operations.md "The web pages in AWS" says how to wire it.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

from chalicelib.api import console, web


def export(out: Path) -> dict[str, str]:
    cache: dict[str, str] = {}
    app = out / "app"
    (app / "console").mkdir(parents=True, exist_ok=True)
    for name, (_type, control) in web.ASSETS.items():
        shutil.copyfile(web.WEB_DIR / name, app / name)
        cache[f"app/{name}"] = control
    shutil.copyfile(web.WEB_DIR / "index.html", app / "index.html")
    cache["app/index.html"] = web.INDEX[1]
    for name in console.asset_names():
        (app / "console" / name).write_text(console.served(name), encoding="utf-8")
        # Requested as name?v=<hash>: a changed file is a new URL, so the object may be kept a year.
        cache[f"app/console/{name}"] = console.IMMUTABLE
    html = console._versioned(console._raw("index.html"), ("index.html",))
    (app / "console" / "index.html").write_text(html, encoding="utf-8")
    cache["app/console/index.html"] = console.HTML_CACHE
    (out / "cache-control.json").write_text(json.dumps(cache, indent=2, sort_keys=True) + "\n")
    return cache


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__)
        return 2
    cache = export(Path(argv[0]))
    print(f"wrote {len(cache)} files under {argv[0]} (see cache-control.json)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
