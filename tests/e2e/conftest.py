"""End-to-end fixtures: moto's server and the app on free ports, Debian's Chromium through Playwright.

Run with `make test-e2e` (sets FIELDDESK_E2E=1); `make test` does not collect these.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("FIELDDESK_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(os.environ.get("FIELDDESK_E2E_ARTIFACTS", "/tmp/fielddesk-e2e"))

if not os.environ.get("FIELDDESK_E2E"):
    collect_ignore_glob = ["test_*.py"]


@pytest.fixture(autouse=True)
def aws():
    """The browser talks to a real local stack, not to the in-process mock the API tests use."""
    yield


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, proc: subprocess.Popen, seconds: float = 40) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args[0]} exited with {proc.returncode}")
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"nothing answered at {url} after {seconds:.0f}s")


class Stack:
    def __init__(self, base: str, endpoint: str = "", env: dict | None = None):
        self.base = base
        self.endpoint = endpoint  # the local stack's DynamoDB endpoint
        self.env = env or {}
        self.app = f"{base}/app/"
        self._tokens: dict[str, str] = {}

    def call(self, method: str, path: str, body=None, as_: str | None = None, headers=None):
        h = {"Content-Type": "application/json", **(headers or {})}
        if as_:
            h["Authorization"] = f"Bearer {self.token(as_)}"
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.base + path, data=data, method=method, headers=h)
        try:
            with urllib.request.urlopen(req, timeout=20) as resp:
                return resp.status, json.loads(resp.read() or b"null")
        except urllib.error.HTTPError as err:
            return err.code, json.loads(err.read() or b"null")

    def token(self, staff_id: str) -> str:
        if staff_id not in self._tokens:
            status, body = self.call("POST", "/v1/dev/token", {"staff_id": staff_id})
            assert status == 200, body
            self._tokens[staff_id] = body["token"]
        return self._tokens[staff_id]

    def items(self, path: str, as_: str) -> list[dict]:
        status, body = self.call("GET", path, as_=as_)
        assert status == 200, body
        return body["items"]


@pytest.fixture(scope="session")
def stack():
    """moto_server and the app on free ports of 127.0.0.1, tables, bucket (with CORS) and demo data."""
    moto_port, api_port = free_port(), free_port()
    local = json.loads((ROOT / ".chalice" / "config.json").read_text())["stages"]["local"]["environment_variables"]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "FIELDDESK_", "POWERTOOLS_"))}
    env.update(local)
    endpoint = f"http://127.0.0.1:{moto_port}"
    origin = f"http://127.0.0.1:{api_port}"
    env.update(
        DYNAMODB_ENDPOINT_URL=endpoint,
        S3_ENDPOINT_URL=endpoint,
        FIELDDESK_CORS_ORIGINS=origin,
        FIELDDESK_STAGE="local",
        POWERTOOLS_LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
    )
    bin_dir = Path(sys.executable).parent
    logs = ARTIFACTS / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    procs: list[subprocess.Popen] = []
    try:
        procs.append(
            subprocess.Popen(
                [str(bin_dir / "moto_server"), "-H", "127.0.0.1", "-p", str(moto_port)],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=open(logs / "moto.log", "w"),
            )
        )
        wait_for(endpoint, procs[0])
        subprocess.run(
            [sys.executable, "-c", "from infra.local_setup import prepare; prepare()"], env=env, cwd=ROOT, check=True
        )
        procs.append(
            subprocess.Popen(
                [sys.executable, str(ROOT / "infra" / "local_server.py"), str(api_port)],
                env=env,
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=open(logs / "app.log", "w"),
            )
        )
        wait_for(f"{origin}/v1/health", procs[1])
        yield Stack(origin, endpoint, env)
    finally:
        from infra.local_stack import stop_processes

        stop_processes(procs, timeout=10)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test-e2e` installs Debian's chromium package")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def phone(browser, stack):
    """A 360 px wide phone, signed out, with service workers blocked (one test allows them)."""
    contexts = []

    def open_phone(service_workers: str = "block", **kw):
        ctx = browser.new_context(
            viewport={"width": 360, "height": 780},
            device_scale_factor=1,
            is_mobile=True,
            has_touch=True,
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
            service_workers=service_workers,
            **kw,
        )
        ctx.set_default_timeout(15000)
        contexts.append(ctx)
        return ctx.new_page()

    yield open_phone
    for ctx in contexts:
        ctx.close()


def sign_in(page, stack, staff_id: str) -> None:
    page.goto(stack.app)
    page.select_option("#f-staff_id", staff_id)
    page.click("#demo-form button[type=submit]")
    page.wait_for_selector("nav.menu")


def route_exists(method: str, path: str) -> bool:
    sys.path.insert(0, str(ROOT))
    import app  # noqa: F401 - registers every blueprint's routes
    from chalicelib.api.route_spec import ROUTES

    return any(r.method == method and r.path == path for r in ROUTES)


def require_route(method: str, path: str) -> None:
    if not route_exists(method, path):
        pytest.skip(f"{method} {path} is not registered in chalicelib.api.route_spec.ROUTES on this branch yet")
