"""The sync soak (`make bench`, not `make test`): 3 agents and 2 centrals on one PostgreSQL for
EDGE_SOAK_SECONDS (default 600) of household edits under random partitions (the fault proxy),
agent restarts with clock steps of +-1 h (faketime), one central restore from a pg_dump taken
mid-run, and one agent restored from its own `edge-agent db backup`. At the end it prints what
happened and asserts:

- every replica's task records and task list are identical (both centrals and every agent);
- every acknowledged edit is present: its value, or a newer stamp on that field;
- every reading an agent holds is at central exactly once (the restored agent also lost the
  readings it took between its backup and its restore; central keeps those);
- no reading is stamped after the moment it was sent.

libfaketime shifts the absolute timerfd deadlines of the agent's timers, so a daemon under
faketime never wakes up: the stepped clocks drive the CLI (`tasks edit`, `sync --once`) of the
stopped agent between restarts, which is where a wrong clock stamps edits and pushes them.

Run: scripts/bench-soak.sh (EDGE_SOAK_SECONDS=N, EDGE_SYNC_SEED=N to replay)."""

from __future__ import annotations

import os
import shutil
import subprocess
import time

from conftest import AGENT_BIN, SEED, Central, clean_env, now_ms, pg_dump, pg_restore

DURATION = float(os.environ.get("EDGE_SOAK_SECONDS", "600"))
PARTITIONS = [("blackhole", None), ("refuse", None), ("respond502", None), ("cut_response", None), ("delay", 1500)]


def at_offset(agent, hours: int, *args: str) -> subprocess.CompletedProcess:
    """`edge-agent ARGS` on the stopped `agent` with its wall clock `hours` off (faketime)."""
    argv = ["faketime", "-f", f"{hours:+d}h", str(AGENT_BIN), *args, "--data-dir", str(agent.data_dir), "--node-name", agent.name]
    if args[0] == "sync":
        argv += ["--central-url", agent.central_url, "--central-token-file", str(agent.token_file)]
    return subprocess.run(argv, capture_output=True, text=True, timeout=120, env=clean_env())


