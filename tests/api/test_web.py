"""The mobile form pages and the demo sign-in, through the HTTP API."""

from __future__ import annotations

import jwt
import pytest

from chalicelib.api import web
from chalicelib.api.route_spec import ROUTES
from chalicelib.config import get_settings, reset_settings

# What Chromium sends for an image (a binary response needs a matching Accept, as on API Gateway).
BROWSER_ACCEPT = "image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8"


def text(api, path, **kw) -> tuple[int, str]:
    status, body = api.get(path, **kw)
    return status, body.decode() if isinstance(body, bytes) else body


def test_the_form_page_is_html_with_a_base_under_app_and_revalidated(api):
    for path in ("/app", "/app/", "/app/index.html"):
        status, body = text(api, path)
        headers = api.last.headers
        assert status == 200, path
        assert headers["Content-Type"] == "text/html; charset=utf-8"
        assert headers["Cache-Control"] == "no-cache" and headers["ETag"]
        assert '<base href="/app/">' in body and '<script type="module" src="main.js">' in body
        assert "script-src 'self'" in headers["Content-Security-Policy"]


def test_the_page_keeps_a_stage_prefix_in_its_base(api):
    from chalicelib.api import web

    class Request:
        context = {"path": "/v1/app/"}
        path = "/app"

    assert web._base_href(Request()) == "/v1/app/"


@pytest.mark.parametrize(
    "asset,content_type",
    [
        *[(m, "application/javascript; charset=utf-8") for m in web.MODULES],
        ("app.css", "text/css; charset=utf-8"),
        ("sw.js", "application/javascript; charset=utf-8"),
        ("icon.svg", "image/svg+xml"),
        ("icon-192.png", "image/png"),
        ("icon-512.png", "image/png"),
        ("apple-touch-icon.png", "image/png"),
        ("manifest.webmanifest", "application/manifest+json; charset=utf-8"),
    ],
)
def test_assets_have_their_content_type_and_caching(api, asset, content_type):
    status, _ = api.get(f"/app/{asset}", headers={"Accept": BROWSER_ACCEPT})
    headers = api.last.headers
    assert status == 200
    assert headers["Content-Type"] == content_type
    assert headers["Cache-Control"] != "no-store" and headers["ETag"].startswith('"')
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_every_module_the_page_imports_is_served_and_kept_offline(api):
    """A module that is imported but not served (or not in the worker's cache) breaks the whole page."""
    import re

    imported, sources = {"main.js"}, {}
    for name in sorted(p.name for p in web.WEB_DIR.glob("*.js")):
        sources[name] = (web.WEB_DIR / name).read_text()
        imported |= set(re.findall(r"from '\./([\w.-]+)'", sources[name]))
    assert imported == set(web.MODULES)
    shell = sources["sw.js"]
    for name in web.MODULES:
        status, _ = api.get(f"/app/{name}")
        assert status == 200 and api.last.headers["Content-Type"].startswith("application/javascript"), name
        assert f"'{name}'" in shell, name


def test_markup_is_only_set_through_the_escaping_template():
    """Escaping by construction: innerHTML and insertAdjacentHTML appear only in render.js, behind html`…`."""
    for path in web.WEB_DIR.glob("*.js"):
        if path.name == "render.js":
            continue
        source = path.read_text()
        assert "innerHTML" not in source and "insertAdjacentHTML" not in source and "outerHTML" not in source, path.name


