"""Runs every curl example in docs/api.md, in order, and checks the status it claims.

Each ```bash block holds one curl command followed by `# expect <status>` and optionally
`code <error.code>` (the error has that code), `field <name>` (the error names that field)
and any number of `save <key> as <VAR>` (later examples use $VAR). Commands are parsed, not
shelled out: they go to the app through chalice's test client, with $FIELDDESK, $TOKEN
(demo admin) and $API_KEY (a demo outlet key) filled in.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "api.md"
BASE = "https://api.fielddesk.test"
OUTLET_KEY = "fdk_guidekey0001.guide-secret-not-for-production"
_BLOCK = re.compile(r"```bash\n(.*?)```", re.S)
_EXPECT = re.compile(
    r"#\s*expect\s+(\d{3})(?:\s+code\s+(\S+))?(?:\s+field\s+(\S+))?" r"((?:\s+save\s+\S+\s+as\s+\w+)*)\s*$", re.M
)
_SAVE = re.compile(r"save\s+(\S+)\s+as\s+(\w+)")


def examples() -> list[tuple[str, int, str | None, str | None, list[tuple[str, str]]]]:
    out = []
    for block in _BLOCK.findall(GUIDE.read_text(encoding="utf-8")):
        expect = _EXPECT.search(block)
        assert expect, f"example without '# expect <status> [code C] [field F] [save K as VAR ...]':\n{block}"
        command = " ".join(
            line.rstrip("\\").strip()
            for line in block.splitlines()
            if line.strip() and not line.strip().startswith("#")
        )
        saves = _SAVE.findall(expect.group(4))
        out.append((command, int(expect.group(1)), expect.group(2), expect.group(3), saves))
    return out


def parse_curl(command: str, variables: dict) -> tuple[str, str, dict, str | None]:
    for name, value in sorted(variables.items(), key=lambda kv: -len(kv[0])):
        command = command.replace(f"${name}", value)
    tokens = shlex.split(command)
    assert tokens[0] == "curl", command
    method, headers, data, url, get, query = None, {}, None, None, False, []
    it = iter(tokens[1:])
    for tok in it:
        if tok == "-X":
            method = next(it)
        elif tok == "-H":
            name, _, value = next(it).partition(":")
            headers[name.strip()] = value.strip()
        elif tok == "-d":
            data = next(it)
        elif tok == "-G":
            get = True
        elif tok == "--data-urlencode":
            key, _, value = next(it).partition("=")
            query.append((key, value))
        elif tok.startswith("http"):
            url = tok
        else:
            raise AssertionError(f"unsupported curl option {tok!r} in docs/api.md")
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == BASE, url
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    if query:
        assert get, "--data-urlencode needs -G in the examples"
        path += ("&" if "?" in path else "?") + urlencode(query)
    return method or ("POST" if data is not None else "GET"), path, headers, data


@pytest.fixture
def outlet_key(api):
    from chalicelib.auth import hash_api_secret, parse_api_key
    from chalicelib.storage import directory

    key_id, secret = parse_api_key(OUTLET_KEY)
    directory.put_api_key(
        {
            "key_id": key_id,
            "outlet_id": "ot-icbc-lujiazui",
            "branch_id": "br-pudong",
            "secret_hash": hash_api_secret(secret),
            "status": "active",
            "created_at": "2026-11-01T09:00:00+08:00",
        }
    )
    return OUTLET_KEY


def test_the_guide_has_examples_for_each_topic():
    commands = [c for c, *_ in examples()]
    assert len(commands) >= 9
    assert any("X-Api-Key" in c for c in commands) and any("Idempotency-Key" in c for c in commands)
    assert any("next_token" in c for c in commands)
    assert "TO BE COMPLETED" not in GUIDE.read_text(encoding="utf-8")
    # The referral section: key issue/list/revoke, and submit/list/read a referral, incl. a collision.
    assert any("/api-keys" in c and "replaces" in c for c in commands)
    assert any(c.rstrip().endswith("/revoke") for c in commands)
    assert any(c.startswith("curl -X POST") and c.endswith("/v1/partner/referrals") for c in commands)
    assert any("/v1/partner/referrals/" in c for c in commands)
    assert (409, "already_registered") in [(status, code) for _, status, code, *_ in examples()]


def test_every_curl_example_in_the_guide_answers_as_documented(api, outlet_key):
    from tests.conftest import token_for

    variables = {"FIELDDESK": BASE, "TOKEN": token_for("adm-001"), "API_KEY": outlet_key}
    for command, status, code, field, saves in examples():
        method, path, headers, data = parse_curl(command, variables)
        got, body = api.call(method, path, headers=headers, raw=data)
        assert got == status, f"{command}\n-> {got} {body}"
        if status >= 400:
            assert set(body) == {"error"} and {"code", "message", "details"} <= set(body["error"]), body
        if code:
            assert body["error"]["code"] == code, body
        if field:
            assert field in [d["field"] for d in body["error"]["details"]], body
        for key, var in saves:
            assert body.get(key), f"{command} answered no {key}"
            variables[var] = body[key]
