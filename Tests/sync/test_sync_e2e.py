"""End-to-end sync: real edge-agent and edge-central processes, real PostgreSQL, a fault
proxy between each agent and central (fixtures and helpers in conftest.py).

Every test ends by checking convergence the strong way: all change logs empty, every
agent's task records (every field with its stamp, tombstones included) equal central's,
GET /v1/tasks identical everywhere, and samples at central equal to the agents' raw readings.
"""

from __future__ import annotations

import re
import subprocess
import threading
import time

from conftest import (REPO, AGENT_BIN, BENCH_BIN, CENTRAL_BIN, FEED_LOCK_KEY, PG_BIN, Agent, Central, clean_env, http, now_ms, parse_metrics, pg_dump, pg_restore, psql,
                      psql_json, stamp_node, with_database, write_secret)


def next_ms():
    """Returns once the wall clock has moved past the current millisecond, so the next edit
    is stamped strictly later than everything done so far (all replicas share this clock)."""
    t = now_ms()
    while now_ms() <= t:
        time.sleep(0.0005)


# Central's named migrations, as CentralMigrations.swift declares them.
MIGRATIONS = re.findall(r'^\s*\(?\s*"(\d{4}-\d{2}-\d{2} [^"]+)",\s*(?:\[)?$',
                        (REPO / "Sources/CentralStore/CentralMigrations.swift").read_text(), re.M)
assert len(MIGRATIONS) >= 4, MIGRATIONS


def wait_ok(h, *agents, timeout: float = 30):
    h.wait_until(lambda: all(a.sync_state() == "ok" for a in agents), timeout,
                 "every agent reports sync state ok", detail=lambda: {a.name: a.status()["sync"] for a in agents})


def wait_state(h, agent, state: str, timeout: float = 30):
    h.wait_until(lambda: agent.sync_state() == state, timeout, f"{agent.name} reports sync state {state}",
                 detail=lambda: agent.status()["sync"])


# ---------------------------------------------------------------------------------------
# 1


