"""Fixtures and helpers for the end-to-end sync tests (Tests/sync).

Everything here drives real processes: a private PostgreSQL 15 cluster per test module
(scripts/pg-cluster.sh), `edge-central serve` processes, `edge-agent run` processes from
.build/debug, and Tests/live/fault_proxy.py's ThreadedFaultProxy between each agent and
central. Nothing waits a fixed time for something to happen: `wait_until` polls a condition
with a deadline and, on timeout, fails with the last observed state and the tails of every
process log of the test.

Environment:
  EDGE_SYNC_SEED=N      replay the randomised parts of a run (the seed is printed)
  EDGE_SYNC_KEEP=1      keep the temporary directories (logs, databases) for inspection
"""

from __future__ import annotations

import csv
import io
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import ssl
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
AGENT_BIN = REPO / ".build/debug/edge-agent"
CENTRAL_BIN = REPO / ".build/debug/edge-central"
BENCH_BIN = REPO / ".build/debug/edge-bench"  # fill-db writes backlogs with real timestamps
PG_CLUSTER = REPO / "scripts/pg-cluster.sh"
PG_BIN = Path("/usr/lib/postgresql/15/bin")
HOST_ROOT = REPO / "Tests/Fixtures/rpi4"

sys.path.insert(0, str(REPO / "Tests/live"))
from fault_proxy import ThreadedFaultProxy  # noqa: E402

# The feed lock central takes in every task write (CentralStore.feedLockKey).
FEED_LOCK_KEY = 7310593858008514677

SEED = int(os.environ.get("EDGE_SYNC_SEED") or random.SystemRandom().randrange(2**32))
KEEP = os.environ.get("EDGE_SYNC_KEEP") == "1"


def pytest_report_header(config):
    return f"sync tests: seed {SEED} (EDGE_SYNC_SEED={SEED} replays it)"


def pytest_terminal_summary(terminalreporter):
    terminalreporter.write_line(f"sync tests seed: {SEED} (set EDGE_SYNC_SEED={SEED} to replay)")


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, "rep_" + report.when, report)
    return report


def now_ms() -> int:
    return int(time.time() * 1000)


def clean_env() -> dict:
    """The environment for child processes: none of the caller's EDGE_* settings leak in."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("EDGE_") and k not in ("CREDENTIALS_DIRECTORY", "STATE_DIRECTORY")}
    env["EDGE_LOG_FORMAT"] = "text"
    return env


# --------------------------------------------------------------------------------------
# Waiting


class WaitTimeout(AssertionError):
    pass


def tail(path: Path, lines: int = 40) -> str:
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            size = f.tell()
            f.seek(max(0, size - 64 * 1024))
            text = f.read().decode("utf-8", "replace")
    except OSError as e:
        return f"(cannot read {path}: {e})"
    # Collapse runs of one message (PostgresNIO logs every failed reconnect), timestamps aside.
    out: list[str] = []
    last, repeats = None, 0
    for line in text.splitlines():
        key = re.sub(r"^\S+ ", "", line)
        key = re.sub(r"psql_connection_id=\d+ ", "", key)
        if key == last:
            repeats += 1
            continue
        if repeats:
            out.append(f"    (the line above {repeats} more times)")
        out.append(line)
        last, repeats = key, 0
    if repeats:
        out.append(f"    (the line above {repeats} more times)")
    return "\n".join(out[-lines:])


# --------------------------------------------------------------------------------------
# HTTP


class HTTPResult:
    def __init__(self, status: int, headers, body: bytes):
        self.status = status
        self.headers = headers
        self.body = body

    @property
    def json(self):
        return json.loads(self.body) if self.body else None

    def __repr__(self):
        return f"HTTP {self.status} {self.body[:300]!r}"


def http(method: str, url: str, body=None, token: str | None = None, timeout: float = 15,
         context: ssl.SSLContext | None = None, headers: dict | None = None) -> HTTPResult:
    data = None
    headers = {"Accept": "application/json", **(headers or {})}
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout, context=context) as response:
            return HTTPResult(response.status, response.headers, response.read())
    except urllib.error.HTTPError as e:
        return HTTPResult(e.code, e.headers, e.read())


def parse_metrics(text: str) -> dict[str, float]:
    """Prometheus text → {'name{labels}': value} (labels exactly as exposed)."""
    out = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        key, _, value = line.rpartition(" ")
        out[key] = float(value)
    return out


# --------------------------------------------------------------------------------------
# Task records and samples, read the same way from both sides

RECORD_KEYS = ("id", "title", "title_v", "notes", "notes_v", "due_at", "due_at_v", "assignee", "assignee_v",
               "done", "completed_at", "done_v", "deleted", "deleted_v", "created_at", "origin", "repeat", "repeat_v", "series")


def normalize_record(record: dict) -> dict:
    """A task record with its stamps, absent/None fields dropped, as central's JSON stores it."""
    out = {}
    for key in RECORD_KEYS:
        value = record.get(key)
        if key == "repeat" and value is None:
            value = record.get("repeat_rule")  # the agent's column
        if value is None:
            continue
        if key in ("done", "deleted"):
            value = bool(value)
        out[key] = value
    return out


