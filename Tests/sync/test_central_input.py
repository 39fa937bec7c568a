"""edge-central's sync endpoints against bad input, through real HTTP to a real edge-central
on a real PostgreSQL: every refused batch gets a clear 4xx and writes nothing (a batch is all
or nothing), a replayed batch gets 200 and adds no row."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import time
import urllib.error
import urllib.request
import uuid

from conftest import CENTRAL_BIN, HTTPResult, clean_env, write_secret

STAMP_NODE_WIDTH = 12


def stamp(physical_ms: int, node: str, counter: int = 0) -> str:
    return f"{physical_ms:0{STAMP_NODE_WIDTH}x}-{counter:04x}-{node}"


def rfc3339(ms: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ms / 1000)) + f".{ms % 1000:03d}Z"


def change(node: str, title: str, physical_ms: int | None = None, task_id: str | None = None) -> dict:
    ms = physical_ms if physical_ms is not None else int(time.time() * 1000)
    return {"change_id": str(uuid.uuid4()), "task_id": task_id or str(uuid.uuid4()), "stamp": stamp(ms, node),
            "created_at": rfc3339(ms), "origin": node, "set": {"title": title, "notes": ""}}


def post(central, path: str, data: bytes, token: str | None, encoding: str | None = None,
         content_type: str = "application/json") -> HTTPResult:
    headers = {"Content-Type": content_type, "Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if encoding:
        headers["Content-Encoding"] = encoding
    request = urllib.request.Request(central.url(path), data=data, method="POST", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return HTTPResult(response.status, response.headers, response.read())
    except urllib.error.HTTPError as e:
        return HTTPResult(e.code, e.headers, e.read())


def as_json(value) -> bytes:
    return json.dumps(value).encode()


def rows(central) -> str:
    return central.sql("SELECT (SELECT count(*) FROM task) || ' ' || (SELECT count(*) FROM applied_change) || ' ' || "
                       "(SELECT count(*) FROM change_feed) || ' ' || (SELECT count(*) FROM sample)")


def test_bad_batches_get_a_clear_4xx_and_write_nothing(h):
    db = h.pg.create_database("input")
    central = h.central(db)
    central.wait_ready()
    token = h.add_node(db, "a").read_text().strip()
    other = h.add_node(db, "b").read_text().strip()
    before = rows(central)
    assert before == "0 0 0 0"

    def refused(status: int, code: str, path: str, data: bytes, tok: str | None = token, **kw):
        r = post(central, path, data, tok, **kw)
        assert r.status == status, f"{path} {data[:120]!r}: expected {status}, got {r}"
        assert r.json["error"]["code"] == code and r.json["error"]["message"], r
        assert rows(central) == before, f"{path} answered {status} but wrote rows"
        return r

    good = change("a", "fine")
    # Who may write.
    refused(401, "unauthorized", "/v1/sync/changes", as_json({"node": "a", "mode": "log", "changes": [good]}), tok=None)
    refused(401, "unauthorized", "/v1/sync/changes", as_json({"node": "a", "mode": "log", "changes": [good]}),
            tok="edge1_" + "A" * 43)
    refused(403, "wrong_node", "/v1/sync/changes", as_json({"node": "a", "mode": "log", "changes": [good]}), tok=other)
    # What is sent.
    refused(400, "malformed_json", "/v1/sync/changes", b'{"node": "a", "changes": [')
    refused(400, "malformed_batch", "/v1/sync/changes", as_json({"node": "a", "mode": "log", "changes": [{"title": 1}]}))
    refused(415, "unsupported_media_type", "/v1/sync/changes", as_json({"node": "a", "changes": [good]}),
            content_type="text/plain")
    refused(415, "unsupported_encoding", "/v1/sync/changes", as_json({"node": "a", "changes": [good]}), encoding="br")
    refused(400, "malformed_json", "/v1/sync/changes", b"not gzip at all", encoding="gzip")
    # A node's own log carrying another node's stamp is a forgery: the whole batch is refused,
    # naming the change, and nothing of it is kept.
    forged = change("b", "written as b")
    r = refused(403, "forged_change", "/v1/sync/changes",
                as_json({"node": "a", "mode": "log", "changes": [good, change("a", "also fine"), forged]}))
    assert forged["change_id"] in r.json["error"]["message"]
    refused(403, "forged_change", "/v1/sync/changes", as_json({"node": "a", "mode": "log", "changes": [change("central", "x")]}))
    # Nor through its own resync window: a change stamped `central` is taken back from a
    # snapshot only with central's proof that it issued it; refused alone, nothing written.
    opened = post(central, "/v1/sync/resync", as_json({"node": "a"}), token)
    assert opened.status == 200, opened
    as_central = change("central", "written by a as central")
    for proofs in (None, {as_central["change_id"]: "0" * 64}, {as_central["change_id"]: "not hex"}):
        body = {"node": "a", "mode": "snapshot", "changes": [as_central, change("b", "b's, relayed")]}
        r = post(central, "/v1/sync/changes", as_json({**body, **({"proofs": proofs} if proofs else {})}), token)
        assert r.status == 200 and [x["outcome"] for x in r.json["results"]] == ["refused", "refused"], r
        assert as_central["change_id"] in r.json["results"][0]["reason"], r
        assert rows(central) == before, "a refused relay wrote rows"
    # Sizes: too many changes, a body over the wire limit, a gzip bomb.
    many = [change("a", f"t{i}") for i in range(1001)]
    refused(413, "body_too_large", "/v1/sync/changes", as_json({"node": "a", "mode": "log", "changes": many}))
    refused(413, "body_too_large", "/v1/sync/changes", b" " * ((2 << 20) + 1024) + as_json({"node": "a", "changes": []}))
    bomb = gzip.compress(b'{"node": "a", "mode": "log", "changes": []' + b" " * (64 << 20) + b"}", 9)
    assert len(bomb) < 200_000
    refused(413, "body_too_large", "/v1/sync/changes", bomb, encoding="gzip")

    # Samples: structure, sizes, and the node.
    series = [{"name": "node_load1", "labels": {}}, {"name": "node_load5", "labels": {}}]
    now = int(time.time() * 1000)
    reading = {"ts": now, "clock": "synced", "layout": 0, "values": [0.5, 0.25]}
    batch = {"node": "a", "after": None, "series": series, "layouts": [[0, 1]], "readings": [reading]}
    refused(400, "malformed_batch", "/v1/sync/samples", as_json({**batch, "layouts": [[0, 5]]}))
    refused(400, "malformed_batch", "/v1/sync/samples",
            as_json({**batch, "readings": [reading, {**reading, "values": [1.0]}]}))
    refused(400, "malformed_batch", "/v1/sync/samples", as_json({**batch, "readings": [reading, reading]}))
    refused(403, "wrong_node", "/v1/sync/samples", as_json(batch), tok=other)
    big = {**batch, "readings": [{**reading, "ts": now + i} for i in range(25_001)]}
    refused(413, "body_too_large", "/v1/sync/samples", gzip.compress(as_json(big)), encoding="gzip")

    # The same good batches accepted, then replayed: 200 both times, no row added the second time.
    push = as_json({"node": "a", "mode": "log", "changes": [good]})
    first = post(central, "/v1/sync/changes", push, token)
    assert first.status == 200 and [(x["change_id"], x["outcome"]) for x in first.json["results"]] == [(good["change_id"], "applied")]
    assert first.json["results"][0]["position"].startswith("1-"), first  # its place in the feed, for the node's check
    samples = gzip.compress(as_json(batch))
    stored = post(central, "/v1/sync/samples", samples, token, encoding="gzip")
    assert stored.status == 200 and stored.json["inserted"] == 2 and stored.json["stored_through"] == now, stored
    after = rows(central)
    assert after == "1 1 1 2", after
    again = post(central, "/v1/sync/changes", push, token)
    assert again.status == 200 and again.json["results"] == [{"change_id": good["change_id"], "outcome": "already_known"}]
    replay = post(central, "/v1/sync/samples", samples, token, encoding="gzip")
    assert replay.status == 200 and replay.json["inserted"] == 0 and replay.json["duplicates"] == 2, replay
    assert rows(central) == after
    # An agent claiming more than central holds: central was restored from a backup.
    ahead_of_central = {**batch, "after": now + 60_000, "readings": [{**reading, "ts": now + 120_000}]}
    r = post(central, "/v1/sync/samples", as_json(ahead_of_central), token)
    assert r.status == 409 and r.json["error"]["code"] == "central_rewound", r
    assert rows(central) == after
    # Bad input never took central down.
    assert central.readiness() == 200 and central.alive()


def test_the_database_url_can_come_from_a_file(h):
    """Kubernetes mounts the database Secret as a file: --database-url-file (or
    EDGE_CENTRAL_DATABASE_URL_FILE) reads the URL from it; a bad file stops with exit 2 and
    one line naming the option."""
    db = h.pg.create_database("urlfile")
    url_file = h.dir / "database-url"
    write_secret(url_file, db)

    def central(*args, env_file: str | None = None):
        env = clean_env()
        if env_file is not None:
            env["EDGE_CENTRAL_DATABASE_URL_FILE"] = env_file
        return subprocess.run([str(CENTRAL_BIN), *args], capture_output=True, text=True, timeout=60, env=env)

    r = central("migrate", "--database-url-file", str(url_file))
    assert r.returncode == 0 and "applied" in r.stdout, (r.returncode, r.stdout, r.stderr)
    r = central("nodes", "add", "from-file", env_file=str(url_file))
    assert r.returncode == 0 and r.stdout.strip().startswith("edge1_"), (r.returncode, r.stderr)
    assert "from-file" in central("nodes", "list", env_file=str(url_file)).stdout

    missing = central("nodes", "list", "--database-url-file", str(h.dir / "nope"))
    assert missing.returncode == 2 and "--database-url-file" in missing.stderr and "nope" in missing.stderr, missing
    empty = h.dir / "empty"
    empty.write_text("\n")
    os.chmod(empty, 0o600)
    r = central("nodes", "list", "--database-url-file", str(empty))
    assert r.returncode == 2 and "is empty" in r.stderr, r
    garbage = h.dir / "garbage"
    write_secret(garbage, "mysql://nope")
    r = central("nodes", "list", "--database-url-file", str(garbage))
    assert r.returncode == 2 and "--database-url-file" in r.stderr, r
    r = central("nodes", "list")
    assert r.returncode == 2 and "--database-url-file" in r.stderr, r


def test_one_bad_change_is_rejected_alone_and_the_rest_are_merged(h):
    db = h.pg.create_database("per_change")
    central = h.central(db)
    central.wait_ready()
    token = h.add_node(db, "a").read_text().strip()
    good, also = change("a", "fine"), change("a", "also fine")
    blank, nul = change("a", "   "), change("a", "nul\u0000inside")
    r = post(central, "/v1/sync/changes", as_json({"node": "a", "mode": "log", "changes": [good, blank, also, nul]}), token)
    assert r.status == 200, r
    outcomes = {x["change_id"]: x for x in r.json["results"]}
    assert outcomes[good["change_id"]]["outcome"] == "applied"
    assert outcomes[also["change_id"]]["outcome"] == "applied"
    for bad in (blank, nul):
        assert outcomes[bad["change_id"]]["outcome"] == "rejected", outcomes
        assert "title" in outcomes[bad["change_id"]]["reason"]
    assert central.sql("SELECT count(*) FROM task") == "2"
    assert central.sql(f"SELECT count(*) FROM applied_change WHERE change_id IN ('{blank['change_id']}', '{nul['change_id']}')") == "0"


def test_a_stamp_from_the_future_is_refused_alone(h):
    db = h.pg.create_database("future")
    central = h.central(db)
    central.wait_ready()
    token = h.add_node(db, "a").read_text().strip()
    good = change("a", "fine")
    ahead = change("a", "from the future", physical_ms=int(time.time() * 1000) + 86_400_000)
    r = post(central, "/v1/sync/changes", as_json({"node": "a", "mode": "log", "changes": [ahead, good]}), token)
    assert r.status == 200, r
    assert [x["outcome"] for x in r.json["results"]] == ["stamp_in_future", "applied"]
    assert "ahead" in r.json["results"][0]["reason"]
    assert central.sql(f"SELECT count(*) FROM applied_change WHERE change_id = '{ahead['change_id']}'") == "0"


def test_pushes_and_pulls_under_serializable_isolation_never_fail(h):
    """A database whose default isolation is serializable (or repeatable read) makes concurrent
    transactions fail with serialization errors; central retries them and answers 200."""
    import threading

    db = h.pg.create_database("serializable")
    name = db.rsplit("/", 1)[1]
    from conftest import psql
    psql(h.pg.url, f"ALTER DATABASE {name} SET default_transaction_isolation = 'serializable'")
    central = h.central(db)
    central.wait_ready()
    tokens = {n: h.add_node(db, n).read_text().strip() for n in ("a", "b", "c")}
    shared = [str(uuid.uuid4()) for _ in range(5)]
    statuses: list[int] = []
    lock = threading.Lock()

    def pusher(node: str):
        for i in range(15):
            changes = [change(node, f"{node} {i} {k}", task_id=shared[(i + k) % len(shared)]) for k in range(3)]
            r = post(central, "/v1/sync/changes", as_json({"node": node, "mode": "log", "changes": changes}), tokens[node])
            pulled = central.api("GET", "/v1/sync/changes?limit=50", token=tokens[node])
            with lock:
                statuses.extend([r.status, pulled.status])

    threads = [threading.Thread(target=pusher, args=(n,)) for n in tokens]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert statuses and all(s == 200 for s in statuses), sorted(set(statuses))
    assert central.sql("SELECT count(*) FROM applied_change") == str(3 * 15 * 3)