def test_offline_edits_on_two_agents_converge(h):
    central = h.central(h.pg.create_database("offline"))
    a = h.agent("a", central)
    b = h.agent("b", central)
    pa, pb = h.proxies["a"], h.proxies["b"]
    wait_ok(h, a, b)
    # Every replica here shares one clock: the offset each agent measured from central's Date
    # header is near zero (the header has whole seconds; a loaded machine adds round-trip time).
    for agent in (a, b):
        offset = agent.status()["sync"]["clock_offset_seconds"]
        assert offset is not None and abs(offset) <= 3, (agent.name, offset)
        assert abs(agent.metrics()["edge_sync_clock_offset_seconds"] - offset) < 1e-9

    shared = a.create("Shared", assignee="ann", notes="initial")["id"]
    del_on_a = a.create("Deleted on A, renamed on B later")["id"]
    del_on_b = b.create("Renamed on B, deleted on A later")["id"]
    h.wait_converged(central, [a, b])

    # Partition both agents: A's packets vanish (its requests hang until its 30 s read
    # timeout), B's connections are refused.
    pa.set_mode("blackhole")
    pb.set_mode("refuse")
    h.wait_until(lambda: pa.stats.get("blackhole", 0) > 0, 20, "a sends a request into the black hole")
    wait_state(h, b, "offline")

    next_ms()
    central.patch(shared, assignee="carl")                    # reaches central first, but is older
    next_ms()
    a.patch(shared, title="Title from A")
    next_ms()
    b.patch(shared, title="Title from B", assignee="bea")     # later than A's title and central's assignee
    next_ms()
    a.patch(shared, done=True)
    next_ms()
    central.patch(shared, notes="Notes from central")
    next_ms()
    a.delete(del_on_a)
    next_ms()
    b.patch(del_on_a, title="Renamed on B after A's delete")  # an edit after a delete: still deleted
    next_ms()
    b.patch(del_on_b, title="Renamed on B before A's delete")
    next_ms()
    a.delete(del_on_b)                                         # a delete after an edit: deleted
    new_a = a.create("New on A while offline")["id"]
    new_b = b.create("New on B while offline", assignee="bob")["id"]
    b.patch(new_b, done=True)
    new_c = central.create("New at central while the agents are offline")["id"]

    # The premises, from the replicas' own stamps: later wall-clock edits carry later stamps.
    ra, rb = a.record(shared), b.record(shared)
    assert ra["title_v"] < rb["title_v"], (ra, rb)
    assert stamp_node(ra["title_v"]) == "a" and stamp_node(rb["title_v"]) == "b"
    assert ra["title"] == "Title from A" and rb["title"] == "Title from B"
    assert ra["done"] and not rb["done"]
    central_shared = central.records()[shared]
    assert central_shared["assignee"] == "carl" and central_shared["title"] == "Shared"
    assert central_shared["assignee_v"] < rb["assignee_v"]
    # Nothing got through the partition.
    assert a.change_log_count() == 5 and b.change_log_count() == 5  # one change per write
    assert new_a not in {t["id"] for t in b.tasks()} and new_b not in {t["id"] for t in a.tasks()}

    # B's writes push within about a second even during its backoff: that push meets the
    # refusing proxy before the partition heals (on a fast machine the writes above take
    # less than that second, so wait for it rather than assume it).
    h.wait_until(lambda: pb.stats.get("refuse", 0) > 0, 20, "b's push of its offline writes is refused",
                 detail=lambda: pb.stats)

    # B comes back first, so A's older title reaches central after B's newer one.
    pb.set_mode("pass")
    back_b = b.create("B is back")["id"]  # a local write pushes at once, whatever the backoff
    h.wait_until(lambda: b.change_log_count() == 0, 30, "b has pushed everything", detail=b.status)
    assert central.records()[shared]["title"] == "Title from B"
    pa.set_mode("pass")
    back_a = a.create("A is back")["id"]
    records = h.wait_converged(central, [a, b], timeout=75)
    assert a.errors("timeout") > 0, "a's request into the black hole did not time out"

    s = records[shared]
    assert s["title"] == "Title from B" and stamp_node(s["title_v"]) == "b"        # later edit wins, though it arrived first
    assert s["assignee"] == "bea" and stamp_node(s["assignee_v"]) == "b"          # beats central's older edit
    assert s["done"] is True and stamp_node(s["done_v"]) == "a"                   # only A touched done
    assert s["completed_at"] == ra["completed_at"]
    assert s["notes"] == "Notes from central" and stamp_node(s["notes_v"]) == "central"
    assert records[del_on_a]["deleted"] and stamp_node(records[del_on_a]["deleted_v"]) == "a"
    assert records[del_on_a]["title"] == "Renamed on B after A's delete"           # fields keep merging under the tombstone
    assert records[del_on_b]["deleted"] and records[del_on_b]["title"] == "Renamed on B before A's delete"
    assert records[new_b]["done"] is True and records[new_b]["assignee"] == "bob"
    live = {t["id"] for t in central.tasks()}
    assert live == {shared, new_a, new_b, new_c, back_a, back_b}
    for replica in (a, b, central):
        assert replica.api("GET", f"/v1/tasks/{del_on_a}").status == 404
        assert replica.api("GET", f"/v1/tasks/{del_on_b}").status == 404


# ---------------------------------------------------------------------------------------
# 7


def test_concurrent_migrate(h):
    for _ in range(3):
        db = h.pg.create_database("migrate")
        procs = [subprocess.Popen([str(CENTRAL_BIN), "migrate",
                                   "--database-url", db], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                  env=clean_env()) for _ in range(2)]
        outputs = [p.communicate(timeout=60) for p in procs]
        for p, (out, err) in zip(procs, outputs):
            assert p.returncode == 0, f"migrate exited {p.returncode}: {out} {err}"
        rows = psql_json(db, "SELECT name, count(*) AS n FROM schema_migration GROUP BY name ORDER BY name")
        assert len(rows) == len(MIGRATIONS) and all(r["n"] == 1 for r in rows), rows  # each migration once
        applied = [out.strip() for out, _ in outputs]
        assert all(t == "schema up to date" or t.startswith("applied: ") for t in applied), applied
        # One process applied every migration, in order; the other waited on the lock and found
        # nothing left to do.
        names = psql(db, "SELECT string_agg(name, ', ' ORDER BY applied_at, name) FROM schema_migration")
        assert sorted(applied) == sorted([f"applied: {names}", "schema up to date"]), (applied, names)
        assert psql(db, "SELECT count(*) FROM information_schema.tables WHERE table_name IN "
                        "('node', 'node_token', 'task', 'change_feed', 'applied_change', 'series', 'sample')") == "7"


# ---------------------------------------------------------------------------------------
# 2