def stamp_physical(stamp: str) -> int:
    return int(stamp[:12], 16)


def stamp_node(stamp: str) -> str:
    return stamp[18:]


_SCALES = (1.0, 10.0, 100.0, 1000.0)


def decode_values(blob: bytes) -> list[float]:
    """LocalStore's packed value arrays (Sources/LocalStore/PackedValues.swift), exactly."""
    assert blob[0] == 1, f"unknown packed format {blob[0]}"
    out = []
    i, n = 1, len(blob)
    while i < n:
        if blob[i] == 0xFF:
            out.append(struct.unpack_from("<d", blob, i + 1)[0])
            i += 9
            continue
        header = shift = 0
        while True:
            b = blob[i]
            i += 1
            header |= (b & 0x7F) << shift
            if b < 0x80:
                break
            shift += 7
        zigzag = header >> 2
        value = (zigzag >> 1) ^ -(zigzag & 1)
        out.append(value / _SCALES[header & 3])
    return out


def decode_ids(blob: bytes) -> list[int]:
    return list(struct.unpack(f"<{len(blob) // 4}i", blob))


def diff_records(left: dict, right: dict, left_name: str, right_name: str, limit: int = 6) -> str:
    lines = []
    for task_id in sorted(set(left) | set(right)):
        a, b = left.get(task_id), right.get(task_id)
        if a == b:
            continue
        if a is None or b is None:
            lines.append(f"  {task_id}: only on {right_name if a is None else left_name}")
        else:
            fields = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
            lines.append(f"  {task_id}: " + ", ".join(f"{k}: {a.get(k)!r} ({left_name}) vs {b.get(k)!r} ({right_name})"
                                                    for k in fields))
        if len(lines) >= limit:
            lines.append("  ...")
            break
    return "\n".join(lines)


# --------------------------------------------------------------------------------------
# PostgreSQL


def psql(url: str, sql: str, timeout: float = 30) -> str:
    result = subprocess.run([str(PG_BIN / "psql"), url, "-X", "-A", "-t", "-q", "-v", "ON_ERROR_STOP=1", "-c", sql],
                            capture_output=True, text=True, timeout=timeout, env=clean_env())
    if result.returncode != 0:
        raise RuntimeError(f"psql failed ({result.returncode}) for {sql!r}: {result.stderr.strip()}")
    return result.stdout.strip()


def psql_json(url: str, sql: str):
    """Rows of `sql` as a list of dicts (json_agg)."""
    text = psql(url, f"SELECT coalesce(json_agg(q), '[]'::json) FROM ({sql}) q")
    return json.loads(text)


def pg_dump(db: str, path: Path) -> Path:
    """`pg_dump -Fc` of the database at URL `db` to `path`. A freshly migrated central drops
    the empty table of before partitioning (`sample_legacy`) in its first retention run; a
    dump that listed the table just before gets "does not exist" when it locks it, as a
    nightly dump could once in a database's life. It is taken again then, as an operator would."""
    for attempt in range(3):
        result = subprocess.run([str(PG_BIN / "pg_dump"), "-Fc", "-f", str(path), db], capture_output=True, text=True,
                                timeout=120, env=clean_env())
        if result.returncode == 0 or "does not exist" not in result.stderr:
            break
    assert result.returncode == 0, result.stderr
    return path


