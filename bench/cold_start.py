"""Cold start, issue 17 §7: import app.py and answer a first authenticated `GET /v1/me`, against the floor.

    python -m bench.cold_start            # or: make bench-cold-start
    python -m bench.cold_start --runs 21

The floor is what no FieldDesk code can avoid: a bare interpreter importing chalice, pydantic and boto3 and
making one DynamoDB GetItem. The app case is a Lambda cold start as API Gateway drives it: a fresh
interpreter imports app.py (stage prod, JWKS sign-in), then the Chalice app handles one REST event for
`GET /v1/me` with a signed RS256 token: it fetches the issuer's keys, verifies the token, reads the caller's
staff record and renders it. Target: app <= 1.3 x floor (issue 17).

The app case runs as Lambda runs it (AWS_LAMBDA_FUNCTION_NAME set), so app.py's init builds the DynamoDB
client, and pauses the garbage collector over its imports and that client (freezing what they built): a
cold start the floor, a bare interpreter, does not get. So a third case is printed beside them, not
checked: the floor with its imports and its client under the same pause, and the app's ratio to it, which
is what the app costs over the floor when both use the same collector settings.

Both talk to the same stub HTTP endpoint in this process (DynamoDB's JSON protocol for GetItem, and the
JWKS document), so network cost is alike and tiny; each sample is a fresh interpreter, the two cases
alternate so machine noise hits both, and medians are compared. The staff item the stub serves is the demo
directory's, written by the real code on moto and read back raw, so /v1/me renders a real record.
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import os
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = 1.3
ISSUER = "https://idp.example.cn/pool"
AUDIENCE = "fielddesk-bench"

_APP = """
import sys, time
sys.path.insert(0, {root!r})
t0 = time.perf_counter()
import app
event = {{
    "resource": "/v1/me", "path": "/v1/me", "httpMethod": "GET",
    "headers": {{"Authorization": "Bearer {token}", "Host": "api.example.cn"}},
    "multiValueHeaders": {{"Authorization": ["Bearer {token}"], "Host": ["api.example.cn"]}},
    "queryStringParameters": None, "multiValueQueryStringParameters": None, "pathParameters": None,
    "stageVariables": None, "body": None, "isBase64Encoded": False,
    "requestContext": {{"resourcePath": "/v1/me", "httpMethod": "GET", "path": "/api/v1/me", "stage": "api",
                        "requestId": "bench", "identity": {{"sourceIp": "127.0.0.1"}}}},
}}
class Context:
    aws_request_id = "bench"
    function_name = "fielddesk-api"
    memory_limit_in_mb = 1024
    invoked_function_arn = "arn:aws-cn:lambda:cn-north-1:123456789012:function:fielddesk-api"
    log_group_name = log_stream_name = "bench"
    def get_remaining_time_in_millis(self):
        return 30000
response = app.app(event, Context())
elapsed = time.perf_counter() - t0
assert response["statusCode"] == 200, response
assert json.loads(response["body"])["staff_id"] == {staff_id!r}, response["body"]
print(elapsed)
""".replace("import sys, time", "import json, sys, time")

_FLOOR = """
import time
t0 = time.perf_counter()
import chalice, pydantic, boto3
client = boto3.client("dynamodb", endpoint_url={endpoint!r}, region_name="cn-north-1")
client.get_item(TableName="fielddesk", Key={{"pk": {{"S": "STAFF#x"}}, "sk": {{"S": "PROFILE"}}}})
print(time.perf_counter() - t0)
"""

# The floor with its imports and client under the collector pause app.py takes (reference only, see the
# docstring): the pause ends before its GetItem, as the app's ends before its first request.
_FLOOR_PAUSED = _FLOOR.replace(
    "import chalice, pydantic, boto3\n", "import gc\ngc.disable()\nimport chalice, pydantic, boto3\n"
)
_FLOOR_PAUSED = _FLOOR_PAUSED.replace("client.get_item(", "gc.freeze()\ngc.enable()\nclient.get_item(")


def _demo_staff_item() -> tuple[str, dict]:
    """The first demo client manager's staff item as DynamoDB stores it (low-level JSON), via moto."""
    os.environ.setdefault("AWS_DEFAULT_REGION", "cn-north-1")
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        os.environ.setdefault(name, "bench")
    # only this process seeds moto with dev settings; the samples run as the prod stage
    os.environ.setdefault("FIELDDESK_STAGE", "local")
    os.environ.setdefault("FIELDDESK_DEV_TOKENS", "true")
    from moto import mock_aws

    with mock_aws():
        import boto3

        from chalicelib.config import get_settings
        from chalicelib.wiring import install
        from infra import demo_data
        from infra.tables import create_tables

        install()
        s = get_settings()
        client = boto3.client("dynamodb", region_name="cn-north-1")
        create_tables(client, s.table_name, s.idempotency_table_name)
        demo_data.seed_directory()
        staff_id = demo_data.staff_id_for("client_manager", 1)
        for page in client.get_paginator("scan").paginate(TableName=s.table_name):
            for item in page["Items"]:
                if item.get("staff_id", {}).get("S") == staff_id and "role" in item:
                    return staff_id, item
    raise SystemExit("the demo directory has no client manager")