def test_samples_recorded_offline_arrive_exactly_once(h):
    central = h.central(h.pg.create_database("samples"))
    a = h.agent("a", central)
    proxy = h.proxies["a"]
    h.wait_until(lambda: (a.delivered_through() or 0) > 0, 30, "a has delivered its first samples", detail=a.status)

    proxy.set_mode("refuse")
    wait_state(h, a, "offline")
    offline_from = a.delivered_through()
    h.wait_until(lambda: a.query("SELECT count(*) FROM metric_reading WHERE ts > ?", (offline_from,))[0][0] >= 20, 60,
                 "a has recorded 20 readings while offline")
    assert a.delivered_through() == offline_from, "samples were delivered through a refusing proxy"
    pending = a.metrics()['edge_sync_pending{kind="samples"}']
    assert pending >= 20 * 100, f"edge_sync_pending{{kind=\"samples\"}} is {pending} after 20 readings offline"
    # The agent's raw series as its own API serves it, for a comparison through both APIs below.
    since = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(offline_from / 1000 - 30))
    before = a.api("GET", f"/v1/series?name=node_load1&since={since}")
    assert before.status == 200, before
    agent_points = [(p["t"], p["v"]) for p in before.json["series"][0]["points"]]
    offline_last = a.query("SELECT max(ts) FROM metric_reading")[0][0]

    proxy.set_mode("pass")
    a.create("nudge: back online")  # a local write syncs at once, whatever the backoff
    h.wait_until(lambda: a.delivered_through() >= offline_last, 30, "a has delivered every reading taken offline",
                 detail=a.status)
    assert a.stop() == 0, f"a did not exit cleanly:\n{a.log.read_text()[-2000:]}"
    flush = a.sync_once()
    assert flush.returncode == 0, f"sync --once exited {flush.returncode}: {flush.stdout} {flush.stderr}"
    assert flush.stdout.startswith("pushed "), flush.stdout

    n = h.assert_samples_exact(central, a)
    readings = a.query("SELECT count(*) FROM metric_reading")[0][0]
    widths = a.query("SELECT sum(length(l.series) / 4) FROM metric_reading m JOIN metric_layout l ON l.id = m.layout_id")[0][0]
    assert n == widths and readings >= 21, (n, widths, readings)
    node_samples = int(central.sql("SELECT count(*) FROM sample p JOIN node n ON n.id = p.node_id WHERE n.name = 'a'"))
    assert node_samples == widths
    # Both APIs agree on the raw series.
    r = central.api("GET", f"/v1/series?node=a&name=node_load1&since={since}")
    assert r.status == 200, r
    central_points = [(p["t"], p["v"]) for p in r.json["series"][0]["points"]]
    assert central_points[:len(agent_points)] == agent_points
    load1 = sorted((ts, v) for (name, labels, ts), (v, _) in a.samples().items() if name == "node_load1")
    assert [p[1] for p in central_points] == [v for _, v in load1] and len(central_points) == readings
    assert all(p["clock"] == "synced" for p in r.json["series"][0]["points"])


def test_a_day_recorded_offline_arrives_exactly_once(h):
    """A day of readings at the default 15 s (5,760 readings x 40 series, written with their
    real timestamps by `edge-bench fill-db`) waits in an agent that cannot reach central, then
    drains when it can: central ends up with exactly those samples, none twice."""
    db = h.pg.create_database("day")
    central = h.central(db)
    token = h.add_node(db, "a")
    central.token = token.read_text().strip()
    proxy = h.proxy("a", central.port)
    proxy.set_mode("refuse")
    a = Agent(h, "a", f"http://127.0.0.1:{proxy.port}", token)
    fill = subprocess.run([str(BENCH_BIN), "fill-db", "--data-dir", str(a.data_dir), "--readings", "5760",
                           "--series", "40", "--tasks", "3", "--node-name", "a"], capture_output=True, text=True, timeout=300, env=clean_env())
    assert fill.returncode == 0, fill.stderr
    a.start()
    wait_state(h, a, "offline")
    backlog = a.status()["sync"]["pending"]
    assert backlog["samples"] >= 5760 * 40 and backlog["task_changes"] == 3, backlog
    assert a.status()["sync"]["oldest_pending_age_seconds"] > 86_000
    assert central.sql("SELECT count(*) FROM sample") == "0"

    proxy.set_mode("pass")
    last = a.query("SELECT max(ts) FROM metric_reading")[0][0]
    h.wait_until(lambda: (a.delivered_through() or 0) >= last, 120, "a has delivered the day it recorded offline",
                 detail=lambda: a.status()["sync"])
    h.wait_converged(central, [a])
    assert a.stop() == 0
    flush = a.sync_once()
    assert flush.returncode == 0, (flush.stdout, flush.stderr)
    n = h.assert_samples_exact(central, a)
    assert n >= 5760 * 40, n
    first, newest = (int(x) for x in central.sql(
        "SELECT min(ts) || '|' || max(ts) FROM sample p JOIN node n ON n.id = p.node_id WHERE n.name = 'a'").split("|"))
    assert newest - first >= 86_000_000, (first, newest)


