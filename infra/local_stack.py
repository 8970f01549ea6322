"""`make run`: Amazon DynamoDB Local, moto's S3/SNS/KMS, tables, demo data, `chalice local`.

DynamoDB runs on Amazon's own engine (DynamoDB Local 3.3.1, installed by infra/ddb_local.py),
so capacity, limits and error codes are DynamoDB's; S3, SNS and KMS stay on moto's server.
FIELDDESK_LOCAL_DB=moto runs DynamoDB on moto too (machines without Java).
Data lives in memory and is gone when you press Ctrl-C, which stops every process this
started; FIELDDESK_DDB_DATA=<dir> keeps DynamoDB's data there between runs.
Ports: FIELDDESK_MOTO_PORT (5005), FIELDDESK_DDB_PORT (5006), FIELDDESK_API_PORT (8000).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MOTO_PORT = int(os.environ.get("FIELDDESK_MOTO_PORT", "5005"))
API_PORT = int(os.environ.get("FIELDDESK_API_PORT", "8000"))
DDB_PORT = int(os.environ.get("FIELDDESK_DDB_PORT", "5006"))
ENGINE = "moto" if os.environ.get("FIELDDESK_LOCAL_DB", "ddb-local").strip().lower() == "moto" else "ddb-local"
DATA_DIR = os.environ.get("FIELDDESK_DDB_DATA") or None


def port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def wait_for(port: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise SystemExit(f"nothing answered on 127.0.0.1:{port} after {seconds:.0f}s")


def stop_processes(procs: list[subprocess.Popen], timeout: float = 5) -> None:
    """Terminate every process, then kill those that do not stop in time."""
    for p in procs:
        if p.poll() is None:
            p.terminate()
    for p in procs:
        try:
            p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            p.kill()


def local_env() -> dict:
    stage = json.loads((ROOT / ".chalice" / "config.json").read_text())["stages"]["local"]
    env = {**os.environ, **stage["environment_variables"]}
    endpoint = f"http://127.0.0.1:{MOTO_PORT}"
    ddb = f"http://127.0.0.1:{DDB_PORT}" if ENGINE == "ddb-local" else endpoint
    env.update(
        DYNAMODB_ENDPOINT_URL=os.environ.get("DYNAMODB_ENDPOINT_URL", ddb),
        S3_ENDPOINT_URL=os.environ.get("S3_ENDPOINT_URL", endpoint),
    )
    return env


def main() -> int:
    ports = [(MOTO_PORT, "moto (set FIELDDESK_MOTO_PORT)"), (API_PORT, "the API (set FIELDDESK_API_PORT)")]
    if ENGINE == "ddb-local":
        ports.append((DDB_PORT, "DynamoDB Local (set FIELDDESK_DDB_PORT)"))
        from infra import ddb_local

        try:
            ddb_local.install()
        except ddb_local.InstallError as e:
            print(
                f"DynamoDB Local cannot be installed: {e}. Run `FIELDDESK_LOCAL_DB=moto make run` "
                f"to use moto's DynamoDB instead.",
                file=sys.stderr,
            )
            return 3
    for port, what in ports:
        if not port_free(port):
            print(
                f"Port {port} on 127.0.0.1 is already in use; it is needed for {what}. "
                f"Stop whatever holds it (`lsof -i :{port}`) or choose another port.",
                file=sys.stderr,
            )
            return 2
    env = local_env()
    os.environ.update(env)
    bin_dir = Path(sys.executable).parent
    procs: list[subprocess.Popen] = []

    def stop(*_):
        stop_processes(procs)

    stopping = []

    def on_signal(*_):
        stopping.append(True)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        procs.append(
            subprocess.Popen(
                [str(bin_dir / "moto_server"), "-H", "127.0.0.1", "-p", str(MOTO_PORT)],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        wait_for(MOTO_PORT)
        if ENGINE == "ddb-local":
            log = ROOT / ".local" / "ddb" / "dynamodb-local.log"
            procs.append(ddb_local.start(DDB_PORT, DATA_DIR, log_path=log))
            try:
                ddb_local.wait_ready(DDB_PORT, procs[-1])
            except RuntimeError as e:
                print(f"{e} (log: {log})", file=sys.stderr)
                return 1
        from infra.local_setup import prepare

        prepare()
        procs.append(
            subprocess.Popen(
                [sys.executable, str(ROOT / "infra" / "local_server.py"), str(API_PORT)], cwd=ROOT, env=env
            )
        )
        wait_for(API_PORT)
        engine = "Amazon DynamoDB Local 3.3.1" if ENGINE == "ddb-local" else "moto; FIELDDESK_LOCAL_DB=moto"
        kept = (
            f"DynamoDB data is kept in {DATA_DIR}; S3 is in memory"
            if DATA_DIR and ENGINE == "ddb-local"
            else "data is in memory and is lost on Ctrl-C"
        )
        print(
            f"""
FieldDesk is running ({kept}).
  API:        http://127.0.0.1:{API_PORT}/v1/health
  Forms:      http://127.0.0.1:{API_PORT}/app/
  DynamoDB:   {env['DYNAMODB_ENDPOINT_URL']} ({engine})
  S3:         {env['S3_ENDPOINT_URL']} (moto)
Get a token in another terminal, then call the API:
  TOKEN=$(make -s token ROLE=client_manager)        # N=2 for the second demo user
  curl -H "Authorization: Bearer $TOKEN" http://127.0.0.1:{API_PORT}/v1/me
Roles: client_manager supervisor callback_agent compliance admin system. Ctrl-C stops everything.
""",
            flush=True,
        )
        while not stopping and all(p.poll() is None for p in procs):
            time.sleep(0.3)
        if stopping:
            print("stopping FieldDesk local stack", file=sys.stderr)
            return 0
        print("a local process exited; stopping the others", file=sys.stderr)
        return 1
    finally:
        stop()


if __name__ == "__main__":
    sys.exit(main())