class _Stub(BaseHTTPRequestHandler):
    item: dict = {}
    jwks: dict = {}
    unexpected: list[str] = []

    def log_message(self, *args):  # quiet
        pass

    def _send(self, status: int, body: dict, content_type: str = "application/x-amz-json-1.0") -> None:
        raw = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def do_GET(self):  # noqa: N802 - http.server's name
        self._send(200, self.jwks, "application/json")

    def do_POST(self):  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        target = self.headers.get("X-Amz-Target", "")
        if target.endswith(".GetItem"):
            self._send(200, {"Item": self.item})
        else:  # the first request should need nothing else: say so rather than pretend
            _Stub.unexpected.append(target)
            self._send(400, {"__type": "com.amazon.coral.service#UnknownOperationException", "message": target})


def _token(private_key, staff_id: str) -> str:
    import jwt

    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "token_use": "id",
        "custom:staff_id": staff_id,
        "iat": now,
        "exp": now + 3600,
        "sub": staff_id,
    }
    return jwt.encode(claims, private_key, algorithm="RS256", headers={"kid": "bench"})


def _jwks(public_key) -> dict:
    from jwt.algorithms import RSAAlgorithm

    jwk = json.loads(RSAAlgorithm.to_jwk(public_key))
    return {"keys": [{**jwk, "kid": "bench", "use": "sig", "alg": "RS256"}]}


def _self_signed(key, folder: Path) -> Path:
    """A certificate for 127.0.0.1: the stage refuses a JWKS that is not https, as production would."""
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.x509.oid import NameOID

    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_file


def _serve(tls_folder: Path | None = None, key=None) -> tuple[ThreadingHTTPServer, str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Stub)
    scheme = "http"
    if tls_folder is not None:
        cert_file = _self_signed(key, tls_folder)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert_file, tls_folder / "key.pem")
        server.socket = context.wrap_socket(server.socket, server_side=True)
        scheme = "https"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"{scheme}://127.0.0.1:{server.server_address[1]}"