# ---------------------------------------------------------------------------------------
# 3

# Delay first: switching to the next (non-pass) mode resets the slow keep-alive connections
# it leaves behind.
FAULTS = [("delay", 3000), ("cut_response", None), ("cut_request", 200), ("respond502", None)]


def central_has_changes(central, change_ids) -> set[str]:
    if not change_ids:
        return set()
    listed = ",".join(f"'{c}'" for c in change_ids)
    return set(central.sql(f"SELECT change_id FROM applied_change WHERE change_id IN ({listed})").split())


def phase_change_ids(agent, task_ids) -> set[str]:
    marks = ",".join("?" for _ in task_ids)
    return {r[0] for r in agent.query(f"SELECT change_id FROM change_log WHERE task_id IN ({marks})", tuple(task_ids))}


def test_proxy_faults_lose_nothing_and_double_nothing(h):
    central = h.central(h.pg.create_database("faults"))
    a = h.agent("a", central)
    b = h.agent("b", central)
    agents = [a, b]
    wait_ok(h, a, b)
    created = {a.name: [], b.name: []}
    writes = {a.name: 0, b.name: 0}

    def create(agent, title):
        created[agent.name].append(agent.create(title)["id"])
        writes[agent.name] += 1
        return created[agent.name][-1]

    def edit(agent, phase):
        task_id = h.rng.choice(created[agent.name])
        agent.patch(task_id, title=f"edited by {agent.name} during {phase}")
        writes[agent.name] += 1

    for agent in agents:
        create(agent, f"{agent.name} before the faults")
    h.wait_converged(central, agents)

    for mode, arg in FAULTS:
        phase = f"{mode} {arg}" if arg is not None else mode
        for agent in agents:
            h.proxies[agent.name].set_mode(mode, arg)
        phase_started = now_ms()
        errors_before = {ag.name: sum(v for k, v in ag.metrics().items() if k.startswith("edge_sync_errors_total"))
                         for ag in agents}
        phase_tasks = {ag.name: [] for ag in agents}
        for agent in agents:
            for i in range(h.rng.randint(2, 4)):
                phase_tasks[agent.name].append(create(agent, f"{agent.name} during {phase} #{i}"))
            edit(agent, phase)
        print(f"{phase}: created {phase_tasks}")

        for agent in agents:
            proxy = h.proxies[agent.name]
            h.wait_until(lambda: proxy.stats.get(mode, 0) > 0, 20, f"{agent.name} has connected under {phase}")
            if mode == "delay":
                # Slow, but it works: a reading taken after the switch gets through 3 s per hop.
                # (Not the tasks: a cycle that started just before the writes keeps pushing samples
                # for up to 20 batches, 6 s each here, before it looks at the change log again.)
                h.wait_until(lambda: (agent.delivered_through() or 0) > phase_started, 40,
                             f"{agent.name} delivers samples through a 3 s delay", detail=agent.status)
            elif mode == "cut_response":
                # The ambiguous case: central committed changes the agent still holds as pending.
                h.wait_until(lambda: central_has_changes(central, agent.change_log_ids()), 30,
                             f"central has committed changes {agent.name} never heard acknowledged",
                             detail=lambda: (agent.change_log_ids(), agent.status()["sync"]))
            else:
                h.wait_until(lambda: sum(v for k, v in agent.metrics().items() if k.startswith("edge_sync_errors_total"))
                             > errors_before[agent.name], 30, f"{agent.name} counts a failed sync under {phase}")
                # Nothing of this phase got through.
                pending = phase_change_ids(agent, phase_tasks[agent.name])
                assert len(pending) >= len(phase_tasks[agent.name]), pending
                assert not central_has_changes(central, pending), f"changes made during {phase} reached central"
                assert not set(phase_tasks[agent.name]) & central.records().keys()
                if mode == "respond502":
                    assert agent.errors("server_error") > 0
                    wait_state(h, agent, "offline")

    for agent in agents:
        h.proxies[agent.name].set_mode("pass")
        create(agent, f"{agent.name} after the faults")  # pushes at once, whatever the backoff
    records = h.wait_converged(central, agents, timeout=60)

    # Nothing lost: every task created anywhere is on every replica.
    everything = set(created["a"]) | set(created["b"])
    for replica in (central, a, b):
        assert everything == {t["id"] for t in replica.tasks()}, replica.name
    # Nothing doubled: one task row per task created, every change received once and applied once.
    assert len(records) == len(everything) == int(central.sql("SELECT count(*) FROM task"))
    for agent in agents:
        ledger = int(central.sql(f"SELECT count(*) FROM applied_change c JOIN node n ON n.id = c.node_id WHERE n.name = '{agent.name}'"))
        feed = int(central.sql(f"SELECT count(*) FROM change_feed f JOIN node n ON n.id = f.pushed_by WHERE n.name = '{agent.name}'"))
        assert ledger == feed == writes[agent.name], (agent.name, ledger, feed, writes)
    assert central.sql("SELECT count(*) = count(DISTINCT change_id) FROM change_feed") == "t"
    # The cut responses were replayed and recognised.
    replayed = parse_central_metrics(central)['edge_central_changes_received_total{outcome="already_known"}']
    assert replayed > 0, "no change was pushed twice, so the cut_response phase tested nothing"
    assert all(agent.errors("timeout") == 0 for agent in agents), "a 3 s delay made a request time out"
    for agent in agents:
        h.assert_samples_consistent(central, agent)


