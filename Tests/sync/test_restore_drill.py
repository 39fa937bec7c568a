"""The restore drill of docs/operations.md, end to end (issue 15): real agents, real
edge-central, real PostgreSQL, and the backup and restore scripts of the Kubernetes manifests
themselves (k8s/base/postgres-backup.yaml, k8s/restore/restore-job.yaml), read from the YAML
and run with /bin/sh as their containers run them.

The drill: agents sync tasks and samples with central → the backup job's `pg_dump -Fc` while
everything runs → more edits and samples on several agents and at central, a node registered
after the dump → central stopped, more edits while it is away → the database dropped and
restored by the restore job's `pg_restore` → central started → every replica converges, every
acknowledged edit is at central exactly once, every reading is at central exactly once.
"""

from __future__ import annotations

import os
import subprocess
import time
import urllib.parse
from pathlib import Path

import yaml

from conftest import PG_BIN, REPO, clean_env, now_ms, psql, with_database, write_secret

BACKUP_MANIFEST = REPO / "k8s/base/postgres-backup.yaml"
RESTORE_MANIFEST = REPO / "k8s/restore/restore-job.yaml"


# --------------------------------------------------------------------------------------
# The manifests' scripts


def container_of(manifest: Path, kind: str) -> dict:
    """The only container of the manifest's `kind` object (a CronJob's or a Job's pod)."""
    objects = [d for d in yaml.safe_load_all(manifest.read_text()) if d and d.get("kind") == kind]
    assert len(objects) == 1, f"{manifest} holds {len(objects)} {kind} objects"
    spec = objects[0]["spec"]
    if kind == "CronJob":
        spec = spec["jobTemplate"]["spec"]
    containers = spec["template"]["spec"]["containers"]
    assert len(containers) == 1
    return containers[0]


def run_manifest_script(h, manifest: Path, kind: str, db_url: str, **env: str) -> subprocess.CompletedProcess:
    """Runs the container's command and script as the pod would, with its environment, the
    connection settings pointing at `db_url`, and paths in the test's directory."""
    container = container_of(manifest, kind)
    assert container["command"] == ["/bin/sh", "-c"], container["command"]
    script = container["args"][0]
    url = urllib.parse.urlparse(db_url)
    secrets = h.dir / "secrets"
    secrets.mkdir(exist_ok=True)
    password_file = secrets / "password"
    if not password_file.exists():
        # Never used (the test cluster trusts local connections), but written where libpq
        # looks: its escaping is checked by test_backup_job_keeps_n_days.
        write_secret(password_file, r"not:a\real-password")
    tmp = h.dir / f"{container['name']}-tmp"
    tmp.mkdir(exist_ok=True)
    full = {e["name"]: e["value"] for e in container["env"]}
    full.update(PASSWORD_FILE=str(password_file), PGPASSFILE=str(tmp / "pgpass"), PGHOST=url.hostname,
                PGPORT=str(url.port), PGUSER=url.username)
    if "PGDATABASE" in full:
        full["PGDATABASE"] = url.path.lstrip("/")
    full.update(env)
    for key in full:
        assert not full[key].startswith(("/backups", "/run/", "/tmp/pgpass")), f"{key} still points into the pod: {full[key]}"
    run_env = {k: v for k, v in clean_env().items() if not k.startswith("PG")}
    run_env.update(full)
    run_env["PATH"] = f"{PG_BIN}:{run_env.get('PATH', '/usr/bin:/bin')}"  # the image's client tools, version 15
    return subprocess.run(["/bin/sh", "-c", script], capture_output=True, text=True, timeout=300, env=run_env, cwd="/")


def backup(h, db_url: str, backup_dir: Path, **env: str) -> subprocess.CompletedProcess:
    backup_dir.mkdir(exist_ok=True)
    return run_manifest_script(h, BACKUP_MANIFEST, "CronJob", db_url, BACKUP_DIR=str(backup_dir), **env)


def restore(h, cluster_url: str, backup_dir: Path, dump: str, database: str) -> subprocess.CompletedProcess:
    return run_manifest_script(h, RESTORE_MANIFEST, "Job", cluster_url, BACKUP_DIR=str(backup_dir),
                               RESTORE_DUMP=dump, RESTORE_DATABASE=database)


