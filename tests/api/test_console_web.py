"""The branch console's pages (issue 20 §1, §2, §4): served under /app/console with hashed, long-cached
assets, HTML that is never stored, a CSP without inline scripts, and ECharts vendored at its pinned hash."""

from __future__ import annotations

import hashlib
import json
import re

from chalicelib.api import console

LOCK = json.loads((console.CONSOLE_DIR / "echarts.lock.json").read_text())


def text(api, path, **kw) -> tuple[int, str]:
    status, body = api.get(path, **kw)
    return status, body.decode() if isinstance(body, bytes) else body


def test_the_console_page_is_never_stored_and_allows_no_inline_script(api):
    for path in ("/app/console", "/app/console/", "/app/console/index.html"):
        status, body = text(api, path)
        headers = api.last.headers
        assert status == 200, path
        assert headers["Content-Type"] == "text/html; charset=utf-8"
        assert headers["Cache-Control"] == "no-store"
        csp = headers["Content-Security-Policy"]
        assert "script-src 'self';" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert "frame-ancestors 'none'" in csp
        assert '<base href="/app/">' in body
        # Every script is a file of this origin: no inline script, no event-handler attributes.
        assert not re.search(r"<script(?![^>]*\bsrc=)", body) and not re.search(r"\son[a-z]+=", body)
        assert re.search(r'<script type="module" src="console/main\.js\?v=[0-9a-f]{16}">', body)
        assert re.search(r'href="console/console\.css\?v=[0-9a-f]{16}"', body)


def test_assets_with_their_current_hash_are_cached_for_a_year_others_revalidate(api):
    for name in console.asset_names():
        digest = console.asset_hash(name)
        status, body = text(api, f"/app/console/{name}?v={digest}")
        headers = api.last.headers
        assert status == 200, name
        assert headers["Cache-Control"] == "public, max-age=31536000, immutable", name
        assert headers["X-Content-Type-Options"] == "nosniff"
        if isinstance(body, str):  # (the test client parses the JSON lock file)
            assert body == console.served(name) and hashlib.sha256(body.encode()).hexdigest()[:16] == digest, name
        status, _ = text(api, f"/app/console/{name}?v=0000000000000000")
        assert status == 200 and api.last.headers["Cache-Control"] == "no-cache", name
        status, _ = text(api, f"/app/console/{name}")
        assert status == 200 and api.last.headers["Cache-Control"] == "no-cache", name
    status, body = api.get("/app/console/nope.js")
    assert status == 404


def test_every_import_of_a_console_module_carries_its_hash(api):
    """A changed module changes the URL of every module that imports it (so a year's cache is safe)."""
    for name in console.asset_names():
        if not name.endswith(".js") or name == "echarts.min.js":
            continue
        served = console.served(name)
        for ref in re.findall(r"""['"]\./([a-z0-9_.-]+\.js)(\?v=[0-9a-f]{16})?['"]""", served):
            assert ref[1] == "?v=" + console.asset_hash(ref[0]), (name, ref)
    # The module types the browser insists on.
    status, _ = text(api, "/app/console/main.js")
    assert api.last.headers["Content-Type"] == "application/javascript; charset=utf-8"


def test_echarts_is_the_pinned_npm_file():
    """echarts.lock.json records the npm tarball and the one file vendored from it; the file must match."""
    vendored = (console.CONSOLE_DIR / "echarts.min.js").read_bytes()
    assert hashlib.sha256(vendored).hexdigest() == LOCK["sha256"]
    assert LOCK["package"] == "echarts" and re.fullmatch(r"\d+\.\d+\.\d+", LOCK["version"])
    assert re.fullmatch(r"[0-9a-f]{64}", LOCK["tarball_sha256"])
    assert f"version:\"{LOCK['version']}\"" in vendored.decode("utf-8", "replace")[-400000:] or LOCK[
        "version"
    ] in vendored.decode("utf-8", "replace")


def test_only_pages_that_chart_load_echarts():
    """ECharts is not in the HTML: chart.js loads it when a page draws a chart."""
    html = (console.CONSOLE_DIR / "index.html").read_text()
    assert "echarts" not in html
    users = [
        p.name
        for p in console.CONSOLE_DIR.glob("*.js")
        if "echarts.min.js" in p.read_text() and p.name != "echarts.min.js"
    ]
    assert users == ["chart.js"]


def test_the_console_keeps_a_stage_prefix_in_its_base():
    class Request:
        context = {"path": "/v1/app/console"}
        path = "/app/console"

    assert console._base_href(Request()) == "/v1/app/"


def test_the_static_export_is_what_the_api_serves(tmp_path):
    """infra/web_static.py: the files for an S3 origin, with the hashes the HTML asks for."""
    from infra.web_static import export

    cache = export(tmp_path)
    html = (tmp_path / "app" / "console" / "index.html").read_text()
    assert '<base href="../">' in html and cache["app/console/index.html"] == "no-store"
    for name, digest in re.findall(r"console/([a-z0-9_.-]+)\?v=([0-9a-f]{16})", html):
        served = (tmp_path / "app" / "console" / name).read_text()
        assert hashlib.sha256(served.encode()).hexdigest()[:16] == digest
        assert cache[f"app/console/{name}"] == console.IMMUTABLE
    assert (tmp_path / "app" / "render.js").exists() and (tmp_path / "app" / "index.html").exists()
