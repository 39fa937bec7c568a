"""Central's sample retention against the real binaries and a real PostgreSQL: a retention run
cut by SIGKILL (during a rollup, or between a rollup and its partition's drop) or by
PostgreSQL restarting resumes at the next run with nothing lost or doubled; a replica that
finds the retention lock held skips and counts it; an agent whose backlog is older than the
retention has it acknowledged as expired and marks it delivered.

Every cut is placed deterministically: the test holds a lock the run's next statement needs
(in a psql session of its own), waits until PostgreSQL shows that statement waiting, then
kills; nothing sleeps and hopes.
"""

from __future__ import annotations

import subprocess

from conftest import (BENCH_BIN, PG_BIN, Agent, clean_env, http, now_ms, parse_metrics, psql)

DAY = 86_400_000
RETENTION_LOCK_KEY = 7310593858008514679  # CentralStore.retentionLockKey
SERIES = 25
OLD_DAYS = (5, 4, 3, 2)  # days back filled; with --sample-retention 2d the first three go


def day_start(ms: int) -> int:
    return ms // DAY * DAY


def partition(start: int) -> str:
    return "sample_" + psql_date(start)


def psql_date(start: int) -> str:
    import datetime
    return datetime.datetime.fromtimestamp(start / 1000, datetime.timezone.utc).strftime("%Y%m%d")


