"""`make openapi`: write docs/openapi.json and docs/routes.md from the registered routes (and
refresh the configuration table in docs/operations.md from chalicelib/config.py).

    python -m infra.openapi_doc            # (re)write both
    python -m infra.openapi_doc --check    # exit 1 when either is stale
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "openapi.json"


def render() -> str:
    """The document as committed: the default version, stable key order, UTF-8 kept readable."""
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    sys.path.insert(0, str(ROOT))
    import app  # noqa: F401  - registers every blueprint's routes
    from chalicelib.config import Settings
    from chalicelib.openapi import build_document

    document = build_document(version=Settings.model_fields["version"].default)
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if docs/openapi.json is out of date")
    args = parser.parse_args(argv)
    from infra import routes_doc, settings_doc

    text = render()
    if args.check:
        stale = [] if DOC.exists() and DOC.read_text(encoding="utf-8") == text else ["docs/openapi.json"]
        if settings_doc.render(settings_doc.DOC.read_text(encoding="utf-8")) != settings_doc.DOC.read_text(
            encoding="utf-8"
        ):
            stale.append("docs/operations.md (configuration table)")
        if not routes_doc.DOC.exists() or routes_doc.DOC.read_text(encoding="utf-8") != routes_doc.render():
            stale.append("docs/routes.md")
        if stale:
            print(f"out of date: {', '.join(stale)}: run `make openapi` and commit", file=sys.stderr)
            return 1
        return 0
    DOC.write_text(text, encoding="utf-8")
    print(f"wrote {DOC.relative_to(ROOT)}")
    if routes_doc.write():
        print(f"refreshed {routes_doc.DOC.relative_to(ROOT)}")
    if settings_doc.write():
        print(f"refreshed the configuration table in {settings_doc.DOC.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