def parse_central_metrics(central) -> dict[str, float]:
    r = http("GET", central.url("/metrics"))
    assert r.status == 200, r
    return parse_metrics(r.body.decode())


# ---------------------------------------------------------------------------------------
# 4


def test_sigkill_agent_and_central(h):
    central = h.central(h.pg.create_database("sigkill"))
    a = h.agent("a", central)
    b = h.agent("b", central)
    wait_ok(h, a, b)
    acked: dict[str, dict] = {}  # task id -> the task as the last acknowledged write returned it
    writes = {"a": 0, "b": 0}
    lock = threading.Lock()

    def acknowledge(agent, task):
        with lock:
            acked[task["id"]] = task
            writes[agent.name] += 1

    # SIGKILL an agent right after a burst of acknowledged writes.
    for i in range(12):
        acknowledge(a, a.create(f"A burst {i}", notes=f"note {i}"))
    for task_id in h.rng.sample(sorted(acked), 4):
        acknowledge(a, a.patch(task_id, title=f"{acked[task_id]['title']} (edited)", done=h.rng.choice([True, False])))
    a.kill()
    a.start()
    local = {t["id"]: t for t in a.tasks()}
    for task_id, task in acked.items():
        assert local.get(task_id) == task, f"acknowledged write of {task_id} lost or changed by SIGKILL"
    h.wait_converged(central, [a, b])

    # SIGKILL central in the middle of a burst of pushes from both agents.
    stop = threading.Event()
    counts = {"a": 0, "b": 0}

    failures = []

    def burst(agent):
        i = 0
        while not stop.is_set() and not h.stop_event.is_set():
            try:
                acknowledge(agent, agent.create(f"{agent.name} push burst {i}"))
            except (AssertionError, OSError) as e:  # reported by the waits below
                failures.append(f"{agent.name}: {e}")
                return
            counts[agent.name] += 1
            i += 1
            time.sleep(0.02)  # pacing, ~50 writes/s per agent

    threads = [h.background(burst, a), h.background(burst, b)]
    received = lambda: int(central.sql("SELECT count(*) FROM applied_change"))  # noqa: E731
    start = received()
    h.wait_until(lambda: received() >= start + 10, 30, "central is receiving the burst", detail=lambda: failures)
    central.kill()
    at_kill = dict(counts)
    h.wait_until(lambda: all(counts[n] >= at_kill[n] + 10 for n in counts), 30,
                 "both agents acknowledged 10 more writes with central down", detail=lambda: (counts, failures))
    stop.set()
    for t in threads:
        t.join(30)
    assert not failures, failures
    assert a.change_log_count() > 0 and b.change_log_count() > 0
    central.start()
    # No write after the restart: the agents retry by themselves (backoff, 5 s up).
    h.wait_converged(central, [a, b], timeout=90)

    for replica in (central, a, b):
        listed = {t["id"]: t for t in replica.tasks()}
        lost = [i for i, t in acked.items() if listed.get(i) != t]
        assert not lost, f"{replica.name}: {len(lost)} acknowledged writes missing or different, e.g. {lost[:3]}"
    for name, n in writes.items():
        ledger = int(central.sql(f"SELECT count(*) FROM applied_change c JOIN node n ON n.id = c.node_id WHERE n.name = '{name}'"))
        assert ledger == n, f"central received {ledger} changes from {name}, which made {n}"
    assert central.sql("SELECT count(*) FROM change_feed") == str(sum(writes.values()))
    assert central.sql("SELECT count(*) = count(DISTINCT change_id) FROM change_feed") == "t"
    for agent in (a, b):
        h.assert_samples_consistent(central, agent)


# ---------------------------------------------------------------------------------------
# 5