def pg_restore(cluster_url: str, db: str, path: Path):
    """Drops the database at URL `db`, creates it again and restores `path` into it."""
    name = db.rsplit("/", 1)[1]
    psql(cluster_url, f"DROP DATABASE {name} WITH (FORCE)")
    psql(cluster_url, f"CREATE DATABASE {name}")
    result = subprocess.run([str(PG_BIN / "pg_restore"), "-d", db, str(path)], capture_output=True, text=True,
                            timeout=120, env=clean_env())
    assert result.returncode == 0, result.stderr


def with_database(url: str, database: str) -> str:
    return url.rsplit("/", 1)[0] + "/" + database


class PgCluster:
    """One private cluster (scripts/pg-cluster.sh) in a short /tmp directory."""

    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="edge-sync-pg.", dir="/tmp"))
        self.url = self._script("start")
        self._n = 0

    def _script(self, action: str) -> str:
        result = subprocess.run([str(PG_CLUSTER), action, str(self.dir)], capture_output=True, text=True,
                                timeout=120, env=clean_env())
        if result.returncode != 0:
            raise RuntimeError(f"pg-cluster.sh {action} failed: {result.stderr.strip()}")
        return result.stdout.strip()

    def create_database(self, prefix: str = "t") -> str:
        self._n += 1
        name = re.sub(r"[^a-z0-9_]", "_", f"{prefix}_{self._n}_{random.SystemRandom().randrange(1 << 30):x}".lower())[:60]
        psql(self.url, f"CREATE DATABASE {name}")
        return with_database(self.url, name)

    def restart(self) -> str:
        """Immediate stop (a crash) if running, then start again on the same port."""
        return self._script("restart")

    def crash(self):
        """`pg_ctl stop -m immediate`: the server dies as in a crash and stays down."""
        cmd = [str(PG_BIN / "pg_ctl"), "-D", str(self.dir / "data"), "-w", "-t", "30", "stop", "-m", "immediate"]
        if os.geteuid() == 0:
            cmd = ["runuser", "-u", "postgres", "--"] + cmd
        result = subprocess.run(cmd, capture_output=True, text=True, timeout=60, cwd="/")
        if result.returncode != 0:
            raise RuntimeError(f"pg_ctl stop -m immediate failed: {result.stderr.strip()}")

    def close(self):
        if (self.dir / "data").exists():
            result = subprocess.run([str(PG_CLUSTER), "stop", str(self.dir)], capture_output=True, text=True, timeout=90)
            if result.returncode != 0:
                pidfile = self.dir / "data/postmaster.pid"
                try:
                    pid = int(pidfile.read_text().split()[0])
                    os.kill(pid, signal.SIGQUIT)
                except (OSError, ValueError, IndexError):
                    pass
        if not KEEP:
            shutil.rmtree(self.dir, ignore_errors=True)


# --------------------------------------------------------------------------------------
# Processes


class Proc:
    """A child process with a log file per start; knows whether it is meant to be running."""

    listening = re.compile(rb"address=127\.0\.0\.1:(\d+)")

    def __init__(self, h: "Harness", name: str):
        self.h = h
        self.name = name
        self.proc: subprocess.Popen | None = None
        self.logs: list[Path] = []
        self.port: int | None = None
        self.expected_alive = False
        h.procs.append(self)

    @property
    def log(self) -> Path:
        return self.logs[-1]

    def _spawn(self, argv: list[str], marker: bytes, port_wait: float = 30):
        self._launch(argv, marker)
        self.await_port(port_wait)

    def _launch(self, argv: list[str], marker: bytes):
        assert self.proc is None or self.proc.poll() is not None, f"{self.name} is already running"
        log = self.h.dir / f"{self.name}.{len(self.logs) + 1}.log"
        self.logs.append(log)
        with open(log, "wb") as f:
            f.write(("$ " + " ".join(argv) + "\n").encode())
            f.flush()
            self.proc = subprocess.Popen(argv, stdout=f, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                         env=clean_env(), cwd=str(REPO))
        self.expected_alive = True
        self._marker = marker

    def await_port(self, port_wait: float = 30):
        """Waits for the process's "listening" log line and takes the port from it."""
        log, marker = self.log, self._marker
        deadline = time.monotonic() + port_wait
        while time.monotonic() < deadline:
            for line in log.read_bytes().splitlines():
                if marker in line:
                    m = self.listening.search(line)
                    if m:
                        self.port = int(m.group(1))
                        return
            if self.proc.poll() is not None:
                self.expected_alive = False
                raise AssertionError(f"{self.name} exited with {self.proc.returncode} before listening:\n{tail(log)}")
            time.sleep(0.05)
        raise AssertionError(f"{self.name} did not log {marker!r} within {port_wait} s:\n{tail(log)}")

    @property
    def pid(self) -> int:
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout: float = 20) -> int:
        """SIGTERM and wait; returns the exit status (SIGKILL if it hangs, then fails)."""
        self.expected_alive = False
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else 0
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)
            raise AssertionError(f"{self.name} did not stop within {timeout} s of SIGTERM:\n{tail(self.log)}")

    def kill(self):
        """SIGKILL and reap."""
        self.expected_alive = False
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def cleanup(self):
        self.expected_alive = False
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)

    def url(self, path: str = "") -> str:
        return f"http://127.0.0.1:{self.port}{path}"


