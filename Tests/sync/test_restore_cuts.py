"""Central restored from a backup at the cuts where an acknowledgement could be lost
(the sync issue's restore cuts): real agents, central and PostgreSQL, `pg_dump`/`pg_restore`.

An agent forgets a change once central acknowledges it. If central is then restored from a
backup taken before that push, and the agent's pull cursor is still a valid position of the
restored feed (the pull after the push was cut off), the agent must still notice the rewind:
it keeps the feed position central gave its change and has central prove it on every push and
pull; a restored central cannot, answers 410, and the agent resyncs and delivers the change again."""

from __future__ import annotations

import sqlite3
import subprocess
import time

from conftest import AGENT_BIN, clean_env, pg_dump, pg_restore


def dump(h, db: str, name: str):
    return pg_dump(db, h.dir / f"{name}.dump")


def restore(h, central, db: str, path):
    central.stop()
    pg_restore(h.pg.url, db, path)
    central.start()
    central.wait_ready()


def add_task(agent, title: str) -> str:
    out = subprocess.run([str(AGENT_BIN), "tasks", "add", title, "--data-dir", str(agent.data_dir), "--node-name", agent.name],
                         capture_output=True, text=True, timeout=30, env=clean_env())
    assert out.returncode == 0, out.stderr
    ids = [r[0] for r in agent.query("SELECT id FROM task WHERE title = ?", (title,))]
    assert len(ids) == 1
    return ids[0]


def set_cursor(agent, cursor: str):
    conn = sqlite3.connect(agent.db_path, timeout=10)
    try:
        conn.execute("UPDATE sync_cursor SET cursor = ? WHERE id = 1", (cursor,))
        conn.commit()
    finally:
        conn.close()


def test_restore_after_push_ack_and_before_pull_loses_nothing(h):
    db = h.pg.create_database("cut_ack")
    central = h.central(db)
    central.wait_ready()
    a = h.agent("a", central)
    b = h.agent("b", central)
    # Stopped: each cycle is a `sync --once`, cut where the test says.
    assert a.stop() == 0 and b.stop() == 0
    first = add_task(a, "before the dump")
    assert a.sync_once().returncode == 0
    assert b.sync_once().returncode == 0
    cursor_at_dump = "%d-%s" % a.cursor()
    backup = dump(h, db, "before-push")
    # Other nodes keep writing after the dump, so the restored feed later grows past positions
    # central had given a's change: only the tag tells the two histories apart.
    for i in range(3):
        add_task(b, f"b after the dump {i}")

    acked = add_task(a, "acknowledged, then central is restored")
    assert a.sync_once().returncode == 0
    assert a.change_log_count() == 0, "central acknowledged the change: the agent forgot it"
    assert acked in central.records()
    set_cursor(a, cursor_at_dump)  # the pull after the push was cut off

    restore(h, central, db, backup)
    assert acked not in central.records()
    assert b.sync_once().returncode == 0  # b delivers its own again (and moves the feed on)

    out = a.sync_once()
    assert out.returncode == 0, f"{out.stdout}{out.stderr}"
    assert "full resync" in out.stdout, f"the agent did not notice the restore: {out.stdout}"
    records = central.records()
    assert acked in records and first in records, "an acknowledged change was lost"
    assert b.sync_once().returncode == 0
    assert {r[0] for r in b.query("SELECT id FROM task")} >= {acked, first}


def at(when: str, agent, *args: str) -> subprocess.CompletedProcess:
    """`edge-agent ARGS` for `agent` with the wall clock frozen at `when` (faketime, UTC)."""
    argv = ["faketime", when, str(AGENT_BIN), *args, "--data-dir", str(agent.data_dir), "--node-name", agent.name]
    if args[0] == "sync":
        argv += ["--central-url", agent.central_url, "--central-token-file", str(agent.token_file)]
    out = subprocess.run(argv, capture_output=True, text=True, timeout=60, env={**clean_env(), "TZ": "UTC"})
    assert out.returncode == 0, f"{argv}: {out.stdout}{out.stderr}"
    return out


