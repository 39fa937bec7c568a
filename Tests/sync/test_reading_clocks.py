"""Readings taken while the wall clock was wrong get their true time before they are sent
(the sync issue's item 5 and its clock section), with the real agent, central and PostgreSQL.

A Pi's clock can run far ahead (a saved time from a bad clock, a wrong NTP server) and then
step back. The agent keeps each reading's boot and CLOCK_BOOTTIME, holds back readings that
central's clock shows are in the future, and moves them to their true times once the clock is
right. faketime moves only the wall clock here (FAKETIME_DONT_FAKE_MONOTONIC=1): a real
clock step never moves CLOCK_BOOTTIME either."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
from pathlib import Path

from conftest import AGENT_BIN, clean_env, now_ms

YEAR_MS = 365 * 86_400_000
AHEAD = ["env", "FAKETIME_DONT_FAKE_MONOTONIC=1", "faketime", "-f", "+365d"]


def kill_under_faketime(agent):
    """SIGKILL to the agent the faketime wrapper forked: under faketime the agent's timers
    never fire, so neither would its graceful shutdown. What it stored is committed."""
    pid = agent.proc.pid
    for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
        os.kill(int(child), signal.SIGKILL)
    agent.expected_alive = False
    agent.proc.wait(30)


def test_readings_taken_a_year_ahead_move_to_their_true_times_and_drag_nothing(h):
    db = h.pg.create_database("reading_clocks")
    central = h.central(db)
    central.wait_ready()
    a = h.agent("a", central)
    h.wait_until(lambda: a.status()["sync"]["pending"]["samples"] == 0 and a.delivered_through() is not None,
             60, "a delivers its first readings", detail=a.status)
    assert a.stop() == 0
    started = now_ms()
    # The agent a year ahead rolls these up as older than its raw retention; central keeps them.
    first = a.samples()

    # Runs with the clock a year ahead (the kernel still says synchronised). Under faketime
    # the agent's timers do not fire (libfaketime shifts dispatch's absolute timerfd deadlines
    # by the fake offset), so each run takes its first reading and its first sync cycle only:
    # five starts, five readings a year ahead, all in this boot, each ended by SIGKILL.
    for n in range(1, 6):
        a.start(wrap=AHEAD)
        h.wait_until(lambda: a.query("SELECT count(*) FROM metric_reading WHERE ts > ?", (started + YEAR_MS // 2,))[0][0] >= n,
                     30, f"reading {n} a year ahead is stored", detail=a.status)
        kill_under_faketime(a)
    with sqlite3.connect(a.db_path) as db:  # not read-only: the killed agent's WAL is read too
        ahead = [ts for (ts,) in db.execute("SELECT ts FROM metric_reading WHERE ts > ?", (started + YEAR_MS // 2,))]
    assert len(ahead) == 5
    out = subprocess.run([*AHEAD, str(AGENT_BIN), "sync", "--once", "--data-dir", str(a.data_dir), "--node-name", a.name,
                          "--central-url", a.central_url, "--central-token-file", str(a.token_file)],
                         capture_output=True, text=True, timeout=60, env=clean_env())
    assert out.returncode == 0, f"{out.stdout}{out.stderr}"
    status = subprocess.run([*AHEAD, str(AGENT_BIN), "status", "--data-dir", str(a.data_dir), "--node-name", a.name],
                            capture_output=True, text=True, timeout=60, env=clean_env())
    assert "5 readings waiting for a clock" in status.stdout, status.stdout + status.stderr
    latest_at_central = int(central.sql("SELECT COALESCE(max(ts), 0) FROM sample"))
    assert latest_at_central <= now_ms(), "a reading stamped a year ahead reached central"

    # The clock is right again: the same boot, so CLOCK_BOOTTIME places every reading.
    a.start()
    h.wait_until(lambda: a.status()["sync"]["readings_waiting_for_clock"] == 0
             and a.query("SELECT count(*) FROM metric_reading WHERE ts > ?", (now_ms() + 60_000,))[0][0] == 0,
             60, "the readings taken a year ahead are moved to their true times", detail=a.status)
    # A few more readings at the true time after the move.
    moved_at = now_ms()
    h.wait_until(lambda: a.query("SELECT count(*) FROM metric_reading WHERE ts > ?", (moved_at,))[0][0] >= 3,
             60, "readings go on at the true time", detail=a.status)
    metrics = a.metrics()
    assert metrics["edge_readings_retimed_total"] >= len(ahead), metrics.get("edge_readings_retimed_total")
    assert a.status()["sync"]["readings_retimed"] >= len(ahead)
    assert a.stop() == 0
    flush = a.sync_once()
    assert flush.returncode == 0, f"{flush.stdout}{flush.stderr}"

    finished = now_ms()
    readings = a.query("SELECT ts, clock_synced FROM metric_reading ORDER BY ts")
    assert all(ts <= finished for ts, _ in readings), "a reading is still stored in the future"
    corrected = [ts for ts, clock in readings if clock == 2]
    assert len(corrected) >= len(ahead), (len(corrected), len(ahead))
    assert all(started - 5_000 <= ts <= finished for ts in corrected), "a moved reading is not at the time it was taken"
    gaps = [b - a_ for (a_, _), (b, _) in zip(readings, readings[1:])]
    assert not any(g1 == g2 == 1 for g1, g2 in zip(gaps, gaps[1:])), "readings stored 1 ms apart (dragged by a clock)"
    assert not any(clock == 0 for _, clock in readings), "a reading was left untrusted"

    # Central holds exactly the agent's samples, each once, none stamped after it was sent.
    at_central = central.samples(a.name)
    local = {**first, **a.samples()}
    assert local.keys() == at_central.keys(), (sorted(local.keys() - at_central.keys())[:3], sorted(at_central.keys() - local.keys())[:3])
    assert local == at_central
    h.assert_no_duplicate_samples(central)
    assert int(central.sql("SELECT max(ts) FROM sample")) <= finished
    assert int(central.sql("SELECT count(*) FROM sample WHERE clock = 2")) > 0