def dumps(backup_dir: Path) -> list[str]:
    return sorted(p.name for p in backup_dir.iterdir() if p.name.startswith("edge-") and p.name.endswith(".dump"))


def age(path: Path, days: float):
    t = time.time() - days * 86_400
    os.utime(path, (t, t))


def test_backup_job_keeps_n_days(h):
    """The CronJob's script: a readable dump, the password file turned into a pgpass line,
    only dumps older than BACKUP_KEEP_DAYS deleted, and nothing deleted when a run fails."""
    db = h.pg.create_database("backup")
    h.central_cli(db, "migrate")
    directory = h.dir / "backups"
    directory.mkdir()
    for name, days in (("edge-20000101T000000Z.dump", 3), ("edge-20000102T000000Z.dump", 1.5),
                       ("edge-20000103T000000Z.dump", 0.5), ("edge-20000104T000000Z.dump.partial", 2),
                       ("edge-20000105T000000Z.dump.partial", 0), ("notes.txt", 30)):
        (directory / name).write_text("x")
        age(directory / name, days)

    out = backup(h, db, directory, BACKUP_KEEP_DAYS="2")
    assert out.returncode == 0, f"{out.stdout}{out.stderr}"
    made = [n for n in dumps(directory) if not n.startswith("edge-2000")]
    assert len(made) == 1, dumps(directory)
    assert sorted(p.name for p in directory.iterdir()) == sorted(
        ["edge-20000102T000000Z.dump", "edge-20000103T000000Z.dump", "edge-20000105T000000Z.dump.partial", "notes.txt", made[0]])
    assert "deleting" in out.stdout and "edge-20000101T000000Z.dump" in out.stdout, out.stdout
    listed = subprocess.run([str(PG_BIN / "pg_restore"), "--list", str(directory / made[0])], capture_output=True, text=True)
    assert listed.returncode == 0 and "TABLE DATA public schema_migration" in listed.stdout, listed.stderr
    pgpass = (h.dir / "pg-dump-tmp/pgpass")
    assert pgpass.read_text().splitlines()[0] == r"*:*:*:*:not\:a\\real-password"
    assert pgpass.stat().st_mode & 0o077 == 0, "libpq ignores a pgpass file others can read"

    # A failing run (central's database is not there) deletes nothing, however old.
    for name in dumps(directory):
        age(directory / name, 10)
    before = sorted(p.name for p in directory.iterdir())
    out = backup(h, with_database(db, "no_such_database"), directory, BACKUP_KEEP_DAYS="1")
    assert out.returncode != 0, out.stdout
    assert dumps(directory) == [n for n in before if n.endswith(".dump")], "a failed backup deleted dumps"

    for bad in ("0", "seven", "", "07"):
        out = backup(h, db, directory, BACKUP_KEEP_DAYS=bad)
        assert out.returncode == 2 and "BACKUP_KEEP_DAYS" in out.stderr, (bad, out.stdout, out.stderr)
    assert dumps(directory) == [n for n in before if n.endswith(".dump")]


# --------------------------------------------------------------------------------------
# The drill


def next_ms():
    """Returns once the wall clock has passed the current millisecond: the next edit is
    stamped after everything before it (every replica here shares this clock)."""
    t = now_ms()
    while now_ms() <= t:
        time.sleep(0.0005)


FIELDS = ("title", "notes", "assignee", "done", "deleted")


def visible(record: dict) -> dict:
    return {"title": record.get("title"), "notes": record.get("notes") or "", "assignee": record.get("assignee"),
            "done": bool(record.get("done")), "deleted": bool(record.get("deleted"))}


class Household:
    """The edits the drill makes, in order, and what every replica must end up holding."""

    def __init__(self):
        self.expected: dict[str, dict] = {}

    def create(self, replica, title: str) -> str:
        next_ms()
        task = replica.create(title)
        self.expected[task["id"]] = {"title": title, "notes": "", "assignee": None, "done": False, "deleted": False}
        return task["id"]

    def edit(self, replica, task_id: str, **fields):
        next_ms()
        replica.patch(task_id, **fields)
        self.expected[task_id].update(fields)

    def delete(self, replica, task_id: str):
        next_ms()
        replica.delete(task_id)
        self.expected[task_id]["deleted"] = True