class HouseholdTasks:
    """The household task API, the same on agents and central (`self.api` differs)."""

    def tasks(self) -> list[dict]:
        r = self.api("GET", "/v1/tasks?state=all")
        assert r.status == 200, f"{self.name} GET /v1/tasks: {r}"
        return r.json["tasks"]

    def create(self, title: str, **fields) -> dict:
        r = self.api("POST", "/v1/tasks", {"title": title, **fields})
        assert r.status == 201, f"{self.name} POST /v1/tasks: {r}"
        return r.json

    def patch(self, task_id: str, **fields) -> dict:
        r = self.api("PATCH", f"/v1/tasks/{task_id}", fields)
        assert r.status == 200, f"{self.name} PATCH /v1/tasks/{task_id}: {r}"
        return r.json

    def delete(self, task_id: str):
        r = self.api("DELETE", f"/v1/tasks/{task_id}")
        assert r.status == 204, f"{self.name} DELETE /v1/tasks/{task_id}: {r}"


class Central(HouseholdTasks, Proc):
    def __init__(self, h: "Harness", name: str, db_url: str, token: str | None = None,
                 tls: "Certificates | None" = None, extra: list[str] | None = None):
        super().__init__(h, name)
        self.db_url = db_url
        self.extra = extra or []  # more `serve` options, e.g. ["--sample-retention", "2d"]
        self.token = token  # any valid node token, for the household API
        self.tls = tls      # serve HTTPS with tls.cert/tls.key; the test trusts tls.ca
        self.context = ssl.create_default_context(cafile=str(tls.ca)) if tls else None

    def start(self, port: int | None = None, wait: bool = True) -> "Central":
        """Starts `edge-central serve` (on `port`, default: the previous one, else any); with
        `wait=False` returns at once (then `await_port`)."""
        port = port if port is not None else (self.port or 0)
        tls = ["--tls-cert-file", str(self.tls.cert), "--tls-key-file", str(self.tls.key)] if self.tls else []
        self._launch([str(CENTRAL_BIN), "serve", "--database-url", self.db_url, "--listen", f"127.0.0.1:{port}", *tls,
                      *self.extra],
                     b"[EdgeCentral] listening")
        if wait:
            self.await_port()
        return self

    def url(self, path: str = "") -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}{path}"

    def api(self, method: str, path: str, body=None, token: str | None = None) -> HTTPResult:
        return http(method, self.url(path), body, token=token or self.token, context=self.context)

    def readiness(self) -> int:
        try:
            return http("GET", self.url("/readiness"), timeout=5, context=self.context).status
        except OSError:
            return -1

    def wait_ready(self, timeout: float = 30):
        self.h.wait_until(lambda: self.readiness() == 200, timeout, f"{self.name} /readiness answers 200")

    def sql(self, sql: str) -> str:
        return psql(self.db_url, sql)

    def records(self) -> dict[str, dict]:
        rows = psql(self.db_url, "SELECT record FROM task ORDER BY id")
        out = {}
        for line in rows.splitlines():
            record = normalize_record(json.loads(line))
            out[record["id"]] = record
        return out

    def samples(self, node: str) -> dict[tuple, tuple]:
        """Every sample central holds for `node`: (name, labels, ts) → (value, clock)."""
        copy = (f"COPY (SELECT s.name, s.labels, p.ts, p.value, p.clock FROM sample p JOIN series s ON s.id = p.series_id "
                f"JOIN node n ON n.id = p.node_id WHERE n.name = '{node}') TO STDOUT WITH (FORMAT csv)")
        out = {}
        for name, labels, ts, value, clock in csv.reader(io.StringIO(psql(self.db_url, copy))):
            key = (name, labels, int(ts))
            assert key not in out, f"central holds {key} twice"
            out[key] = (float(value), int(clock))
        return out