class HeldSession:
    """A psql session that runs `statements` and keeps its transaction (and locks) open until
    `release()`."""

    def __init__(self, url: str, *statements: str):
        self.proc = subprocess.Popen([str(PG_BIN / "psql"), url, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1"],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     text=True, env=clean_env())
        self.proc.stdin.write("\n".join(statements) + "\n\\echo held\n")
        self.proc.stdin.flush()
        said = []
        while True:
            line = self.proc.stdout.readline()
            assert line, f"psql ended before taking the locks: {said}"
            if line.strip() == "held":
                break
            said.append(line.strip())

    def release(self):
        try:
            self.proc.stdin.write("ROLLBACK;\n\\q\n")
            self.proc.stdin.close()
        except (BrokenPipeError, OSError):
            pass  # the server went away (a restart): the locks went with it
        self.proc.wait(30)


def central_metrics(central) -> dict[str, float]:
    r = http("GET", central.url("/metrics"))
    assert r.status == 200, r
    return parse_metrics(r.body.decode())


def retention_runs(central, outcome: str) -> float:
    return central_metrics(central)[f'edge_central_retention_runs_total{{outcome="{outcome}"}}']


def fill_old_days(h, db: str) -> dict:
    """Days 5 to 2 back of one node (25 series every 15 s), through a central that keeps
    14 days: one batch per day over HTTP creates the day's partition, SQL fills the rest.
    Returns what the rollups of days 5 to 3 must be, computed from the raw rows."""
    central = h.central(db, name="filler")
    token = h.add_node(db, "pi-old").read_text().strip()
    central.token = token
    series = [{"name": "retention_metric", "labels": {"n": str(i)}} for i in range(SERIES)]
    for back in OLD_DAYS:
        start = day_start(now_ms()) - back * DAY
        batch = {"node": "pi-old", "series": series, "layouts": [list(range(SERIES))],
                 "readings": [{"ts": start, "clock": "synced", "layout": 0, "values": [0.5] * SERIES}]}
        r = central.api("POST", "/v1/sync/samples", batch, token=token)
        assert r.status == 200 and r.json["inserted"] == SERIES, r
    assert central.stop() == 0
    today = day_start(now_ms())
    for back in OLD_DAYS:
        start = today - back * DAY
        psql(db, f"""
            INSERT INTO sample (node_id, series_id, ts, value, clock)
            SELECT n.id, s.id, ts, round((random() * 1000)::numeric, 2)::float8, 1
            FROM node n, series s, generate_series({start}::int8, {start + DAY - 1}::int8, 15000) ts
            WHERE n.name = 'pi-old' AND s.name = 'retention_metric' ON CONFLICT DO NOTHING""")
    cutoff = today - 2 * DAY
    return {
        "cutoff": cutoff,
        "gone": [partition(today - back * DAY) for back in OLD_DAYS if back > 2],
        "kept_rows": psql(db, f"SELECT count(*) FROM sample WHERE ts >= {cutoff}"),
        "raw_rows": int(psql(db, f"SELECT count(*) FROM sample WHERE ts < {cutoff}")),
        "minutes": psql(db, f"""
            SELECT md5(string_agg(x, ';' ORDER BY x)) FROM (
                SELECT format('%s/%s/%s %s %s %s %s', node_id, series_id, ts - ts % 60000, round(avg(value)::numeric, 6),
                              min(value), max(value), count(*)) AS x
                FROM sample WHERE ts < {cutoff} GROUP BY node_id, series_id, ts - ts % 60000) q"""),
        "hours": psql(db, f"""
            SELECT md5(string_agg(x, ';' ORDER BY x)) FROM (
                SELECT format('%s/%s/%s %s %s %s %s', node_id, series_id, ts - ts % 3600000, round(avg(value)::numeric, 6),
                              min(value), max(value), count(*)) AS x
                FROM sample WHERE ts < {cutoff} GROUP BY node_id, series_id, ts - ts % 3600000) q"""),
    }


def rolled_up(db: str) -> dict:
    return {
        "minutes": psql(db, """
            SELECT md5(string_agg(x, ';' ORDER BY x)) FROM (
                SELECT format('%s/%s/%s %s %s %s %s', node_id, series_id, ts, round(avg::numeric, 6), min, max, count) AS x
                FROM sample_minute) q"""),
        "hours": psql(db, """
            SELECT md5(string_agg(x, ';' ORDER BY x)) FROM (
                SELECT format('%s/%s/%s %s %s %s %s', node_id, series_id, ts, round(avg::numeric, 6), min, max, count) AS x
                FROM sample_hour) q"""),
    }


def raw_partitions(db: str) -> set[str]:
    return set(psql(db, "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                        "WHERE i.inhparent = 'sample'::regclass").split())


def waiting(db: str, fragment: str) -> bool:
    """Whether a backend runs a statement containing `fragment` and waits for a lock."""
    return psql(db, f"SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                    f"AND position({quote(fragment)} in query) > 0") != "0"


def quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def retention_central(h, db: str, name: str):
    return h.central(db, name=name, extra=["--sample-retention", "2d", "--retention-interval", "1s"])


def assert_resumed(h, db: str, expected: dict, central):
    """The resumed run finished: the old days' partitions are gone, their rollups are exactly
    what the raw rows gave (so none is missing or doubled), the newer raw rows untouched."""
    h.wait_until(lambda: not (raw_partitions(db) & set(expected["gone"])), 60,
                 "the days older than the retention are dropped", detail=lambda: sorted(raw_partitions(db)))
    assert rolled_up(db) == {"minutes": expected["minutes"], "hours": expected["hours"]}
    assert int(psql(db, "SELECT sum(count) FROM sample_hour")) == expected["raw_rows"]
    assert int(psql(db, "SELECT sum(raw_rows) FROM sample_day WHERE dropped_at IS NOT NULL")) == expected["raw_rows"]
    assert psql(db, f"SELECT count(*) FROM sample WHERE ts >= {expected['cutoff']}") == expected["kept_rows"]
    assert psql(db, f"SELECT count(*) FROM sample WHERE ts < {expected['cutoff']}") == "0"
    h.wait_until(lambda: retention_runs(central, "done") >= 1, 30, "the resumed run is counted done")


def test_sigkill_during_a_rollup_resumes_with_nothing_lost_or_doubled(h):
    db = h.pg.create_database("rkill")
    expected = fill_old_days(h, db)
    # The rollup's statement needs sample_hour; hold it so the run stops inside its transaction.
    held = HeldSession(db, "BEGIN;", "LOCK TABLE sample_hour IN SHARE MODE;")
    try:
        first = retention_central(h, db, "central-1")
        h.wait_until(lambda: waiting(db, "INSERT INTO sample_hour"), 60, "central's rollup waits inside its transaction")
        first.kill()
    finally:
        held.release()
    # Nothing of the killed run committed.
    assert psql(db, "SELECT count(*) FROM sample_day WHERE rolled_up_at IS NOT NULL") == "0"
    assert psql(db, "SELECT count(*) FROM sample_minute") == "0"
    assert raw_partitions(db) >= set(expected["gone"])
    second = retention_central(h, db, "central-2")
    assert_resumed(h, db, expected, second)
    metrics = central_metrics(second)
    assert metrics["edge_central_retention_rows_rolled_up_total"] == expected["raw_rows"]
    assert metrics["edge_central_retention_rows_dropped_total"] == expected["raw_rows"]
    assert metrics['edge_central_retention_partitions_dropped_total{kind="raw"}'] == len(expected["gone"])


def test_sigkill_between_a_rollup_and_its_drop_resumes_without_rolling_up_twice(h):
    db = h.pg.create_database("rdrop")
    expected = fill_old_days(h, db)
    oldest = expected["gone"][0]
    # A reader of the oldest partition: its rollup commits, its DROP waits.
    held = HeldSession(db, "BEGIN;", f"SELECT count(*) FROM {oldest};")
    try:
        first = retention_central(h, db, "central-1")
        h.wait_until(lambda: waiting(db, f"LOCK TABLE {oldest}"), 60, f"central waits to lock {oldest} for its drop")
        first.kill()
    finally:
        held.release()
    day = int(psql(db, f"SELECT day FROM sample_day WHERE rolled_up_at IS NOT NULL AND dropped_at IS NULL"))
    assert partition(day * DAY) == oldest
    assert oldest in raw_partitions(db)
    rows = int(psql(db, f"SELECT count(*) FROM {oldest}"))
    assert int(psql(db, f"SELECT sum(count) FROM sample_minute WHERE ts >= {day * DAY} AND ts < {(day + 1) * DAY}")) == rows
    second = retention_central(h, db, "central-2")
    assert_resumed(h, db, expected, second)
    # The second central dropped the first day without rolling it up again.
    metrics = central_metrics(second)
    assert metrics["edge_central_retention_rows_rolled_up_total"] == expected["raw_rows"] - rows
    assert metrics["edge_central_retention_rows_dropped_total"] == expected["raw_rows"]


def test_postgres_restart_during_a_rollup_resumes_with_nothing_lost_or_doubled(h):
    cluster = h.cluster()
    db = cluster.create_database("rpg")
    expected = fill_old_days(h, db)
    held = HeldSession(db, "BEGIN;", "LOCK TABLE sample_hour IN SHARE MODE;")
    try:
        central = retention_central(h, db, "central")
        h.wait_until(lambda: waiting(db, "INSERT INTO sample_hour"), 60, "central's rollup waits inside its transaction")
        cluster.restart()
    finally:
        held.release()
    # The same central carries on by itself once PostgreSQL is back.
    assert_resumed(h, db, expected, central)
    assert retention_runs(central, "failed") >= 1
    assert central.alive()


def test_a_replica_that_finds_the_retention_lock_held_skips_and_counts_it(h):
    db = h.pg.create_database("rlock")
    held = HeldSession(db, f"SELECT pg_advisory_lock({RETENTION_LOCK_KEY});")
    try:
        a = h.central(db, name="central-a", extra=["--retention-interval", "1s"])
        b = h.central(db, name="central-b", extra=["--retention-interval", "1s"])
        h.wait_until(lambda: retention_runs(a, "skipped") >= 2 and retention_runs(b, "skipped") >= 2, 30,
                     "both replicas skip while the lock is held")
        assert retention_runs(a, "done") == 0 and retention_runs(b, "done") == 0
        assert raw_partitions(db) == set(), "a skipped run creates nothing"
    finally:
        held.release()
    h.wait_until(lambda: retention_runs(a, "done") + retention_runs(b, "done") >= 1, 30, "a replica runs retention")
    today = day_start(now_ms())
    assert {partition(today), partition(today + DAY)} <= raw_partitions(db)
    metrics = central_metrics(a)
    assert 'edge_central_sample_partitions{kind="raw"}' in metrics
    assert metrics["edge_central_retention_run_duration_seconds_count"] == retention_runs(a, "done") + retention_runs(a, "failed")


def test_a_backlog_older_than_the_retention_is_acknowledged_as_expired(h):
    """An agent back after days away: central (keeping 1 day) acknowledges the readings older
    than its retention as expired and stores the rest; the agent marks all delivered."""
    db = h.pg.create_database("rexpired")
    central = h.central(db, extra=["--sample-retention", "1d", "--retention-interval", "1s"])
    token = h.add_node(db, "pi-back")
    central.token = token.read_text().strip()
    proxy = h.proxy("pi-back", central.port)
    agent = Agent(h, "pi-back", f"http://127.0.0.1:{proxy.port}", token)
    # Three days of readings every 10 minutes, 20 series, with their real timestamps.
    fill = subprocess.run([str(BENCH_BIN), "fill-db", "--data-dir", str(agent.data_dir), "--readings", "432",
                           "--interval", "600000", "--series", "20", "--tasks", "0", "--node-name", "pi-back"],
                          capture_output=True, text=True, timeout=300, env=clean_env())
    assert fill.returncode == 0, fill.stderr
    backlog = agent.query("SELECT ts FROM metric_reading ORDER BY ts")
    last = backlog[-1][0]
    keep = day_start(now_ms()) - DAY
    expired = sum(1 for (ts,) in backlog if ts < keep) * 20
    assert 0 < expired < len(backlog) * 20
    agent.start()
    h.wait_until(lambda: (agent.delivered_through() or 0) >= last, 120, "the agent has delivered its whole backlog",
                 detail=lambda: agent.status()["sync"])
    metrics = central_metrics(central)
    assert metrics['edge_central_samples_received_total{outcome="expired"}'] == expired
    assert psql(db, f"SELECT count(*) FROM sample WHERE ts < {keep}") == "0"
    stored = int(psql(db, f"SELECT count(*) FROM sample p JOIN series s ON s.id = p.series_id "
                          f"WHERE s.name = 'bench_metric' AND p.ts <= {last}"))
    assert stored == len(backlog) * 20 - expired
    assert agent.status()["sync"]["state"] == "ok"
    assert agent.errors("rejected") == 0