def measure(runs: int) -> dict:
    from cryptography.hazmat.primitives.asymmetric import rsa

    staff_id, item = _demo_staff_item()
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    _Stub.item, _Stub.jwks = item, _jwks(key.public_key())
    tls = Path(tempfile.mkdtemp(prefix="fielddesk-cold-start-"))
    server, endpoint = _serve()
    jwks_server, jwks_endpoint = _serve(tls, key)
    # Lambda runs the package's compiled .pyc files (infra/package.py compiles them): so do the samples.
    # PYTHONDONTWRITEBYTECODE set to anything (even "0") would have every sample compile our sources.
    subprocess.run([sys.executable, "-m", "compileall", "-q", "chalicelib", "app.py"], cwd=ROOT, check=True)
    env = {
        **{
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("FIELDDESK_", "MOTO", "TEST_")) and k != "PYTHONDONTWRITEBYTECODE"
        },
        "AWS_DEFAULT_REGION": "cn-north-1",
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "DYNAMODB_ENDPOINT_URL": endpoint,
        "FIELDDESK_STAGE": "prod",
        "AWS_LAMBDA_FUNCTION_NAME": "fielddesk-prod",  # set in every Lambda container: app.py's init reads it
        "FIELDDESK_JWT_MODE": "jwks",
        "FIELDDESK_JWKS_URL": f"{jwks_endpoint}/jwks.json",
        "SSL_CERT_FILE": str(tls / "cert.pem"),  # the JWKS stub's self-signed certificate
        "FIELDDESK_JWT_ISSUER": ISSUER,
        "FIELDDESK_JWT_AUDIENCE": AUDIENCE,
        "FIELDDESK_HASH_KEY_SECRET": "hash",
        "FIELDDESK_PAGE_TOKEN_KEY_SECRET": "page",
        "FIELDDESK_KMS_KEY_ID": "arn:aws-cn:kms:cn-north-1:123456789012:key/bench",
        # what every deployed function has (.chalice/config.json): powertools' names, and no pydantic plugin
        # scan (it reads every installed distribution's entry points at the first model build)
        **json.loads((ROOT / ".chalice" / "config.json").read_text())["environment_variables"],
        "POWERTOOLS_DEV": "false",
    }
    app_code = _APP.format(root=str(ROOT), token=_token(key, staff_id), staff_id=staff_id)
    floor_code = _FLOOR.format(endpoint=endpoint)
    paused_code = _FLOOR_PAUSED.format(endpoint=endpoint)

    def sample(code: str) -> float:
        done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
        if done.returncode:
            raise SystemExit(f"a sample failed:\n{done.stderr[-3000:]}")
        return float(done.stdout.strip().splitlines()[-1])

    try:
        for _ in range(2):  # warm the OS file cache and the .pyc files for both
            sample(app_code), sample(floor_code)
        app_times, floor_times, paused_times = [], [], []
        for _ in range(runs):
            app_times.append(sample(app_code))
            floor_times.append(sample(floor_code))
            paused_times.append(sample(paused_code))
    finally:
        server.shutdown()
        jwks_server.shutdown()
    app_ms, floor_ms = statistics.median(app_times) * 1000, statistics.median(floor_times) * 1000
    paused_ms = statistics.median(paused_times) * 1000
    return {
        "runs": runs,
        "floor_ms": round(floor_ms, 1),
        "app_ms": round(app_ms, 1),
        "floor_spread_ms": [round(min(floor_times) * 1000, 1), round(max(floor_times) * 1000, 1)],
        "app_spread_ms": [round(min(app_times) * 1000, 1), round(max(app_times) * 1000, 1)],
        "ratio": round(app_ms / floor_ms, 3),
        "floor_paused_ms": round(paused_ms, 1),
        "ratio_to_paused_floor": round(app_ms / paused_ms, 3),
        "target": TARGET,
        "unexpected_requests": sorted(set(_Stub.unexpected)),
    }


def report(r: dict) -> str:
    verdict = "met" if r["ratio"] <= TARGET else "MISSED"
    lines = [
        f"cold start, {r['runs']} alternating fresh-interpreter samples each, medians (min - max):",
        f"  floor: import chalice, pydantic, boto3 + one GetItem     {r['floor_ms']:7.1f} ms "
        f"({r['floor_spread_ms'][0]} - {r['floor_spread_ms'][1]})",
        f"  app:   import app.py + first authenticated GET /v1/me    {r['app_ms']:7.1f} ms "
        f"({r['app_spread_ms'][0]} - {r['app_spread_ms'][1]})",
        f"  ratio app / floor: {r['ratio']}  (target <= {TARGET}: {verdict})",
        f"  reference, not checked: the floor with its imports and client under app.py's collector pause "
        f"{r['floor_paused_ms']:7.1f} ms; app / that floor {r['ratio_to_paused_floor']}",
    ]
    if r["unexpected_requests"]:
        lines.append(f"  requests the stub does not serve: {', '.join(r['unexpected_requests'])}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="cold start: app import + first GET /v1/me vs the floor")
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    result = measure(args.runs)
    print(json.dumps(result, indent=2) if args.json else report(result))
    return 0 if result["ratio"] <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