class Agent(HouseholdTasks, Proc):
    def __init__(self, h: "Harness", name: str, central_url: str, token_file: Path, extra: list[str] | None = None):
        super().__init__(h, name)
        self.data_dir = h.dir / f"{name}-data"
        self.data_dir.mkdir(exist_ok=True)
        self.central_url = central_url
        self.token_file = token_file
        self.extra = extra or []

    @property
    def db_path(self) -> Path:
        return self.data_dir / "agent.db"

    def start(self, wrap: list[str] | None = None, standalone: bool = False) -> "Agent":
        """`wrap` runs the agent under another command, e.g. faketime; `standalone` without a central."""
        central = [] if standalone else ["--central-url", self.central_url, "--central-token-file", str(self.token_file),
                                         "--sync-interval", "1s"]
        self._spawn([*(wrap or []), str(AGENT_BIN), "run", "--data-dir", str(self.data_dir), "--node-name", self.name,
                     "--listen", "127.0.0.1:0", "--host-root", str(HOST_ROOT), "--sample-interval", "1s",
                     *central, *self.extra], b"[EdgeAgent] listening")
        return self

    def sync_once(self, *extra: str, timeout: float = 120) -> subprocess.CompletedProcess:
        return subprocess.run([str(AGENT_BIN), "sync", "--once", "--data-dir", str(self.data_dir), "--node-name", self.name,
                               "--central-url", self.central_url, "--central-token-file", str(self.token_file), *extra],
                              capture_output=True, text=True, timeout=timeout, env=clean_env(), cwd=str(REPO))

    # HTTP API

    def api(self, method: str, path: str, body=None) -> HTTPResult:
        return http(method, self.url(path), body)

    def status(self) -> dict:
        r = self.api("GET", "/v1/status")
        assert r.status == 200, f"{self.name} GET /v1/status: {r}"
        return r.json

    def sync_state(self) -> str:
        return self.status()["sync"]["state"]

    def metrics(self) -> dict[str, float]:
        r = self.api("GET", "/metrics")
        assert r.status == 200, f"{self.name} GET /metrics: {r}"
        return parse_metrics(r.body.decode())

    def errors(self, reason: str) -> float:
        return self.metrics()[f'edge_sync_errors_total{{reason="{reason}"}}']

    # The database, read-only

    def query(self, sql: str, args=()) -> list[tuple]:
        uri = f"file:{self.db_path}?mode=ro"
        if not self.alive():
            uri += "&immutable=1"  # nobody writes it; no -shm needed
        conn = sqlite3.connect(uri, uri=True, timeout=10)
        try:
            return conn.execute(sql, args).fetchall()
        finally:
            conn.close()

    def change_log_count(self) -> int:
        return self.query("SELECT count(*) FROM change_log")[0][0]

    def change_log_ids(self) -> set[str]:
        return {r[0] for r in self.query("SELECT change_id FROM change_log")}

    def delivered_through(self) -> int | None:
        rows = self.query("SELECT value FROM store_state WHERE key = 'samples_delivered_through'")
        return rows[0][0] if rows else None

    def cursor(self) -> tuple[int, str]:
        text = self.query("SELECT cursor FROM sync_cursor WHERE id = 1")[0][0]
        seq, _, tag = text.partition("-")
        return int(seq), tag

    def records(self) -> dict[str, dict]:
        conn = sqlite3.connect(f"file:{self.db_path}?mode=ro" + ("" if self.alive() else "&immutable=1"), uri=True, timeout=10)
        conn.row_factory = sqlite3.Row
        try:
            rows = conn.execute("SELECT * FROM task ORDER BY id").fetchall()
        finally:
            conn.close()
        out = {}
        for row in rows:
            record = normalize_record(dict(row))
            out[record["id"]] = record
        return out

    def record(self, task_id: str) -> dict:
        return self.records()[task_id]

    def readings(self) -> list[tuple[int, int, int, bytes]]:
        return self.query("SELECT ts, layout_id, clock_synced, vals FROM metric_reading ORDER BY ts")

    def samples(self, through: int | None = None) -> dict[tuple, tuple]:
        """Every raw sample stored locally (ts ≤ through if given): (name, labels, ts) → (value, clock)."""
        series = {i: (n, l) for i, n, l in self.query("SELECT id, name, labels FROM metric_series")}
        layouts = {i: decode_ids(s) for i, s in self.query("SELECT id, series FROM metric_layout")}
        out = {}
        for ts, layout_id, synced, vals in self.readings():
            if through is not None and ts > through:
                continue
            ids = layouts[layout_id]
            values = decode_values(vals)
            assert len(ids) == len(values), f"reading {ts}: {len(values)} values for {len(ids)} series"
            for sid, value in zip(ids, values):
                name, labels = series[sid]
                out[(name, labels, ts)] = (value, int(synced))  # 0 untrusted, 1 synced, 2 corrected
        return out


