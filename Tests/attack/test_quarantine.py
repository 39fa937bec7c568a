"""A poison pill in the agent's change log: a stored change that can no longer be sent (as an
older database might hold) must not stop sync. It is quarantined (kept in the database,
counted, listed with a reason), everything else keeps flowing, and the operator can drop it
or put it back in the queue with `edge-agent sync quarantine drop|retry ID`."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import uuid

from conftest import AGENT_BIN, REPO, clean_env, metric, now_ms, rfc3339, stamp

BAD_DUE = "00-1-12-31T00:01:00Z"


def insert_poison(agent) -> tuple[str, str]:
    """Writes one change whose body cannot be read back (a due_at that is no RFC 3339 time)
    into the stopped agent's change_log, in the form the store writes: the TaskChange JSON
    in `body`, its ids and stamp in their columns."""
    ms = now_ms()
    change_id, task_id = str(uuid.uuid4()), str(uuid.uuid4())
    st = stamp(ms, agent.name)
    body = {"change_id": change_id, "task_id": task_id, "stamp": st, "created_at": rfc3339(ms), "origin": agent.name,
            "set": {"title": "poison pill", "notes": "", "due_at": BAD_DUE}}
    conn = sqlite3.connect(str(agent.db_path), timeout=10)
    try:
        with conn:
            conn.execute("INSERT INTO change_log(change_id, task_id, stamp, body, recorded_at) VALUES (?, ?, ?, ?, ?)",
                         (change_id, task_id, st, json.dumps(body, separators=(",", ":")), ms))
    finally:
        conn.close()
    return change_id, task_id


def db_mentions(agent, text: str) -> list[str]:
    """Tables of the agent's database holding `text` in some text column."""
    found = []
    for (table,) in agent.query("SELECT name FROM sqlite_master WHERE type = 'table'"):
        columns = [r[1] for r in agent.query(f'PRAGMA table_info("{table}")')]
        for column in columns:
            n = agent.query(f'SELECT count(*) FROM "{table}" WHERE CAST("{column}" AS TEXT) LIKE ?', (f"%{text}%",))[0][0]
            if n:
                found.append(f"{table}.{column}")
    return found


def cli(agent, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(AGENT_BIN), *args, "--data-dir", str(agent.data_dir), "--node-name", agent.name],
                          capture_output=True, text=True, timeout=60, env=clean_env(), cwd=str(REPO))


def find_entry(value, change_id: str):
    """The object in a JSON document that names `change_id` and has a `reason`."""
    if isinstance(value, dict):
        if change_id in [v for v in value.values() if isinstance(v, str)] and value.get("reason"):
            return value
        for v in value.values():
            found = find_entry(v, change_id)
            if found is not None:
                return found
    elif isinstance(value, list):
        for v in value:
            found = find_entry(v, change_id)
            if found is not None:
                return found
    return None


def test_a_change_that_cannot_be_sent_is_quarantined_and_sync_goes_on(h, pg):
    db = pg.create_database("quarantine")
    central = h.central(db)
    central.wait_ready()
    agent = h.agent("poisoned", central)
    first = agent.create("before the poison")
    h.wait_until(lambda: first["id"] in central.records() and agent.change_log_count() == 0, 30,
                 "the first task reached central")
    assert agent.stop() == 0

    poison, poison_task = insert_poison(agent)
    restarted_at = now_ms()
    agent.start()
    after = agent.create("after the poison")

    def flowing():
        records = central.records()
        samples = central.samples(agent.name)
        newest = max((k[2] for k in samples), default=0)
        return after["id"] in records and newest > restarted_at + 2000

    h.wait_until(flowing, 30, "a task made after the poison pill and samples taken after the restart reached central",
                 detail=lambda: f"status {agent.status()['sync']}")
    h.wait_until(lambda: metric(agent.metrics(), "edge_sync_quarantined") == 1, 15,
                 "edge_sync_quarantined is 1", detail=lambda: metric(agent.metrics(), "edge_sync_quarantined"))
    assert db_mentions(agent, poison), "the quarantined change is no longer in the database"
    assert poison_task not in central.records(), "the poison pill reached central"

    status = cli(agent, "status", "--json")
    assert status.returncode == 0, status.stderr
    entry = find_entry(json.loads(status.stdout), poison)
    assert entry is not None, f"status --json does not list the quarantined change {poison} with a reason:\n{status.stdout}"
    listed = cli(agent, "sync", "quarantine", "list")
    assert listed.returncode == 0 and poison in listed.stdout, \
        f"sync quarantine list exited {listed.returncode}: {listed.stdout}{listed.stderr}"

    # retry puts it back in the queue (checked with the daemon stopped, so it stays there).
    assert agent.stop() == 0
    retried = cli(agent, "sync", "quarantine", "retry", poison)
    assert retried.returncode == 0, f"sync quarantine retry exited {retried.returncode}: {retried.stderr}"
    assert poison in agent.change_log_ids(), "retry did not put the change back in change_log"
    listed = cli(agent, "sync", "quarantine", "list")
    assert listed.returncode == 0 and poison not in listed.stdout, listed.stdout

    # The daemon quarantines it again; drop removes it for good.
    agent.start()
    h.wait_until(lambda: metric(agent.metrics(), "edge_sync_quarantined") == 1, 30, "the retried change is quarantined again")
    later = agent.create("after the retry")
    h.wait_until(lambda: later["id"] in central.records(), 30, "a task made after the retry reached central")
    dropped = cli(agent, "sync", "quarantine", "drop", poison)
    assert dropped.returncode == 0, f"sync quarantine drop exited {dropped.returncode}: {dropped.stderr}"
    h.wait_until(lambda: metric(agent.metrics(), "edge_sync_quarantined") == 0, 15, "edge_sync_quarantined is back to 0")
    assert not db_mentions(agent, poison), f"drop left the change in {db_mentions(agent, poison)}"
    listed = cli(agent, "sync", "quarantine", "list")
    assert listed.returncode == 0 and poison not in listed.stdout, listed.stdout
    assert agent.change_log_count() == 0
    h.wait_until(lambda: agent.sync_state() == "ok", 15, "sync state is ok after the drop")