def test_postgres_restart_during_pushes(h):
    cluster = h.cluster()
    db = cluster.create_database("pgrestart")
    central = h.central(db)
    a = h.agent("a", central)
    wait_ok(h, a)
    first = a.create("before the crash")["id"]
    h.wait_converged(central, [a])

    # Hold the feed lock so the next push blocks inside its transaction, then crash PostgreSQL.
    holder = subprocess.Popen([str(PG_BIN / "psql"), db, "-X", "-c", f"SELECT pg_advisory_lock({FEED_LOCK_KEY})",
                               "-c", "SELECT pg_sleep(120)"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              env=clean_env())
    try:
        h.wait_until(lambda: psql(db, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted") == "1",
                     10, "the test holds the feed lock")
        blocked = a.create("pushed while PostgreSQL crashes")["id"]
        h.wait_until(lambda: psql(db, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted") == "1",
                     10, "a's push waits for the feed lock inside its transaction")
        cluster.crash()
        crashed_at = time.monotonic()
    finally:
        holder.kill()
        holder.wait(10)

    # What the agent sees from now on: when it first reports offline, and why. The offline
    # state may last only until the next write nudges a cycle that succeeds, so the failed
    # cycle counted in the status (persisted) counts too.
    seen = {}
    failed_before = a.status()["sync"]["errors"].get("server_error", 0)

    def watch():
        while not h.stop_event.is_set() and "offline" not in seen:
            try:
                sync = a.status()["sync"]
            except (OSError, AssertionError):
                sync = {}
            if sync.get("state") == "offline" or sync.get("errors", {}).get("server_error", 0) > failed_before:
                seen["offline"] = (time.monotonic() - crashed_at, sync.get("last_error"))
            time.sleep(0.1)

    watcher = h.background(watch)
    h.wait_until(lambda: central.readiness() == 503, 15, "central's /readiness answers 503", interval=0.05)
    readiness_after = time.monotonic() - crashed_at
    assert readiness_after <= 3.0, f"/readiness turned 503 only {readiness_after:.1f} s after PostgreSQL crashed (limit 3 s)"
    r = central.api("GET", "/v1/tasks")
    assert r.status == 503 and r.json["error"]["code"] == "database_unavailable", r
    assert r.headers.get("Retry-After") == "5"
    during = [a.create(f"written while PostgreSQL is down {i}")["id"] for i in range(3)]
    assert a.change_log_count() >= 3

    url = cluster.restart()
    assert url == with_database(db, "postgres"), "PostgreSQL came back on another port"
    central.wait_ready(30)
    assert central.alive() and len(central.logs) == 1  # recovered without a restart
    after = a.create("after PostgreSQL is back")["id"]
    records = h.wait_converged(central, [a], timeout=75)
    assert {first, blocked, after, *during} == {k for k, r in records.items() if not r.get("deleted")}
    assert central.sql("SELECT count(*) FROM applied_change") == "6"
    h.assert_samples_consistent(central, a)

    # Central must answer the push that was inside its transaction when PostgreSQL died: 503
    # within its 5 s operation timeout, not leave the agent to give up after 30 s.
    watcher.join(5)
    assert "offline" in seen, "a never reported offline while PostgreSQL was down"
    after_s, error = seen["offline"]
    answered_503 = "503" in (error or "") or "central answered 503" in a.log.read_text()
    assert a.errors("timeout") == 0 and after_s < 15 and answered_503, (
        f"the push blocked in its transaction when PostgreSQL crashed was not answered: a reported offline "
        f"{after_s:.1f} s after the crash with {error!r}; edge_sync_errors_total timeout={a.errors('timeout')}, "
        f"server_error={a.errors('server_error')}")


# ---------------------------------------------------------------------------------------
# 6


def test_token_revoked_and_replaced_while_running(h):
    db = h.pg.create_database("token")
    phone = h.add_node(db, "phone")  # the household API's token, not the agent's
    central = h.central(db, token=phone.read_text().strip())
    a = h.agent("a", central)
    wait_ok(h, a)
    kept = a.create("before the revocation")["id"]
    h.wait_converged(central, [a])
    old_token = a.token_file.read_text().strip()

    out = h.central_cli(db, "nodes", "revoke", "a")
    assert "revoked" in out
    assert http("GET", central.url("/v1/tasks"), token=old_token).status == 401
    wait_state(h, a, "unauthorized")
    assert a.errors("unauthorized") > 0
    refused = a.errors("unauthorized")
    readings = a.query("SELECT count(*) FROM metric_reading")[0][0]

    # Local writes still work, and wait.
    revoked_new = a.create("written while revoked")["id"]
    a.patch(kept, title="edited while revoked")
    h.wait_until(lambda: a.errors("unauthorized") > refused, 15, "the writes were tried and refused with 401")
    assert a.sync_state() == "unauthorized"
    assert a.change_log_count() == 2
    assert {t["id"] for t in a.tasks()} == {kept, revoked_new}
    assert a.query("SELECT count(*) FROM metric_reading")[0][0] >= readings  # nothing local deleted
    assert revoked_new not in central.records()
    assert central.records()[kept]["title"] == "before the revocation"
    nodes = {n["name"]: n for n in central.api("GET", "/v1/nodes").json["nodes"]}
    assert nodes["a"]["revoked"] is True

    new_token = h.central_cli(db, "nodes", "rotate", "a")
    assert new_token.startswith("edge1_") and new_token != old_token
    write_secret(a.token_file, new_token)  # atomic: temporary file, then rename
    h.wait_until(lambda: a.sync_state() == "ok" and a.change_log_count() == 0, 10,
                 "a syncs with the new token by itself", detail=lambda: a.status()["sync"])
    records = h.wait_converged(central, [a])
    assert records[kept]["title"] == "edited while revoked" and revoked_new in records
    assert http("GET", central.url("/v1/tasks"), token=old_token).status == 401
    assert http("GET", central.url("/v1/tasks"), token=new_token).status == 200
    nodes = {n["name"]: n for n in central.api("GET", "/v1/nodes").json["nodes"]}
    assert nodes["a"]["revoked"] is False
    h.assert_samples_consistent(central, a)


# ---------------------------------------------------------------------------------------
# 8


def test_central_restored_from_backup_resyncs(h):
    db = h.pg.create_database("restore")
    central = h.central(db)
    a = h.agent("a", central)
    b = h.agent("b", central)
    wait_ok(h, a, b)
    early_a = [a.create(f"A before the dump {i}")["id"] for i in range(3)]
    early_b = [b.create(f"B before the dump {i}")["id"] for i in range(3)]
    central.create("central before the dump")
    h.wait_converged(central, [a, b])

    dump = h.dir / "central.dump"
    seq_at_dump = int(central.sql("SELECT max(seq) FROM change_feed"))
    pg_dump(db, dump)
    assert int(central.sql("SELECT max(seq) FROM change_feed")) == seq_at_dump
    through_after_dump = dict(line.split("|") for line in central.sql(
        "SELECT name, samples_through FROM node").splitlines())

    # After the dump: edits on both agents and at central, all delivered and pulled.
    late_a = [a.create(f"A after the dump {i}")["id"] for i in range(2)]
    a.patch(early_b[0], title="B's task, edited on A after the dump")
    late_b = [b.create(f"B after the dump {i}")["id"] for i in range(2)]
    b.delete(early_a[0])
    central.patch(early_a[1], notes="central's edit after the dump")
    before_restore = h.wait_converged(central, [a, b])
    top = int(central.sql("SELECT max(seq) FROM change_feed"))
    for agent in (a, b):
        h.wait_until(lambda: agent.cursor()[0] == top and (agent.delivered_through() or 0) > int(through_after_dump[agent.name]),
                     30, f"{agent.name} has pulled the whole feed and delivered samples after the dump")

    # Central is restored from the dump: it forgets everything after it.
    central.stop()
    pg_restore(h.pg.url, db, dump)
    assert int(central.sql("SELECT max(seq) FROM change_feed")) == seq_at_dump
    assert not set(late_a + late_b) & central.records().keys()
    central.start()
    central.wait_ready()

    newest = [a.create("A after the restore")["id"], b.create("B after the restore")["id"]]
    records = h.wait_converged(central, [a, b], timeout=60)
    for task_id, record in before_restore.items():
        assert records[task_id] == record, f"{task_id} differs from before the restore"
    assert set(records) == set(before_restore) | set(newest)
    assert records[early_a[1]]["notes"] == "central's edit after the dump"  # relayed back by the agents
    assert records[early_a[0]]["deleted"]
    for agent in (a, b):
        assert "full resync finished" in agent.log.read_text(), f"{agent.name} did not resync"

    for agent in (a, b):
        assert agent.stop() == 0
        flush = agent.sync_once()
        assert flush.returncode == 0, f"{agent.name} sync --once exited {flush.returncode}: {flush.stdout} {flush.stderr}"
        h.assert_samples_exact(central, agent)


# ---------------------------------------------------------------------------------------
# 9


def test_two_stateless_centrals_on_one_database(h):
    db = h.pg.create_database("stateless")
    c1 = Central(h, "central1", db).start(wait=False)
    c2 = Central(h, "central2", db).start(wait=False)  # both migrate the empty database at once
    c1.await_port()
    c2.await_port()
    c1.wait_ready()
    c2.wait_ready()
    rows = psql_json(db, "SELECT name, count(*) AS n FROM schema_migration GROUP BY name")
    assert len(rows) == len(MIGRATIONS) and all(r["n"] == 1 for r in rows), rows  # each migration once

    a = h.agent("a", c1)
    b = h.agent("b", c2)
    wait_ok(h, a, b)
    from_a = [a.create(f"A via central1 {i}")["id"] for i in range(3)]
    from_b = [b.create(f"B via central2 {i}", assignee="bea")["id"] for i in range(3)]
    from_c1 = c1.create("household edit on central1")["id"]
    h.wait_until(lambda: set(from_a) <= c2.records().keys(), 20, "central2 sees what a pushed to central1")
    c2.patch(from_a[0], notes="edited on central2")
    h.wait_until(lambda: set(from_b) <= {t["id"] for t in a.tasks()}, 20, "a pulls b's tasks through central1")
    a.patch(from_b[0], done=True)
    b.delete(from_a[1])
    records = h.wait_converged(c1, [a, b])
    assert c2.records() == records
    assert sorted(c2.tasks(), key=lambda t: t["id"]) == sorted(c1.tasks(), key=lambda t: t["id"])
    assert records[from_a[0]]["notes"] == "edited on central2"
    assert records[from_b[0]]["done"] and records[from_a[1]]["deleted"]
    assert from_c1 in {t["id"] for t in b.tasks()}
    assert h.proxies["a"].stats.get("pass", 0) > 0 and h.proxies["b"].stats.get("pass", 0) > 0
    for agent in (a, b):
        h.assert_samples_consistent(c1, agent)


# ---------------------------------------------------------------------------------------
# 10


def test_tls_to_central_with_a_household_ca(h):
    household = h.certificates("household")
    stranger = h.certificates("stranger")  # a CA that did not sign central's certificate
    db = h.pg.create_database("tls")
    central = h.central(db, tls=household)
    central.wait_ready()
    token_file = h.add_node(db, "a")
    central.token = token_file.read_text().strip()
    proxy = h.proxy("a", central.port)
    https = f"https://127.0.0.1:{proxy.port}"

    # A file that holds no certificate (here a private key) stops start-up, before anything
    # is created.
    fresh = h.dir / "never-created"
    bad = subprocess.run([str(AGENT_BIN), "run", "--data-dir", str(fresh), "--listen", "127.0.0.1:0", "--central-url", https,
                          "--central-token-file", str(token_file), "--central-ca-file", str(household.key)],
                         capture_output=True, text=True, timeout=30, env=clean_env())
    assert bad.returncode == 2 and "--central-ca-file" in bad.stderr and "no PEM certificate" in bad.stderr, bad
    assert not fresh.exists()

    # Trusting the wrong CA: nothing is sent, the reason is plain, local writes still work.
    a = Agent(h, "a", https, token_file, extra=["--central-ca-file", str(stranger.ca)]).start()
    h.wait_until(lambda: a.errors("tls") > 0, 30, "a counts a TLS failure", detail=lambda: a.status()["sync"])
    sync = a.status()["sync"]
    assert sync["state"] == "error" and "--central-ca-file" in (sync["last_error"] or ""), sync
    offline = a.create("written while central's certificate is refused")["id"]
    assert a.change_log_count() == 1
    assert central.sql("SELECT count(*) FROM task") == "0"
    assert a.stop() == 0

    # Plain HTTP to an HTTPS central fails too, and says so; nothing is lost.
    a.central_url = f"http://127.0.0.1:{proxy.port}"
    a.extra = []
    a.start()
    h.wait_until(lambda: a.status()["sync"]["last_error"], 30, "a reports why plain HTTP to central failed")
    assert a.sync_state() != "ok" and a.change_log_count() == 1
    assert a.stop() == 0

    # The household CA: the same node syncs over HTTPS, through the same proxy.
    a.central_url = https
    a.extra = ["--central-ca-file", str(household.ca)]
    a.start()
    wait_ok(h, a)
    mine = central.create("created at central over HTTPS")["id"]
    records = h.wait_converged(central, [a])
    assert offline in records and mine in {t["id"] for t in a.tasks()}
    h.assert_samples_consistent(central, a)

    # `sync --once` from the command line: the CA file is needed there too.
    r = a.sync_once("--central-ca-file", str(household.ca))
    assert r.returncode == 0 and r.stdout.startswith("pushed "), (r.returncode, r.stdout, r.stderr)
    r = a.sync_once()
    assert r.returncode == 3 and "TLS" in r.stderr and "--central-ca-file" in r.stderr, (r.returncode, r.stderr)