class Certificates:
    """A private CA and a server certificate it signed for 127.0.0.1 (openssl, EC P-256)."""

    def __init__(self, directory: Path, name: str):
        directory.mkdir(parents=True, exist_ok=True)
        self.ca = directory / f"{name}-ca.pem"
        self.cert = directory / f"{name}-server.pem"
        self.key = directory / f"{name}-server.key"
        ca_key = directory / f"{name}-ca.key"
        csr = directory / f"{name}-server.csr"
        ext = directory / f"{name}-server.ext"
        ext.write_text("subjectAltName = IP:127.0.0.1, DNS:localhost\nextendedKeyUsage = serverAuth\n")

        def openssl(*args: str):
            result = subprocess.run(["openssl", *args], capture_output=True, text=True, timeout=60)
            assert result.returncode == 0, f"openssl {args[0]} failed: {result.stderr.strip()}"

        curve = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        openssl("req", "-x509", *curve, "-keyout", str(ca_key), "-out", str(self.ca), "-days", "2",
                "-subj", f"/CN={name} household CA")
        openssl("req", "-new", *curve, "-keyout", str(self.key), "-out", str(csr), "-subj", "/CN=127.0.0.1")
        openssl("x509", "-req", "-in", str(csr), "-CA", str(self.ca), "-CAkey", str(ca_key), "-CAcreateserial",
                "-out", str(self.cert), "-days", "2", "-extfile", str(ext))