def test_the_template_escapes_every_interpolation():
    """render.js's html`…` run by node: values escaped, nested templates and arrays kept, show() refuses strings."""
    import shutil
    import subprocess

    node = shutil.which("node")
    if not node:
        pytest.skip("node is not installed")
    source = (web.WEB_DIR / "render.js").read_text()
    start, end = source.index("// --- HTML"), source.index("// --- time")
    script = (
        source[start:end].replace("export ", "")
        + """
const bad = '<img src=x onerror="alert(1)">&\\'';
const out = html`<p title="${bad}">${bad}${[html`<b>${'<i>'}</b>`, '<u>']}${null}${false}${0}</p>`.toString();
let refused = false;
try { show({}, '<b>raw</b>'); } catch (e) { refused = e instanceof TypeError; }
process.stdout.write(JSON.stringify({ out, refused, attrs: attrs({ a: true, b: false, c: '"x"' }).toString() }));
"""
    )
    result = subprocess.run([node, "--input-type=module", "-e", script], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    import json

    got = json.loads(result.stdout)
    esc = "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&amp;&#39;"
    assert got["out"] == f'<p title="{esc}">{esc}<b>&lt;i&gt;</b>&lt;u&gt;0</p>'
    assert got["refused"] is True
    assert got["attrs"] == ' a c="&quot;x&quot;"'


def test_the_install_icons_are_pngs_of_their_declared_size(api):
    """The manifest names PNG icons (installing wants raster ones); each is served as the PNG it claims to be."""
    import json
    import struct

    manifest = json.loads((web.WEB_DIR / "manifest.webmanifest").read_text())
    pngs = [i for i in manifest["icons"] if i["type"] == "image/png"]
    assert {i["sizes"] for i in pngs} >= {"192x192", "512x512"}
    for icon in pngs:
        status, body = api.get(f"/app/{icon['src']}", headers={"Accept": BROWSER_ACCEPT})
        assert status == 200 and api.last.headers["Content-Type"] == "image/png"
        assert body[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = struct.unpack(">II", body[16:24])
        assert f"{width}x{height}" == icon["sizes"]


def test_the_service_worker_is_always_revalidated_and_assets_answer_304_to_their_etag(api):
    api.get("/app/sw.js")
    assert api.last.headers["Cache-Control"] == "no-cache"
    api.get("/app/main.js")
    etag = api.last.headers["ETag"]
    status, body = api.get("/app/main.js", headers={"If-None-Match": etag})
    assert status == 304 and not body


def test_unknown_assets_are_404_in_the_envelope_and_paths_cannot_escape(api):
    for name in ("nope.js", "..%2Fapp.py", "config.py"):
        status, body = api.get(f"/app/{name}")
        assert status == 404 and body["error"]["code"] == "not_found"


def test_the_pages_are_public_and_not_in_the_api_description(api):
    status, _ = api.get("/app/main.js")  # no credentials
    assert status == 200
    assert not [r for r in ROUTES if r.path.startswith("/app")]


def test_api_responses_stay_no_store(api):
    api.get("/v1/health")
    assert api.last.headers["Cache-Control"] == "no-store"


def test_the_pages_ship_chinese_text_with_english_fallback_and_nothing_from_the_internet(api):
    _, i18n = text(api, "/app/i18n.js")
    assert "写走访日志" in i18n and "Log a visit" in i18n
    for asset in ("/app/", "/app/main.js", "/app/app.css", "/app/sw.js"):
        _, body = text(api, asset)
        assert "//cdn" not in body and "googleapis" not in body and "unpkg" not in body


def test_sign_in_config_is_the_demo_sign_in_locally(api):
    status, body = api.get("/app/config.json")
    assert status == 200 and body == {"stage": "test", "sign_in": "demo", "photo_max_bytes": 5 * 1024 * 1024}
    assert api.last.headers["Cache-Control"] == "no-store"


# --- demo sign-in ----------------------------------------------------------------------------------
def test_dev_token_is_the_same_token_make_token_mints(api):
    status, body = api.post("/v1/dev/token", {"staff_id": "cm-001"})
    assert status == 200
    assert body["staff_id"] == "cm-001" and body["role"] == "client_manager" and body["name"] == "王晓明"
    s = get_settings()
    claims = jwt.decode(body["token"], s.jwt_secret, algorithms=["HS256"], audience=s.jwt_audience)
    from tests.conftest import token_for

    reference = jwt.decode(token_for("cm-001"), s.jwt_secret, algorithms=["HS256"], audience=s.jwt_audience)
    assert set(claims) == set(reference)
    assert {k: claims[k] for k in ("sub", "iss", "aud", "token_use")} == {
        k: reference[k] for k in ("sub", "iss", "aud", "token_use")
    }
    status, me = api.get("/v1/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert status == 200 and me["staff_id"] == "cm-001"


def test_dev_token_names_the_field_for_unknown_or_malformed_staff(api):
    status, body = api.post("/v1/dev/token", {"staff_id": "nobody-here"})
    assert status == 400 and body["error"]["details"][0]["field"] == "staff_id"
    status, body = api.post("/v1/dev/token", {"staff_id": "../etc"})
    assert status == 400 and body["error"]["details"][0]["field"] == "staff_id"
    status, body = api.post("/v1/dev/token", {})
    assert status == 400 and body["error"]["details"][0]["field"] == "staff_id"


def test_dev_token_refuses_departed_staff(api):
    api.patch("/v1/staff/cm-002", {"status": "departed", "departed_on": "2026-11-20"}, as_="adm-001")
    status, body = api.post("/v1/dev/token", {"staff_id": "cm-002"})
    assert status == 400 and body["error"]["details"][0]["field"] == "staff_id"


@pytest.fixture
def prod(monkeypatch):
    monkeypatch.setenv("FIELDDESK_STAGE", "prod")
    monkeypatch.delenv("FIELDDESK_DEV_TOKENS")
    monkeypatch.setenv("FIELDDESK_JWKS_URL", "https://idp.example.cn/.well-known/jwks.json")
    monkeypatch.setenv("FIELDDESK_JWT_ISSUER", "https://idp.example.cn")
    monkeypatch.setenv("FIELDDESK_HASH_KEY_SECRET", "hash-secret")
    monkeypatch.setenv("FIELDDESK_PAGE_TOKEN_KEY_SECRET", "page-secret")
    monkeypatch.setenv("FIELDDESK_KMS_KEY_ID", "alias/fielddesk")
    monkeypatch.setenv("FIELDDESK_COGNITO_DOMAIN", "https://fielddesk.auth.cn-north-1.amazoncognito.com/")
    reset_settings()
    yield
    monkeypatch.undo()
    reset_settings()


def test_production_refuses_the_dev_token_with_404(api, prod):
    assert get_settings().stage == "prod"
    status, body = api.post("/v1/dev/token", {"staff_id": "cm-001"})
    assert status == 404 and body["error"]["code"] == "not_found"
    assert "token" not in body


def test_production_signs_in_through_the_cognito_hosted_ui(api, prod):
    status, body = api.get("/app/config.json")
    assert status == 200
    assert body["sign_in"] == "oidc"
    domain = "https://fielddesk.auth.cn-north-1.amazoncognito.com"
    assert body["oidc"]["authorization_endpoint"] == f"{domain}/oauth2/authorize"
    assert body["oidc"]["token_endpoint"] == f"{domain}/oauth2/token" and body["oidc"]["discovery_url"] == ""
    assert body["oidc"]["client_id"] == get_settings().jwt_audience
    api.get("/app/")
    assert "http://127.0.0.1" not in api.last.headers["Content-Security-Policy"]


@pytest.mark.parametrize("stage", ["local", "test", "staging", "uat", "prod"])
def test_without_dev_tokens_every_stage_refuses_the_dev_route_and_hs256_tokens(api, prod, monkeypatch, stage):
    """The attack of issue 16: `make deploy STAGE=staging` once served /v1/dev/token and the repo's HS256 secret."""
    from cryptography.hazmat.primitives.asymmetric import rsa

    from chalicelib import auth

    monkeypatch.setenv("FIELDDESK_STAGE", stage)
    reset_settings()
    public = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
    monkeypatch.setattr(
        auth,
        "_jwks_client",
        lambda url: type("J", (), {"get_signing_key_from_jwt": lambda self, token: type("K", (), {"key": public})()})(),
    )
    assert get_settings().stage == stage and get_settings().jwt_mode == "jwks"
    assert api.post("/v1/dev/token", {"staff_id": "adm-001"})[0] == 404
    assert api.get("/app/config.json")[1]["sign_in"] == "oidc"
    status, body = api.get("/v1/me", as_="adm-001")  # signed with the HS256 secret in the repository
    assert status == 401 and body["error"]["code"] == "unauthenticated"


@pytest.mark.parametrize("token_use", ["id", "access"])
def test_the_page_is_told_which_token_the_api_verifies(api, prod, monkeypatch, token_use):
    # The stack's TokenUse (FIELDDESK_JWT_TOKEN_USE) defaults to id: Cognito access tokens carry no
    # custom:staff_id, so a page sending them would be refused by the API it signs in to.
    monkeypatch.setenv("FIELDDESK_JWT_TOKEN_USE", token_use)
    reset_settings()
    status, body = api.get("/app/config.json")
    assert status == 200 and body["oidc"]["token_use"] == token_use == get_settings().jwt_token_use
    assert "openid" in body["oidc"]["scopes"]  # an ID token needs the openid scope


def test_a_brokerages_own_oidc_provider_signs_in_without_cognito(api, prod, monkeypatch):
    """China has no Cognito: the IdP's endpoints come from the settings, or its discovery document."""
    monkeypatch.delenv("FIELDDESK_COGNITO_DOMAIN")
    reset_settings()
    oidc = api.get("/app/config.json")[1]["oidc"]
    assert oidc["discovery_url"] == "https://idp.example.cn/.well-known/openid-configuration"
    assert oidc["authorization_endpoint"] == oidc["token_endpoint"] == "" and oidc["issuer"] == "https://idp.example.cn"
    monkeypatch.setenv("FIELDDESK_OIDC_AUTHORIZATION_ENDPOINT", "https://idp.example.cn/protocol/openid-connect/auth")
    monkeypatch.setenv("FIELDDESK_OIDC_TOKEN_ENDPOINT", "https://idp.example.cn/protocol/openid-connect/token")
    monkeypatch.setenv("FIELDDESK_OIDC_SCOPES", "openid,profile,staff")
    reset_settings()
    oidc = api.get("/app/config.json")[1]["oidc"]
    assert oidc["authorization_endpoint"].endswith("/openid-connect/auth") and oidc["discovery_url"] == ""
    assert oidc["token_endpoint"].endswith("/openid-connect/token") and oidc["scopes"] == ["openid", "profile", "staff"]
    monkeypatch.setenv("FIELDDESK_OIDC_TOKEN_ENDPOINT", "http://idp.example.cn/token")
    with pytest.raises(ValueError, match="oidc_token_endpoint"):
        reset_settings()
        get_settings()


def test_the_page_finds_the_providers_endpoints_from_config_or_discovery():
    """The page's own functions, run by node: explicit endpoints, the older Cognito block, discovery."""
    import json
    import re
    import shutil
    import subprocess
    from pathlib import Path

    node = shutil.which("node")
    if not node:
        pytest.skip("node is not installed")
    source = (Path(__file__).resolve().parents[2] / "chalicelib" / "web" / "signin.js").read_text()
    functions = "".join(
        re.search(rf"\nexport function {name}\(.*?\n\}}\n", source, re.S).group(0)
        for name in ("oidcEndpoints", "authorizeUrl")
    ).replace("export ", "")
    discovery = {
        "authorization_endpoint": "https://idp.example.cn/auth",
        "token_endpoint": "https://idp.example.cn/token",
    }
    configs = [
        {"oidc": {"authorization_endpoint": "https://a/auth", "token_endpoint": "https://a/token"}},
        {"cognito": {"domain": "https://d.auth.example", "client_id": "app"}},
        {
            "oidc": {
                "discovery_url": "https://idp.example.cn/.well-known/openid-configuration",
                "client_id": "app",
                "scopes": ["openid"],
            }
        },
    ]
    script = (
        functions
        + f"""
const seen = [];
const fetchJson = (url) => {{ seen.push(url); return Promise.resolve({json.dumps(discovery)}); }};
Promise.all({json.dumps(configs)}.map((c) => oidcEndpoints(c, fetchJson))).then((all) => {{
  const url = new URL(authorizeUrl(all[2], 'https://app.example.cn/app/', 'S', 'C'));
  process.stdout.write(JSON.stringify({{ all, seen, query: Object.fromEntries(url.searchParams), base: url.origin + url.pathname }}));
}});"""
    )
    result = subprocess.run([node, "-e", script], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert [(e["authorization_endpoint"], e["token_endpoint"]) for e in out["all"]] == [
        ("https://a/auth", "https://a/token"),
        ("https://d.auth.example/oauth2/authorize", "https://d.auth.example/oauth2/token"),
        ("https://idp.example.cn/auth", "https://idp.example.cn/token"),
    ]
    assert out["seen"] == ["https://idp.example.cn/.well-known/openid-configuration"], "discovery only when needed"
    assert out["base"] == "https://idp.example.cn/auth"
    assert out["query"] == {
        "response_type": "code",
        "client_id": "app",
        "redirect_uri": "https://app.example.cn/app/",
        "state": "S",
        "scope": "openid",
        "code_challenge": "C",
        "code_challenge_method": "S256",
    }


def test_the_callback_sends_the_token_the_config_names():
    """The page's own function, run by node: the code exchange's id_token unless config says access."""
    import json
    import re
    import shutil
    import subprocess
    from pathlib import Path

    node = shutil.which("node")
    if not node:
        pytest.skip("node is not installed")
    source = (Path(__file__).resolve().parents[2] / "chalicelib" / "web" / "signin.js").read_text()
    function = re.search(r"\nexport function signInToken\(cog, tok\) \{\n.*?\n\}\n", source, re.S).group(0)
    function = function.replace("export ", "", 1)
    assert (
        re.search(r"startSession\(bearer, main, route\)", source) and "const bearer = signInToken(cog, tok);" in source
    )
    exchange = {"id_token": "ID", "access_token": "ACCESS", "refresh_token": "R"}
    cases = [{}, {"token_use": "id"}, {"token_use": "access"}]
    script = (
        function + f"process.stdout.write(JSON.stringify({json.dumps(cases)}.map(function (c) {{"
        f" return signInToken(c, {json.dumps(exchange)}); }})));"
    )
    result = subprocess.run([node, "-e", script], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == ["ID", "ID", "ACCESS"]