def resyncs(agent) -> int:
    return sum(log.read_text().count("full resync finished") for log in agent.logs)


def wait_delivered_after(h, agents, ts: int):
    h.wait_until(lambda: all((a.delivered_through() or 0) > ts for a in agents), 60,
                 f"every agent has delivered samples taken after {ts}",
                 detail=lambda: {a.name: a.delivered_through() for a in agents})


def test_restore_drill(h):
    started = time.monotonic()
    db = h.pg.create_database("drill")
    name = db.rsplit("/", 1)[1]
    central = h.central(db)
    a = h.agent("a", central)
    b = h.agent("b", central)
    house = Household()

    # 1. Before the backup: tasks from both agents and central, edits across replicas.
    a_tasks = [house.create(a, f"a before the dump {i}") for i in range(3)]
    b_tasks = [house.create(b, f"b before the dump {i}") for i in range(3)]
    c_task = house.create(central, "central before the dump")
    h.wait_converged(central, [a, b])
    house.edit(a, b_tasks[0], title="b's task, renamed on a")
    house.edit(b, a_tasks[0], done=True)
    house.edit(central, a_tasks[1], assignee="mum")
    h.wait_converged(central, [a, b])
    wait_delivered_after(h, [a, b], 0)

    # 2. The backup job's pg_dump, while central and the agents run.
    backups = h.dir / "backups"
    out = backup(h, db, backups)
    assert out.returncode == 0, f"{out.stdout}{out.stderr}"
    dumped_at = now_ms()
    [dump] = dumps(backups)
    feed_at_dump = int(psql(db, "SELECT max(seq) FROM change_feed"))
    assert not list(backups.glob("*.partial"))

    # 3. After the backup: a node registered, edits on every agent and at central, all
    # acknowledged and pulled everywhere; samples delivered past the dump.
    c = h.agent("c", central)
    c_tasks = [house.create(c, f"c after the dump {i}") for i in range(2)]
    late_a = house.create(a, "a after the dump")
    house.edit(a, b_tasks[1], notes="notes from a after the dump")
    house.delete(a, a_tasks[2])
    house.edit(b, a_tasks[1], title="a's task, renamed on b after the dump")
    house.edit(central, c_task, notes="central's edit after the dump")
    h.wait_converged(central, [a, b, c])
    house.edit(b, c_tasks[0], done=True)
    house.edit(c, b_tasks[2], assignee="dad")
    house.edit(c, late_a, title="a's late task, renamed on c")
    acknowledged = h.wait_converged(central, [a, b, c])
    assert int(psql(db, "SELECT max(seq) FROM change_feed")) > feed_at_dump
    wait_delivered_after(h, [a, b, c], dumped_at + 1000)

    # 4. Central goes away; the household goes on editing on the agents.
    assert central.stop() == 0
    during_b = house.create(b, "b while central is away")
    house.edit(a, c_tasks[1], notes="a's edit while central is away")
    house.edit(c, a_tasks[0], done=False)

    # 5. The database is dropped and restored from the dump by the restore job's script.
    psql(h.pg.url, f"DROP DATABASE {name} WITH (FORCE)")
    out = restore(h, h.pg.url, backups, dump, name)
    assert out.returncode == 0, f"{out.stdout}{out.stderr}"
    assert f"restored {backups / dump} into the new database {name}" in out.stdout, out.stdout
    assert int(psql(db, "SELECT max(seq) FROM change_feed")) == feed_at_dump
    restored = central.records()
    assert set(restored) == set(a_tasks + b_tasks + [c_task]), "the restored database is not the one dumped"
    assert psql(db, "SELECT count(*) FROM node WHERE name = 'c'") == "0"
    out = restore(h, h.pg.url, backups, dump, name)
    assert out.returncode != 0, "the restore job wrote into a database that exists"

    # 6. Central is back, and the household goes on: a write makes an agent try at once,
    # whatever its backoff after the outage. Node c was registered after the backup: its
    # token is unknown now, and it is added again with a new token (docs/operations.md);
    # a and b need nothing.
    central.start()
    central.wait_ready()
    house.edit(a, a_tasks[1], notes="a's edit after the restore")
    after_b = house.create(b, "b after the restore")
    house.edit(c, c_tasks[0], assignee="c")
    house.edit(central, b_tasks[0], notes="central's edit after the restore")
    h.wait_until(lambda: c.sync_state() == "unauthorized", 60, "c's token is refused by the restored central",
                 detail=lambda: c.status()["sync"])
    h.add_node(db, "c")  # rewrites c's token file; the agent re-reads it

    # 7. Everything converges: every replica holds the same records, which are exactly what
    # the household did, in order; nothing acknowledged before the restore went back.
    records = h.wait_converged(central, [a, b, c], timeout=120)
    assert {k: visible(r) for k, r in records.items()} == house.expected
    for task_id, before in acknowledged.items():
        for field in FIELDS:
            stamp = f"{field}_v"
            if stamp in before:
                assert records[task_id][stamp] >= before[stamp], f"{task_id}.{field} went back to an older value"
    titles = psql(db, "SELECT count(*), count(DISTINCT record::json->>'title') FROM task").split("|")
    assert titles == [str(len(house.expected))] * 2, f"central holds tasks {titles}, expected {len(house.expected)}"
    assert {during_b, after_b} <= records.keys()
    for agent in (a, b, c):
        assert resyncs(agent) == 1, f"{agent.name} resynced {resyncs(agent)} times"
        assert agent.metrics()["edge_sync_resyncs_total"] == 1, f"{agent.name}'s /metrics counts other than one resync"

    # Every reading is at central exactly once: the agents stop, flush what they still hold,
    # and central's rows for each node equal its raw readings (no row missing, none extra).
    for agent in (a, b, c):
        assert agent.stop() == 0
        flush = agent.sync_once()
        assert flush.returncode == 0, f"{agent.name} sync --once: {flush.stdout}{flush.stderr}"
        assert "full resync" not in flush.stdout, f"{agent.name} resynced again: {flush.stdout}"
    counts = {agent.name: h.assert_samples_exact(central, agent) for agent in (a, b, c)}
    print(f"restore drill: {len(house.expected)} tasks, samples {counts}, "
          f"dump {(backups / dump).stat().st_size} bytes, {time.monotonic() - started:.1f} s")


