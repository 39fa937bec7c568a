"""The agent's database file under attack while the agent runs or before it starts: deleted,
replaced, corrupted, made immutable, on a full disk. The agent never crashes, never writes
into a file that is not its own or is damaged, answers writes with a JSON 5xx it names, and
says what is wrong (readiness, /v1/status `store_state`, /metrics, the log)."""

from __future__ import annotations

import hashlib
import os
import random
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from conftest import StandaloneAgent, error_json, metric

DB_FILES = ("agent.db", "agent.db-wal", "agent.db-shm")


def store_state(status: dict):
    """`store_state` of a /v1/status document (top level, or inside `store`)."""
    if "store_state" in status:
        return status["store_state"]
    return (status.get("store") or {}).get("store_state", (status.get("store") or {}).get("state"))


def v1_status(agent) -> dict:
    r = agent.api("GET", "/v1/status", timeout=5)
    assert r.status == 200, f"GET /v1/status: {r}"
    return r.json


def post_task(agent, title: str = "x", notes: str = ""):
    return agent.api("POST", "/v1/tasks", {"title": title, "notes": notes}, timeout=10)


def check_refuses_writes(h, agent, state: str, within: float = 5.0):
    """Within `within` s: readiness 503, POST /v1/tasks 503 store_unavailable, store_state `state`."""
    def refused():
        r = post_task(agent, "must not be stored")
        return (agent.readiness() == 503 and r.status == 503 and error_json(r.body)["code"] == "store_unavailable"
                and store_state(v1_status(agent)) == state)

    def describe():
        r = post_task(agent, "must not be stored")
        return f"readiness {agent.readiness()}, POST {r}, store_state {store_state(v1_status(agent))!r}"

    h.wait_until(refused, within, f"readiness 503, POST 503 store_unavailable and store_state {state!r}",
                 detail=describe, interval=0.25)
    # From then on, no write is acknowledged.
    for _ in range(3):
        r = post_task(agent, "must not be stored")
        assert r.status == 503 and error_json(r.body)["code"] == "store_unavailable", f"POST after detection: {r}"


def test_database_deleted_while_running_refuses_writes_and_says_missing(h):
    agent = StandaloneAgent(h, "deleted").start()
    assert post_task(agent, "before").status == 201
    for name in DB_FILES:
        try:
            os.unlink(agent.data_dir / name)
        except FileNotFoundError:
            pass
    check_refuses_writes(h, agent, "missing")
    log = agent.log_text().lower()
    assert "agent.db" in log and any(w in log for w in ("gone", "missing", "deleted", "removed", "no longer exists")), \
        f"the log does not say the database file is gone:\n{agent.log_text()[-2000:]}"
    time.sleep(2)  # the sampler keeps running: still no file, still alive
    assert agent.alive()
    assert not (agent.data_dir / "agent.db").exists(), "the agent created a new agent.db behind the operator's back"
    assert agent.api("GET", "/health").status in (200, 503)


def test_database_replaced_while_running_refuses_writes_and_says_replaced(h):
    agent = StandaloneAgent(h, "replaced").start()
    assert post_task(agent, "before").status == 201
    other = agent.data_dir / "other.db"
    conn = sqlite3.connect(str(other))
    conn.execute("CREATE TABLE unrelated (x)")
    conn.commit()
    conn.close()
    before = hashlib.sha256(other.read_bytes()).hexdigest()
    os.replace(other, agent.data_dir / "agent.db")
    check_refuses_writes(h, agent, "replaced")
    time.sleep(2)
    assert agent.alive()
    after = hashlib.sha256((agent.data_dir / "agent.db").read_bytes()).hexdigest()
    assert after == before, "the agent wrote into the file that replaced its database"