def test_a_node_restored_from_its_own_backup_never_reissues_a_stamp(h):
    """The restored node's clock row goes back; with its wall clock where it was when it made
    an edit after the backup, it would stamp a new edit with that edit's stamp, and the merge
    would keep one of the two values by its bytes, not the later edit. Central tells it the
    newest stamp it holds from it, and the node moves past it before it stamps again."""
    db = h.pg.create_database("node_restore")
    central = h.central(db)
    central.wait_ready()
    a = h.agent("a", central)
    assert a.stop() == 0
    task = add_task(a, "water the plants")
    at("2026-12-02 12:00:00", a, "sync", "--once")
    backup = h.dir / "a-backup.db"
    at("2026-12-02 12:00:01", a, "db", "backup", str(backup))
    at("2026-12-02 12:00:05", a, "tasks", "edit", task, "--notes", "zz: after the backup")
    at("2026-12-02 12:00:10", a, "tasks", "edit", task, "--notes", "zz: later still")
    at("2026-12-02 12:00:10", a, "sync", "--once")
    assert central.records()[task]["notes"] == "zz: later still"

    # The SD card is restored from the backup; the Pi boots with its clock at 12:00:05 again.
    for suffix in ("", "-wal", "-shm"):
        (a.data_dir / f"agent.db{suffix}").unlink(missing_ok=True)
    (a.data_dir / "agent.db").write_bytes(backup.read_bytes())
    at("2026-12-02 12:00:05", a, "sync", "--once")  # first contact: central's stamp floor
    at("2026-12-02 12:00:05", a, "tasks", "edit", task, "--notes", "aa: the newest edit")
    at("2026-12-02 12:00:05", a, "sync", "--once")
    assert central.records()[task]["notes"] == "aa: the newest edit", "the newest edit lost to a reissued stamp"
    assert a.record(task)["notes"] == "aa: the newest edit"


def test_an_edit_stamped_a_day_ahead_is_stamped_again_and_sync_goes_on(h):
    """An edit made while the node's clock ran a day ahead: central refuses that change alone;
    once the node's clock is right again it is stamped again and delivered in the same cycle,
    and the rest of the cycle (the pull) goes on."""
    db = h.pg.create_database("future_edit")
    central = h.central(db)
    central.wait_ready()
    a = h.agent("a", central)
    b = h.agent("b", central)
    assert a.stop() == 0 and b.stop() == 0
    tomorrow = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(time.time() + 86_400))
    at(tomorrow, a, "tasks", "add", "made with the clock a day ahead")
    future = a.query("SELECT id FROM task")[0][0]
    from_b = add_task(b, "from b")
    assert b.sync_once().returncode == 0

    out = a.sync_once()  # the clock is right again
    assert out.returncode == 0, f"{out.stdout}{out.stderr}"
    assert future in central.records(), "the re-stamped change did not reach central"
    assert from_b in {r[0] for r in a.query("SELECT id FROM task")}, "the pull did not go on"
    stamp = central.records()[future]["title_v"]
    assert int(stamp.split("-")[0], 16) < (time.time() + 600) * 1000, f"still stamped in the future: {stamp}"
    assert a.query("SELECT value FROM store_state WHERE key = 'changes_restamped'") == [(1,)]


def test_a_restored_central_and_a_fast_node_leave_no_replicas_apart(h):
    """The sync issue's item 3: a node's clock runs a few minutes fast, so its stamp is the
    newest on a task. Central edits the task (stamped after that node's stamp), another node
    pulls the edit, then central is restored from a dump taken before the edit and edits the
    task again: its clock row went back with the dump, so the new value may carry the very
    stamp the lost one had. Every replica must still end with the same value."""
    db = h.pg.create_database("fast_node")
    central = h.central(db)
    central.wait_ready()
    a = h.agent("a", central)
    b = h.agent("b", central)
    assert a.stop() == 0 and b.stop() == 0
    fast = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(time.time() + 300))
    at(fast, a, "tasks", "add", "water the plants")
    task = a.query("SELECT id FROM task")[0][0]
    at(fast, a, "sync", "--once")
    backup = dump(h, db, "before_central_edit")

    r = central.api("PATCH", f"/v1/tasks/{task}", {"notes": "first, lost in the restore"})
    assert r.status == 200, r
    first = central.records()[task]
    assert first["notes_v"] > first["title_v"], "central's edit is stamped after the fast node's"
    assert b.sync_once().returncode == 0
    assert b.records()[task]["notes"] == "first, lost in the restore"

    restore(h, central, db, backup)
    r = central.api("PATCH", f"/v1/tasks/{task}", {"notes": "second, after the restore"})
    assert r.status == 200, r
    for agent in (a, b, a, b):
        out = agent.sync_once()
        assert out.returncode == 0, f"{agent.name}: {out.stdout}{out.stderr}"
    records = {"central": central.records()[task], "a": a.records()[task], "b": b.records()[task]}
    assert records["a"] == records["central"] and records["b"] == records["central"], records
    assert records["central"]["notes_v"] >= first["notes_v"]