def test_moving_central_to_a_new_postgresql(h):
    """docs/operations.md: central stopped, dumped, restored into a new cluster and started
    on it. Nothing was written in between, so the agents find every position they hold and
    carry on without a resync; their edits made meanwhile arrive."""
    db = h.pg.create_database("move")
    central = h.central(db)
    a = h.agent("a", central)
    b = h.agent("b", central)
    house = Household()
    for agent in (a, b):
        house.create(agent, f"{agent.name} before the move")
    h.wait_converged(central, [a, b])
    house.edit(central, next(iter(house.expected)), notes="central's edit")
    h.wait_converged(central, [a, b])
    wait_delivered_after(h, [a, b], 0)

    assert central.stop() == 0
    backups = h.dir / "backups"
    out = backup(h, db, backups)
    assert out.returncode == 0, f"{out.stdout}{out.stderr}"
    during = house.create(a, "a during the move")
    new = h.cluster()
    out = restore(h, new.url, backups, "latest", "edge")
    assert out.returncode == 0, f"{out.stdout}{out.stderr}"
    central.db_url = with_database(new.url, "edge")
    migrate = h.central_cli(central.db_url, "migrate")
    central.start()
    central.wait_ready()

    moved = now_ms()
    house.create(a, "a after the move")  # a write makes an agent try at once, whatever its backoff
    house.create(b, "b after the move")
    h.wait_converged(central, [a, b], timeout=60)
    house.edit(b, during, assignee="b")
    records = h.wait_converged(central, [a, b], timeout=60)
    assert {k: visible(r) for k, r in records.items()} == house.expected
    wait_delivered_after(h, [a, b], moved + 1000)
    for agent in (a, b):
        assert resyncs(agent) == 0, f"{agent.name} resynced after a move that lost nothing ({migrate})"
        assert agent.stop() == 0
        assert agent.sync_once().returncode == 0
        h.assert_samples_exact(central, agent)