def pages_to_damage(db: Path, layout: str, page: int) -> list[int]:
    """0-based page numbers: `middle`, three pages in the middle of the file (as a bad sector
    or a torn write might); `every_table`, one page from the middle of every table and index
    (sqlite_schema aside), so whatever the agent reads first is damaged."""
    size = db.stat().st_size
    if layout == "middle":
        return [size // page // 2, size // page // 2 + 1, size // page * 3 // 4]
    conn = sqlite3.connect(f"file:{db}?mode=ro&immutable=1", uri=True)
    try:
        rows = conn.execute("SELECT name, pageno FROM dbstat WHERE name <> 'sqlite_schema' ORDER BY name, pageno").fetchall()
    finally:
        conn.close()
    by_tree: dict[str, list[int]] = {}
    for name, pageno in rows:
        by_tree.setdefault(name, []).append(pageno)
    return sorted({pages[len(pages) // 2] - 1 for pages in by_tree.values()})


@pytest.mark.parametrize("layout", ["middle", "every_table"])
def test_corrupt_database_starts_unready_reports_corrupt_and_is_left_untouched(h, layout):
    agent = StandaloneAgent(h, "corrupt").start()
    for i in range(60):
        assert post_task(agent, f"task {i}", notes="n" * 1500).status == 201
    h.wait_until(lambda: agent.query("SELECT count(*) FROM metric_reading")[0][0] >= 3, 15, "a few readings are stored")
    assert agent.stop() == 0
    db = agent.data_dir / "agent.db"
    size = db.stat().st_size
    page = 4096
    assert size >= 24 * page, f"agent.db is only {size} bytes"
    rng = random.Random(f"corrupt:{layout}:{size}")
    damaged = pages_to_damage(db, layout, page)
    print(f"agent.db: {size} bytes; random bytes over pages {[p + 1 for p in damaged]} (1-based)")
    with open(db, "r+b") as f:
        for p in damaged:
            f.seek(p * page)
            f.write(bytes(rng.randrange(256) for _ in range(page)))
    corrupted = hashlib.sha256(db.read_bytes()).hexdigest()

    agent.start()
    assert agent.api("GET", "/health").status == 200
    h.wait_until(lambda: agent.readiness() == 503, 5, "readiness is 503 on a corrupt database")
    h.wait_until(lambda: store_state(v1_status(agent)) == "corrupt", 5, "/v1/status store_state is corrupt",
                 detail=lambda: v1_status(agent))
    assert metric(agent.metrics(), "edge_store_corrupt") == 1
    r = post_task(agent, "into a corrupt file")
    assert r.status in (503, 507) and error_json(r.body), f"POST on a corrupt database: {r}"
    time.sleep(5)  # the sampler runs at 1 s: nothing may be written into the damaged file
    assert agent.alive()
    assert hashlib.sha256(db.read_bytes()).hexdigest() == corrupted, "the agent modified the corrupt database file"
    assert agent.readiness() == 503 and agent.api("GET", "/health").status == 200

    check = agent.cli("db", "check")
    out = check.stdout + check.stderr
    assert check.returncode != 0, f"db check exited 0 on a corrupt database:\n{out}"
    assert ".recover" in out, f"db check does not mention sqlite3's .recover:\n{out}"
    assert hashlib.sha256(db.read_bytes()).hexdigest() == corrupted, "db check modified the corrupt database file"


@pytest.fixture
def immutable(h):
    """Files to `chattr +i`; `chattr -i` on all of them at teardown, whatever happens."""
    files: list[Path] = []
    yield files
    for f in files:
        subprocess.run(["chattr", "-i", str(f)], capture_output=True)


def chattr(flag: str, paths: list[Path]):
    r = subprocess.run(["chattr", flag, *map(str, paths)], capture_output=True, text=True)
    if r.returncode != 0 and "Operation not supported" in r.stderr:
        pytest.skip(f"chattr {flag} is not supported on this file system: {r.stderr.strip()}")
    assert r.returncode == 0, f"chattr {flag}: {r.stderr.strip()}"


def test_immutable_database_files_give_a_json_5xx_and_no_crash_then_writes_resume(h, immutable):
    agent = StandaloneAgent(h, "immutable").start()
    assert post_task(agent, "before").status == 201
    paths = [agent.data_dir / n for n in DB_FILES if (agent.data_dir / n).exists()]
    assert len(paths) == 3, f"expected agent.db, -wal and -shm while running, found {paths}"
    immutable.extend(paths)
    chattr("+i", paths)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:  # ten seconds of sampling into immutable files
        h.check_alive()
        time.sleep(0.5)
    try:
        r = post_task(agent, "into immutable files")
    except OSError as e:
        raise AssertionError(f"POST with immutable database files dropped the connection: {e!r}") from e
    assert r.status in (503, 507), f"POST with immutable database files: expected 503 or 507, got {r}"
    error_json(r.body)
    h.check_alive()
    chattr("-i", paths)
    h.wait_until(lambda: post_task(agent, "after").status == 201, 15, "writes work again after chattr -i",
                 detail=lambda: post_task(agent, "after"))
    assert agent.alive()


@pytest.fixture
def tiny_disk(h):
    """A 2 MiB tmpfs mounted in the test's directory, unmounted at teardown."""
    mount = h.dir / "tiny"
    mount.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2M", "tmpfs", str(mount)], capture_output=True, text=True)
    if r.returncode != 0:
        pytest.fail(f"cannot mount a tmpfs (the test needs root): {r.stderr.strip()}")
    try:
        yield mount
    finally:
        for p in h.procs:
            p.cleanup()
        if subprocess.run(["umount", str(mount)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def fill(path: Path):
    """Writes into `path` until the file system is full (it may be already)."""
    try:
        with open(path, "wb") as f:
            block = b"\xff" * 4096
            while True:
                f.write(block)
                f.flush()
    except OSError:
        pass
    try:
        with open(path, "ab") as f:  # the last bytes too
            while True:
                f.write(b"\xff")
                f.flush()
    except OSError:
        pass


def test_full_disk_answers_507_stops_cleanly_and_restarts_serving_reads(h, tiny_disk):
    data = tiny_disk / "data"
    agent = StandaloneAgent(h, "full", data_dir=data).start()
    created = []
    for i in range(3):
        r = post_task(agent, f"kept {i}")
        assert r.status == 201, r
        created.append(r.json["id"])
    fill(tiny_disk / "filler")
    statuses = []
    for i in range(40):
        r = post_task(agent, f"on a full disk {i}", notes="n" * 3000)
        statuses.append(r.status)
        if r.status == 201:
            created.append(r.json["id"])
            continue
        assert r.status == 507, f"POST on a full disk: expected 507, got {r} (earlier: {statuses})"
        assert error_json(r.body)["code"] == "storage_full", r
        break
    else:
        pytest.fail("40 POSTs on a full disk all answered 201")
    assert agent.alive()
    assert agent.stop() == 0, f"SIGTERM on a full disk: exit {agent.proc.returncode}\n{agent.log_text()[-2000:]}"

    agent.start()
    h.wait_until(lambda: agent.readiness() == 200, 10, "readiness 200 after a restart on the full disk")
    r = agent.api("GET", "/v1/tasks?state=all")
    assert r.status == 200, r
    assert set(created) <= {t["id"] for t in r.json["tasks"]}, "tasks acknowledged before the disk filled are missing"
    page = agent.api("GET", "/")
    assert page.status == 200, page
    assert agent.alive()
