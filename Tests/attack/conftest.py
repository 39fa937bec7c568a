"""Fixtures and helpers for the attack tests (Tests/attack, issue 13: hostile input and a
hostile LAN), run by scripts/attack-tests.sh against the real .build/debug binaries.

The process harness, HTTP helpers, PostgreSQL clusters and `wait_until` are the sync tests'
(Tests/sync/conftest.py), loaded here under the name `sync_harness`; this file adds a
standalone agent (no central), a central with extra flags, and raw-socket helpers for the
connection attacks. Nothing waits a fixed time for something to happen except where the
test measures that something does NOT happen within a time (an idle timeout, CPU use).

Environment: EDGE_SYNC_SEED / EDGE_SYNC_KEEP work as in the sync tests.
"""

from __future__ import annotations

import errno
import importlib.util
import json
import os
import resource
import select
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

_SYNC_CONFTEST = Path(__file__).resolve().parents[1] / "sync" / "conftest.py"
_spec = importlib.util.spec_from_file_location("sync_harness", _SYNC_CONFTEST)
sync_harness = importlib.util.module_from_spec(_spec)
sys.modules["sync_harness"] = sync_harness
_spec.loader.exec_module(sync_harness)

# Re-exported for the test modules (`from conftest import ...`) and, for the hook and the
# fixtures, so pytest registers them here too.
from sync_harness import (  # noqa: E402,F401
    AGENT_BIN, CENTRAL_BIN, HOST_ROOT, REPO, Agent, Central, Harness, HTTPResult, PgCluster, WaitTimeout,
    clean_env, http, now_ms, parse_metrics, pytest_runtest_makereport, tail, write_secret,
)

STAMP_NODE_WIDTH = 12


def pytest_report_header(config):
    return f"attack tests: seed {sync_harness.SEED} (EDGE_SYNC_SEED={sync_harness.SEED} replays it)"


def stamp(physical_ms: int, node: str, counter: int = 0) -> str:
    return f"{physical_ms:0{STAMP_NODE_WIDTH}x}-{counter:04x}-{node}"


def rfc3339(ms: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ms / 1000)) + f".{ms % 1000:03d}Z"


# --------------------------------------------------------------------------------------
# Processes


