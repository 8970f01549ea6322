"""The branch console (issue 20 §1): desk pages for supervisors, callback-centre leads, compliance and admins.

Plain files in `chalicelib/web/console/`, served like the phone forms (`web.py`) under `/app/console`, so the
pages share the phone app's origin, sign-in (the same token in the same storage) and its shared modules
(`../render.js`, `../i18n.js`, `../net.js`, `../errors.js`). They call the JSON API; the API decides what each
role sees.

Caching (issue 20 §4): every console asset is addressed with a content hash in its query string
(`console/main.js?v=<sha256 prefix>`). The server writes the hashes into the HTML and into each module's
relative imports (`from './ui.js'` -> `from './ui.js?v=…'`) as it serves them, so a change to one module
changes the URL of every module that imports it. A request with the current hash is cached for a year
(`immutable`); any other request (no hash, an old one) is answered with the current file and `no-cache`.
The HTML itself is `no-store`. The Content-Security-Policy allows scripts from this origin only.
"""

from __future__ import annotations

import hashlib
import re
from functools import cache
from pathlib import Path

from chalice import Blueprint, Response

from ..errors import NotFound
from .payloads import error_response

bp = Blueprint(__name__)
CONSOLE_DIR = Path(__file__).resolve().parent.parent / "web" / "console"
JS_TYPE = "application/javascript; charset=utf-8"
TYPES = {".js": JS_TYPE, ".css": "text/css; charset=utf-8", ".json": "application/json; charset=utf-8"}
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
HTML_CACHE = "no-store"
# 'self' only: no inline script or style elements. ECharts sets element styles through the CSSOM
# (element.style), which style-src does not govern; charts draw on a canvas.
CSP = (
    "default-src 'self'; img-src 'self' data: blob:; connect-src 'self'; style-src 'self'; script-src 'self'; "
    "worker-src 'self'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'; object-src 'none'"
)
# A relative reference to a sibling console file inside a module or the HTML: './ui.js' or "console/ui.js".
REF = re.compile(r"""(['"])(\./|console/)([a-z0-9_-]+(?:\.min)?\.(?:js|css))\1""")


def asset_names() -> list[str]:
    return sorted(p.name for p in CONSOLE_DIR.iterdir() if p.suffix in TYPES and p.is_file())


@cache
def _raw(name: str) -> str:
    return (CONSOLE_DIR / name).read_text(encoding="utf-8")


def _versioned(text: str, seen: tuple[str, ...]) -> str:
    names = set(asset_names())

    def stamp(m: re.Match) -> str:
        quote, prefix, name = m.groups()
        if name not in names or name in seen:
            return m.group(0)
        return f"{quote}{prefix}{name}?v={asset_hash(name, seen)}{quote}"

    return REF.sub(stamp, text)


@cache
def served(name: str, seen: tuple[str, ...] = ()) -> str:
    """The file as served: its references to console files carry their content hashes."""
    text = _raw(name)
    return _versioned(text, seen + (name,)) if name.endswith(".js") else text


@cache
def asset_hash(name: str, seen: tuple[str, ...] = ()) -> str:
    return hashlib.sha256(served(name, seen).encode()).hexdigest()[:16]


def _respond(request, body: str, content_type: str, cache_control: str) -> Response:
    etag = '"' + hashlib.sha256(body.encode()).hexdigest()[:32] + '"'
    headers: dict[str, str | list[str]] = {
        "Content-Type": content_type,
        "Cache-Control": cache_control,
        "ETag": etag,
        "X-Content-Type-Options": "nosniff",
    }
    if content_type.startswith("text/html"):
        headers["Content-Security-Policy"] = CSP
        headers["Referrer-Policy"] = "no-referrer"
    if etag in (request.headers.get("if-none-match") or ""):
        return Response(body="", status_code=304, headers=headers)
    return Response(body=body, status_code=200, headers=headers)


def _base_href(request) -> str:
    """`/app/` under the path the browser used (a stage prefix such as `/v1` is kept): the console's modules
    are `console/…` and the shared ones `../render.js` from there, and net.js finds the API one level up."""
    path = (request.context or {}).get("path") or request.path or "/app/console"
    prefix = path[: path.find("/app/console")] if "/app/console" in path else ""
    return f"{prefix}/app/"


@bp.route("/app/console", methods=["GET"])
def console_index():
    request = bp.current_request
    html = _versioned(_raw("index.html"), ("index.html",))
    html = html.replace('<base href="../">', f'<base href="{_base_href(request)}">', 1)
    return _respond(request, html, "text/html; charset=utf-8", HTML_CACHE)


@bp.route("/app/console/{asset}", methods=["GET"])
def console_asset(asset):
    request = bp.current_request
    if asset in ("", "index.html"):
        return console_index()
    if asset not in asset_names():
        return error_response(NotFound(f"no such console asset: {asset}"))
    wanted = request.query_params.get("v") if request.query_params else None
    cache = IMMUTABLE if wanted == asset_hash(asset) else REVALIDATE
    return _respond(request, served(asset), TYPES[Path(asset).suffix], cache)