class Harness:
    """Everything one test starts, cleaned up by the `h` fixture whatever happens."""

    def __init__(self, request, pg: PgCluster | None):
        self.request = request
        self.dir = Path(tempfile.mkdtemp(prefix="edge-sync-"))
        self.pg = pg
        self.procs: list[Proc] = []
        self.proxies: dict[str, ThreadedFaultProxy] = {}
        self.threads: list[threading.Thread] = []
        self.stop_event = threading.Event()
        self.extra_clusters: list[PgCluster] = []
        self.rng = random.Random(f"{SEED}:{request.node.name}")
        print(f"[{request.node.name}] seed {SEED}; files in {self.dir}")

    # Building blocks

    def add_node(self, db_url: str, name: str) -> Path:
        """`edge-central nodes add NAME`; the token goes into a 0600 file, returned."""
        token = self.central_cli(db_url, "nodes", "add", name)
        assert token.startswith("edge1_"), f"nodes add printed {token!r}"
        path = self.dir / f"{name}.token"
        write_secret(path, token)
        return path

    def central_cli(self, db_url: str, *args: str, check: bool = True) -> str:
        result = subprocess.run([str(CENTRAL_BIN), *args, "--database-url", db_url], capture_output=True, text=True,
                                timeout=60, env=clean_env())
        if check and result.returncode != 0:
            raise AssertionError(f"edge-central {' '.join(args)} exited {result.returncode}: {result.stderr.strip()}")
        return result.stdout.strip()

    def central(self, db_url: str, name: str = "central", token: str | None = None, port: int | None = None,
                tls: Certificates | None = None, extra: list[str] | None = None) -> Central:
        return Central(self, name, db_url, token, tls=tls, extra=extra).start(port=port)

    def certificates(self, name: str) -> Certificates:
        return Certificates(self.dir / "tls", name)

    def proxy(self, name: str, target_port: int) -> ThreadedFaultProxy:
        proxy = ThreadedFaultProxy("127.0.0.1", target_port)
        self.proxies[name] = proxy
        return proxy

    def agent(self, name: str, central: Central, db_url: str | None = None, token_file: Path | None = None) -> Agent:
        """A node registered at central, behind its own fault proxy (`h.proxies[name]`), started."""
        token_file = token_file or self.add_node(db_url or central.db_url, name)
        if central.token is None:
            central.token = token_file.read_text().strip()
        proxy = self.proxy(name, central.port)
        return Agent(self, name, f"http://127.0.0.1:{proxy.port}", token_file).start()

    def cluster(self) -> PgCluster:
        """A private cluster for this test alone (stopped at teardown)."""
        cluster = PgCluster()
        self.extra_clusters.append(cluster)
        return cluster

    def background(self, target, *args) -> threading.Thread:
        t = threading.Thread(target=target, args=args, daemon=True)
        self.threads.append(t)
        t.start()
        return t

    # Waiting

    def logs(self, lines: int = 40) -> str:
        parts = []
        for p in self.procs:
            for log in p.logs[-2:]:
                parts.append(f"----- {log.name} ({'running' if p.alive() else 'not running'}) -----\n{tail(log, lines)}")
        for name, proxy in self.proxies.items():
            parts.append(f"----- proxy {name}: mode {proxy.mode}, connections {proxy.stats}")
        return "\n".join(parts)

    def check_alive(self):
        for p in self.procs:
            if p.expected_alive and not p.alive():
                p.expected_alive = False
                raise AssertionError(f"{p.name} died unexpectedly (exit {p.proc.returncode}):\n{self.logs()}")

    def wait_until(self, predicate, timeout: float, what: str, detail=None, interval: float = 0.2):
        """Polls `predicate` until it returns something truthy (returned) or `timeout` seconds
        pass; then fails naming `what`, the last state (`detail()` or the last exception) and
        the process logs. Fails at once if a process that should run has died."""
        deadline = time.monotonic() + timeout
        last_error = None
        while True:
            self.check_alive()
            try:
                value = predicate()
                if value:
                    return value
                last_error = None
            except (OSError, sqlite3.Error, RuntimeError, KeyError, AssertionError, ValueError) as e:
                last_error = e
            if time.monotonic() >= deadline:
                state = ""
                if detail is not None:
                    try:
                        state = f"\nlast state: {detail()}"
                    except Exception as e:  # noqa: BLE001 - only for the message
                        state = f"\nlast state: (unavailable: {e!r})"
                if last_error is not None:
                    state += f"\nlast error: {last_error!r}"
                raise WaitTimeout(f"timed out after {timeout} s waiting until {what}{state}\n{self.logs()}")
            time.sleep(interval)

    # Whole-system checks

    def wait_converged(self, central: Central, agents: list[Agent], timeout: float = 60):
        """Waits until every change log is empty and every agent's task records (every field
        and stamp, tombstones included) equal central's; then asserts the same, and that
        GET /v1/tasks is identical on every agent and on central."""

        def state():
            pending = {a.name: a.change_log_count() for a in agents}
            central_records = central.records()
            diffs = {a.name: diff_records(a.records(), central_records, a.name, "central") for a in agents}
            return pending, {k: v for k, v in diffs.items() if v}

        def done():
            pending, diffs = state()
            return not any(pending.values()) and not diffs

        def describe():
            pending, diffs = state()
            return f"pending change logs {pending}; differences:\n" + "\n".join(f"{k}:\n{v}" for k, v in diffs.items())

        self.wait_until(done, timeout, "all change logs are empty and every replica holds the same task records",
                        detail=describe)
        central_records = central.records()
        for a in agents:
            assert a.change_log_count() == 0
            assert a.records() == central_records, diff_records(a.records(), central_records, a.name, "central")
        central_list = sorted(central.tasks(), key=lambda t: t["id"])
        for a in agents:
            agent_list = sorted(a.tasks(), key=lambda t: t["id"])
            assert agent_list == central_list, f"GET /v1/tasks differs between {a.name} and central"
        live = {k for k, r in central_records.items() if not r.get("deleted")}
        assert {t["id"] for t in central_list} == live
        return central_records

    def assert_samples_consistent(self, central: Central, agent: Agent):
        """While the agent runs: everything it holds as delivered is at central with the same
        value and clock, and central holds nothing the agent did not record. No duplicates."""
        delivered = agent.delivered_through()
        at_central = central.samples(agent.name)
        local = agent.samples()
        assert delivered is not None, f"{agent.name} never delivered samples"
        expected = {k: v for k, v in local.items() if k[2] <= delivered}
        missing = expected.keys() - at_central.keys()
        assert not missing, f"{len(missing)} delivered samples of {agent.name} missing at central, e.g. {sorted(missing)[:3]}"
        unknown = at_central.keys() - local.keys()
        assert not unknown, f"central holds {len(unknown)} samples {agent.name} never recorded, e.g. {sorted(unknown)[:3]}"
        wrong = [k for k, v in at_central.items() if local[k] != v]
        assert not wrong, f"{len(wrong)} samples differ, e.g. {[(k, local[k], at_central[k]) for k in wrong[:3]]}"
        self.assert_no_duplicate_samples(central)
        return len(at_central)

    def assert_samples_exact(self, central: Central, agent: Agent):
        """The agent is stopped and flushed: central holds exactly its raw samples."""
        local = agent.samples()
        at_central = central.samples(agent.name)
        assert local, f"{agent.name} recorded no samples"
        missing = local.keys() - at_central.keys()
        extra = at_central.keys() - local.keys()
        assert not missing, f"{len(missing)} of {len(local)} samples of {agent.name} missing at central, e.g. {sorted(missing)[:3]}"
        assert not extra, f"central holds {len(extra)} samples {agent.name} never recorded, e.g. {sorted(extra)[:3]}"
        wrong = [k for k in local if local[k] != at_central[k]]
        assert not wrong, f"{len(wrong)} samples differ, e.g. {[(k, local[k], at_central[k]) for k in wrong[:3]]}"
        self.assert_no_duplicate_samples(central)
        stored = int(central.sql(f"SELECT samples_stored FROM node WHERE name = '{agent.name}'"))
        assert stored == len(local), f"node.samples_stored is {stored}, central holds {len(local)} samples of {agent.name}"
        return len(local)

    @staticmethod
    def assert_no_duplicate_samples(central: Central):
        total, distinct = central.sql("SELECT count(*), count(DISTINCT (node_id, series_id, ts)) FROM sample").split("|")
        assert total == distinct, f"sample holds {total} rows but {distinct} distinct (node, series, ts)"

    def close(self, failed: bool):
        self.stop_event.set()
        for t in self.threads:
            t.join(30)
        if failed:
            print(f"===== logs of the failed test (seed {SEED}) =====\n{self.logs(80)}")
        for p in reversed(self.procs):
            p.cleanup()
        for proxy in self.proxies.values():
            proxy.stop()
        for cluster in self.extra_clusters:
            cluster.close()
        if not KEEP:
            shutil.rmtree(self.dir, ignore_errors=True)


def write_secret(path: Path, text: str):
    """Writes a token file atomically: a temporary file in the same directory, then rename."""
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text + "\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


# --------------------------------------------------------------------------------------
# Fixtures


@pytest.fixture(scope="session", autouse=True)
def binaries():
    for binary in (AGENT_BIN, CENTRAL_BIN, BENCH_BIN):
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
def h(request, pg):
    harness = Harness(request, pg)
    try:
        yield harness
    finally:
        rep = getattr(request.node, "rep_call", None)
        harness.close(failed=rep is None or rep.failed)