def test_soak(h):
    rng = h.rng
    db = h.pg.create_database("soak")
    c1 = Central(h, "central1", db).start()
    c2 = Central(h, "central2", db).start()
    c1.wait_ready()
    c2.wait_ready()
    centrals = [c1, c2]
    agents = [h.agent("a", c1), h.agent("b", c1), h.agent("c", c2)]
    by_name = {a.name: a for a in agents}
    started = time.monotonic()
    deadline = started + DURATION
    edits: list[tuple[str, str, str, str | None]] = []  # (where, task, notes value, stamp when acknowledged)
    created: list[str] = []
    counts = {"creates": 0, "edits": 0, "deletes": 0, "central_edits": 0, "cli_edits": 0, "partitions": 0,
              "restarts": 0, "clock_steps": 0, "failed_requests": 0}
    dump = None
    restored_central = False
    agent_backup = None
    restored_agent = False
    partitioned: dict[str, float] = {}

    def acknowledged(where: str, task: str, value: str, record: dict | None):
        stamp = record.get("notes_v") if record and record.get("notes") == value else None
        if stamp and int(stamp.split("-")[0], 16) > now_ms() + 600_000:
            # Stamped by a clock that ran ahead (a CLI edit an hour ahead moved this node's
            # clock row there): central refuses it and the node stamps it again, lower.
            stamp = None
        edits.append((where, task, value, stamp))

    def edit_on_agent(agent):
        try:
            if not created or rng.random() < 0.3:
                task = agent.create(f"{agent.name} chore {counts['creates']}", notes=f"n{len(edits)}")["id"]
                created.append(task)
                counts["creates"] += 1
                acknowledged(agent.name, task, f"n{len(edits)}", agent.records().get(task))
            elif rng.random() < 0.1:
                agent.delete(rng.choice(created))
                counts["deletes"] += 1
            else:
                task, value = rng.choice(created), f"n{len(edits)} by {agent.name}"
                agent.patch(task, notes=value)
                counts["edits"] += 1
                acknowledged(agent.name, task, value, agent.records().get(task))
        except AssertionError as e:  # a 404 for a task it has not pulled yet is an answer, not a loss
            if "404" not in str(e):
                raise
            counts["failed_requests"] += 1

    def edit_on_central(central):
        if not created:
            return
        task, value = rng.choice(created), f"n{len(edits)} at {central.name}"
        r = central.api("PATCH", f"/v1/tasks/{task}", {"notes": value})
        if r.status == 404:
            counts["failed_requests"] += 1
            return
        assert r.status == 200, r
        counts["central_edits"] += 1
        acknowledged(central.name, task, value, central.records().get(task))

    def restart_with_clock_step(agent):
        assert agent.stop() == 0, f"{agent.name} did not stop cleanly"
        counts["restarts"] += 1
        hours = rng.choice([-1, 1])
        if created:
            task, value = rng.choice(created), f"n{len(edits)} on {agent.name} at {hours:+d} h"
            out = at_offset(agent, hours, "tasks", "edit", task, "--notes", value)
            if out.returncode == 0:
                counts["cli_edits"] += 1
                counts["clock_steps"] += 1
                # An hour ahead, central refuses the stamp and the node stamps the edit again
                # once its clock is right: it is then ordered by when it really happened.
                acknowledged(agent.name, task, value, agent.records().get(task) if hours < 0 else None)
            else:
                assert "no task with id" in (out.stdout + out.stderr).lower(), out.stdout + out.stderr  # not pulled yet
                counts["failed_requests"] += 1
            at_offset(agent, hours, "sync", "--once")  # may fail under a partition; that is the point
        agent.start()

    print(f"soak: {DURATION:.0f} s, 3 agents, 2 centrals, seed {SEED} (EDGE_SYNC_SEED replays it)")
    while time.monotonic() < deadline or not (restored_central and restored_agent):  # both restores happen, even late
        progress = (time.monotonic() - started) / DURATION
        for name, until in list(partitioned.items()):
            if time.monotonic() >= until:
                h.proxies[name].set_mode("pass")
                del partitioned[name]
        roll = rng.random()
        if dump is None and progress >= 0.25:
            dump = pg_dump(db, h.dir / "central.dump")
            print(f"soak: {progress:.0%} central dumped")
        elif dump is not None and not restored_central and progress >= 0.55:
            # What only central held since the dump is lost in a restore by definition; here
            # every edit reached an agent first, so the restore must lose nothing.
            for name in list(partitioned):
                h.proxies[name].set_mode("pass")
                del partitioned[name]
            h.wait_converged(c1, agents, timeout=180)
            for c in centrals:
                c.stop()
            pg_restore(h.pg.url, db, dump)
            for c in centrals:
                c.start()
                c.wait_ready()
            restored_central = True
            print(f"soak: {progress:.0%} central restored from the dump")
        elif agent_backup is None and progress >= 0.35:
            c = by_name["c"]
            agent_backup = h.dir / "c-backup.db"
            out = subprocess.run([str(AGENT_BIN), "db", "backup", str(agent_backup), "--data-dir", str(c.data_dir), "--node-name", "c"],
                                 capture_output=True, text=True, timeout=120, env=clean_env())
            assert out.returncode == 0, out.stdout + out.stderr
            print(f"soak: {progress:.0%} agent c backed up")
        elif agent_backup is not None and not restored_agent and progress >= 0.7:
            c = by_name["c"]
            h.proxies["c"].set_mode("pass")
            partitioned.pop("c", None)
            # The household restores the card once what was on it reached central.
            h.wait_until(lambda: c.change_log_count() == 0, 120, "c delivered its edits before its restore", detail=c.status)
            assert c.stop() == 0
            for suffix in ("", "-wal", "-shm"):
                (c.data_dir / f"agent.db{suffix}").unlink(missing_ok=True)
            shutil.copyfile(agent_backup, c.data_dir / "agent.db")
            c.start()
            restored_agent = True
            print(f"soak: {progress:.0%} agent c restored from its backup")
        elif roll < 0.08 and len(partitioned) < 2:
            name = rng.choice([a.name for a in agents if a.name not in partitioned])
            mode, arg = rng.choice(PARTITIONS)
            h.proxies[name].set_mode(mode, arg)
            partitioned[name] = time.monotonic() + rng.uniform(5, 25)
            counts["partitions"] += 1
        elif roll < 0.12:
            restart_with_clock_step(rng.choice(agents))
        elif roll < 0.2:
            edit_on_central(rng.choice(centrals))
        else:
            edit_on_agent(rng.choice(agents))
        time.sleep(rng.uniform(0.2, 1.0))

    # Heal, converge, flush.
    for name in list(partitioned):
        h.proxies[name].set_mode("pass")
    heal_started = time.monotonic()
    records = h.wait_converged(c1, agents, timeout=180)
    assert c2.records() == records, "the two centrals differ"
    converged_in = time.monotonic() - heal_started

    # Every acknowledged edit is there, or its field carries a newer stamp.
    lost = []
    for where, task, value, stamp in edits:
        record = records.get(task)
        if record is None:
            lost.append((where, task, value, "task missing"))
        elif stamp is not None and (record["notes_v"] < stamp or (record["notes_v"] == stamp and record["notes"] != value)):
            lost.append((where, task, value, f"notes {record['notes']!r} at {record['notes_v']}, edit at {stamp}"))
    assert not lost, f"{len(lost)} acknowledged edits lost, e.g. {lost[:3]}"
    assert restored_central and restored_agent

    # Every reading at central exactly once; none stamped after it was sent.
    samples = {}
    for agent in agents:
        assert agent.stop() == 0
        flush = agent.sync_once()
        assert flush.returncode == 0, flush.stdout + flush.stderr
        local, at_central = agent.samples(), c1.samples(agent.name)
        missing = local.keys() - at_central.keys()
        assert not missing, f"{len(missing)} samples of {agent.name} are not at central, e.g. {sorted(missing)[:3]}"
        assert all(local[k] == at_central[k] for k in local), f"{agent.name}: samples differ from central's"
        if agent.name != "c":  # c's restore dropped the readings it took after its backup; central keeps them
            assert at_central.keys() == local.keys(), f"central holds samples {agent.name} never recorded"
        samples[agent.name] = (len(local), len(at_central))
    h.assert_no_duplicate_samples(c1)
    sent_by = now_ms()  # every agent has stopped and flushed: nothing was sent after this
    newest = int(c1.sql("SELECT coalesce(max(ts), 0) FROM sample"))
    assert newest <= sent_by, f"a reading is stamped {newest - sent_by} ms after the end of the run"
    resyncs = {a.name: a.query("SELECT value FROM store_state WHERE key = 'resyncs'") for a in agents}

    print(f"soak: {len(records)} tasks identical on 2 centrals and 3 agents, converged {converged_in:.1f} s after healing")
    print(f"soak: acknowledged edits {len(edits)} (all present); {counts}")
    print(f"soak: samples per agent (held locally, at central): {samples}; none twice; newest {sent_by - newest} ms before the end")
    print(f"soak: full resyncs per agent {resyncs}")
    restamped = {a.name: a.query("SELECT value FROM store_state WHERE key = 'changes_restamped'") for a in agents}
    print(f"soak: edits stamped again after a clock ran ahead, per agent {restamped}")
    ahead = [r for r in records.values() if any(int(str(v).split("-")[0], 16) > sent_by + 600_000
                                                 for k, v in r.items() if k.endswith("_v") and v)]
    assert not ahead, f"records still carry stamps from a clock an hour ahead: {ahead[:2]}"