class StandaloneAgent(Agent):
    """`edge-agent run` without central, optionally behind `--api-token-file`, with extra
    flags, environment and an argv prefix (e.g. prlimit)."""

    def __init__(self, h: Harness, name: str, extra: list[str] | None = None, prefix: list[str] | None = None,
                 api_token_file: Path | None = None, data_dir: Path | None = None,
                 host_root: Path | None = None, sample_interval: str = "1s"):
        super().__init__(h, name, central_url="", token_file=Path("/nonexistent"), extra=extra)
        if data_dir is not None:
            self.data_dir = data_dir
            self.data_dir.mkdir(parents=True, exist_ok=True)
        self.prefix = prefix or []
        self.api_token_file = api_token_file
        self.api_token: str | None = api_token_file.read_text().strip() if api_token_file else None
        self.host_root = host_root or HOST_ROOT
        self.sample_interval = sample_interval

    def argv(self) -> list[str]:
        token = ["--api-token-file", str(self.api_token_file)] if self.api_token_file else []
        return [*self.prefix, str(AGENT_BIN), "run", "--data-dir", str(self.data_dir), "--node-name", self.name,
                "--listen", "127.0.0.1:0", "--host-root", str(self.host_root),
                "--sample-interval", self.sample_interval, *token, *self.extra]

    def start(self, port_wait: float = 30) -> "StandaloneAgent":
        self._spawn(self.argv(), b"[EdgeAgent] listening", port_wait=port_wait)
        return self

    def api(self, method: str, path: str, body=None, token: str | None = None, timeout: float = 15) -> HTTPResult:
        return http(method, self.url(path), body, token=token or self.api_token, timeout=timeout)

    def cli(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
        """`edge-agent ARGS --data-dir D --node-name N` (both options go after the subcommand)."""
        return subprocess.run([str(AGENT_BIN), *args, "--data-dir", str(self.data_dir), "--node-name", self.name],
                              capture_output=True, text=True, timeout=timeout, env=clean_env(), cwd=str(REPO))

    def readiness(self) -> int:
        try:
            return http("GET", self.url("/readiness"), timeout=5).status
        except OSError:
            return -1

    def log_text(self) -> str:
        return self.log.read_bytes().decode("utf-8", "replace")


class FlaggedCentral(Central):
    """`edge-central serve` with extra flags (the harness's Central builds a fixed argv)."""

    def __init__(self, h: Harness, name: str, db_url: str, extra: list[str] | None = None,
                 prefix: list[str] | None = None):
        super().__init__(h, name, db_url)
        self.extra = extra or []
        self.prefix = prefix or []

    def start(self, port: int | None = None, wait: bool = True) -> "FlaggedCentral":
        port = port if port is not None else (self.port or 0)
        self._launch([*self.prefix, str(CENTRAL_BIN), "serve", "--database-url", self.db_url, "--listen", f"127.0.0.1:{port}",
                      *self.extra], b"[EdgeCentral] listening")
        if wait:
            self.await_port()
        return self


def central_with_token(h: Harness, pg: PgCluster, extra: list[str] | None = None, node: str = "a",
                       env: dict[str, str] | None = None):
    """A migrated central on a fresh database, ready, with node `node` registered; returns
    (central, db_url, token). central.token is that node's token (for the household API).
    `env` is passed through env(1): the harness gives children none of the caller's EDGE_*."""
    db = pg.create_database("attack")
    prefix = ["env", *(f"{k}={v}" for k, v in env.items())] if env else None
    central = FlaggedCentral(h, "central", db, extra, prefix).start()
    central.wait_ready()
    token = h.add_node(db, node).read_text().strip()
    central.token = token
    return central, db, token


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process (all threads), in seconds."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def metric(metrics: dict[str, float], name: str, **labels: str) -> float | None:
    """A sample's value by name and a subset of its labels (None if absent)."""
    for key, value in metrics.items():
        base, _, rest = key.partition("{")
        if base != name:
            continue
        if all(f'{k}="{v}"' in rest for k, v in labels.items()):
            return value
    return None


# --------------------------------------------------------------------------------------
# Raw sockets


def connect(port: int, timeout: float = 5) -> socket.socket:
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def peer_closed(s: socket.socket) -> bool:
    """True once the server has closed (FIN or RST); drains any bytes it sent first. Never blocks."""
    while True:
        try:
            readable, _, _ = select.select([s], [], [], 0)
        except (OSError, ValueError):
            return True
        if not readable:
            return False
        try:
            data = s.recv(65536, socket.MSG_DONTWAIT)
        except BlockingIOError:
            return False
        except OSError:
            return True  # reset
        if not data:
            return True


def wait_closed(socks: list[socket.socket], timeout: float) -> set[int]:
    """Indexes of `socks` the server closed within `timeout` seconds (polls until all are
    closed or the time is up)."""
    closed: set[int] = set()
    deadline = time.monotonic() + timeout
    while True:
        for i, s in enumerate(socks):
            if i not in closed and peer_closed(s):
                closed.add(i)
        if len(closed) == len(socks) or time.monotonic() >= deadline:
            return closed
        time.sleep(0.02)


def close_all(socks: list[socket.socket]):
    for s in socks:
        try:
            s.close()
        except OSError:
            pass


def read_response(s: socket.socket, timeout: float = 10) -> tuple[int, dict, bytes, bool]:
    """Reads one HTTP/1.x response: (status, headers (lower-case names), body, closed), where
    `closed` says the server closed the connection right after it (checked for up to 1 s
    when the response is delimited). Raises ConnectionError if the server closed or reset
    before a complete response head."""
    s.settimeout(timeout)
    buf = b""
    deadline = time.monotonic() + timeout
    while b"\r\n\r\n" not in buf:
        if time.monotonic() > deadline:
            raise TimeoutError(f"no complete response head within {timeout} s (got {buf[:200]!r})")
        try:
            chunk = s.recv(65536)
        except ConnectionResetError as e:
            raise ConnectionError(f"connection reset before a response (got {buf[:200]!r})") from e
        if not chunk:
            raise ConnectionError(f"connection closed before a complete response (got {buf[:200]!r})")
        buf += chunk
    head, _, rest = buf.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers[k.strip().lower()] = v.strip()
    body = rest
    closed = False
    if "content-length" in headers:
        n = int(headers["content-length"])
        while len(body) < n:
            chunk = s.recv(65536)
            if not chunk:
                raise ConnectionError("connection closed in the middle of the response body")
            body += chunk
        body = body[:n]
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        raw = body
        body = b""
        while True:
            while b"\r\n" not in raw:
                chunk = s.recv(65536)
                if not chunk:
                    raise ConnectionError("connection closed in the middle of a chunked response")
                raw += chunk
            size_line, _, raw = raw.partition(b"\r\n")
            size = int(size_line.split(b";")[0], 16)
            while len(raw) < size + 2:
                chunk = s.recv(65536)
                if not chunk:
                    raise ConnectionError("connection closed in the middle of a chunked response")
                raw += chunk
            if size == 0:
                break
            body += raw[:size]
            raw = raw[size + 2:]
    else:
        # Delimited by the close.
        while True:
            try:
                chunk = s.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            body += chunk
        return status, headers, body, True
    closed = bool(wait_closed([s], 1.0))
    return status, headers, body, closed


def send_ignoring_close(s: socket.socket, data: bytes) -> bool:
    """Sends `data`; False if the server had already closed or reset the connection."""
    try:
        s.sendall(data)
        return True
    except (BrokenPipeError, ConnectionResetError):
        return False
    except OSError as e:
        if e.errno in (errno.EPIPE, errno.ECONNRESET):
            return False
        raise


def error_json(body: bytes) -> dict:
    """The `{"error": {...}}` object of an error body; fails the test if the body is not one."""
    try:
        value = json.loads(body)
    except ValueError as e:
        raise AssertionError(f"the error body is not JSON: {body[:300]!r}") from e
    assert isinstance(value, dict) and isinstance(value.get("error"), dict), f"not the JSON error form: {value!r}"
    assert value["error"].get("code") and value["error"].get("message"), f"error without code or message: {value!r}"
    return value["error"]


def raise_fd_limit(n: int):
    """The test process opens hundreds of sockets: raise its soft RLIMIT_NOFILE to at least n."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < n:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(n, hard) if hard != resource.RLIM_INFINITY else n, hard))


# --------------------------------------------------------------------------------------
# Fixtures


@pytest.fixture(scope="session", autouse=True)
def binaries():
    for binary in (AGENT_BIN, CENTRAL_BIN):
        if not os.access(binary, os.X_OK):
            pytest.exit(f"{binary} is not built (swift build)", returncode=2)


@pytest.fixture(scope="module")
def pg():
    cluster = PgCluster()
    try:
        yield cluster
    finally:
        cluster.close()


@pytest.fixture
def h(request):
    """A harness without PostgreSQL; tests that need central also take `pg`."""
    harness = Harness(request, None)
    try:
        yield harness
    finally:
        rep = getattr(request.node, "rep_call", None)
        harness.close(failed=rep is None or rep.failed)
