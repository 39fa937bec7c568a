"""Joining once: `edge-central join-tokens create` prints a join token; an agent given
`--join-token-file` and no node credential enrolls (POST /v1/enroll), stores its own
credential in its data directory (central-credential, mode 0600) and uses it from then on.
A join token enrolls only names not enrolled yet, or reset with `nodes rotate`; it never
acts as a node. Real agents, central and PostgreSQL."""

from __future__ import annotations

import hashlib
import os
import stat
import time

from conftest import AGENT_BIN, HOST_ROOT, Agent, http, write_secret

CREDENTIAL = "central-credential"


class JoiningAgent(Agent):
    """An agent with a join token and no --central-token-file (the DaemonSet's way)."""

    def __init__(self, h, name: str, central_url: str, join_file):
        super().__init__(h, name, central_url, token_file=None)
        self.join_file = join_file

    @property
    def credential(self):
        return self.data_dir / CREDENTIAL

    def start(self) -> "JoiningAgent":
        self._spawn([str(AGENT_BIN), "run", "--data-dir", str(self.data_dir), "--node-name", self.name,
                     "--listen", "127.0.0.1:0", "--host-root", str(HOST_ROOT), "--sample-interval", "1s",
                     "--central-url", self.central_url, "--join-token-file", str(self.join_file),
                     "--sync-interval", "1s"], b"[EdgeAgent] listening")
        return self


def wait_state(h, agent, state: str, timeout: float = 30):
    h.wait_until(lambda: agent.sync_state() == state, timeout, f"{agent.name} reports sync state {state}",
                 detail=lambda: agent.status()["sync"])


def join_token(h, db: str, *args: str):
    token = h.central_cli(db, "join-tokens", "create", *args)
    assert token.startswith("edgejoin1_") and len(token) == len("edgejoin1_") + 43, f"join-tokens create printed {token!r}"
    path = h.dir / f"join-{len(list(h.dir.glob('join-*')))}.token"
    write_secret(path, token)
    return token, path


def enroll(central, token: str | None, body) -> object:
    return http("POST", central.url("/v1/enroll"), body, token=token)


def counts(central) -> tuple[int, int]:
    return int(central.sql("SELECT count(*) FROM node")), int(central.sql("SELECT count(*) FROM node_token"))


def token_node(central, token: str) -> str:
    digest = hashlib.sha256(token.encode()).hexdigest()
    return central.sql(f"SELECT n.name FROM node_token t JOIN node n ON n.id = t.node_id "
                       f"WHERE t.hash = '\\x{digest}'::bytea AND t.revoked_at IS NULL")


def test_three_agents_join_with_one_join_token_and_each_holds_only_its_own_credential(h):
    db = h.pg.create_database("join")
    phone = h.add_node(db, "phone")
    central = h.central(db, token=phone.read_text().strip())
    join, join_file = join_token(h, db, "--uses", "3", "--nodes", "pi-*", "--ttl", "1h")
    agents = [JoiningAgent(h, f"pi-{i}", central.url(), join_file).start() for i in range(1, 4)]
    for a in agents:
        wait_state(h, a, "ok")
    credentials = {}
    for a in agents:
        mode = stat.S_IMODE(os.stat(a.credential).st_mode)
        assert mode == 0o600, f"{a.name}'s credential has mode {oct(mode)}"
        credentials[a.name] = a.credential.read_text().strip()
        assert credentials[a.name].startswith("edge1_")
        assert token_node(central, credentials[a.name]) == a.name, f"{a.name}'s stored credential is not its own at central"
    assert len(set(credentials.values())) == 3
    # A pod-equivalent holds its own credential and the join token, nothing of another node.
    for a in agents:
        for path in a.data_dir.rglob("*"):
            if path.is_file():
                data = path.read_bytes()
                for other, credential in credentials.items():
                    if other != a.name:
                        assert credential.encode() not in data, f"{a.name}'s {path.name} holds {other}'s credential"
    listed = h.central_cli(db, "join-tokens", "list")
    assert "used up" in listed and "uses 3/3" in listed and join not in listed, listed

    ids = {a.name: a.create(f"written on {a.name}")["id"] for a in agents}
    h.wait_converged(central, agents)
    assert set(ids.values()) <= set(central.records())

    # The join token is used up: a fourth name is refused, and nothing is written.
    before = counts(central)
    r = enroll(central, join, {"node": "pi-4"})
    assert r.status == 401 and r.json["error"]["code"] == "invalid_join_token" and "used up" in r.json["error"]["message"], r
    assert counts(central) == before

    # A restart reuses the stored credential (the join token could not enroll again anyway).
    first = agents[0]
    assert first.stop() == 0
    first.start()
    wait_state(h, first, "ok")
    assert first.credential.read_text().strip() == credentials[first.name]
    assert "enrolled at central" not in first.log.read_text()
    assert "enrolled at central" in first.logs[0].read_text()
    assert counts(central) == before

    # No token in a log line, /metrics or /v1/status.
    exposed = [http("GET", a.url(p)).body.decode() for a in agents for p in ("/metrics", "/v1/status")]
    exposed += [http("GET", central.url("/metrics")).body.decode()]
    for a in agents:
        a.stop()
    central.stop()
    exposed += [log.read_text(errors="replace") for p in [*agents, central] for log in p.logs]
    for text in exposed:
        assert join not in text, "the join token appears in a log, /metrics or /v1/status"
        for credential in credentials.values():
            assert credential not in text, "a node credential appears in a log, /metrics or /v1/status"


def test_a_stolen_join_token_can_neither_take_over_a_node_nor_act_as_one(h):
    db = h.pg.create_database("stolen")
    central = h.central(db)
    join, join_file = join_token(h, db, "--nodes", "pi-*")
    a = JoiningAgent(h, "pi-a", central.url(), join_file).start()
    wait_state(h, a, "ok")
    central.token = a.credential.read_text().strip()
    a.create("a's task")
    h.wait_converged(central, [a])
    before = counts(central)

    refusals = {
        "an enrolled name": (join, {"node": "pi-a"}, 409, "node_enrolled"),
        "a name outside the pattern": (join, {"node": "kitchen"}, 403, "name_not_allowed"),
        "a name breaking the rules": (join, {"node": "pi bad/name"}, 422, "invalid_node"),
        "the reserved name": (join, {"node": "central"}, 422, "invalid_node"),
        "a malformed join token": ("edgejoin1_not-a-token", {"node": "pi-x"}, 401, "invalid_join_token"),
        "a node token as join token": (central.token, {"node": "pi-y"}, 401, "invalid_join_token"),
        "no token": (None, {"node": "pi-z"}, 401, "invalid_join_token"),
        "an unknown field": (join, {"node": "pi-q", "admin": True}, 422, "invalid_field"),
        "no name": (join, {}, 422, "invalid_field"),
    }
    for what, (token, body, status, code) in refusals.items():
        r = enroll(central, token, body)
        assert (r.status, r.json["error"]["code"]) == (status, code), f"{what}: {r}"
        if token:
            assert token.encode() not in r.body, f"{what}: the token is echoed"
        assert counts(central) == before, f"{what}: something was written"

    # An enrollment replayed: the second is refused and the first credential stays valid.
    first = enroll(central, join, {"node": "pi-b"})
    assert first.status == 201 and first.json["node"] == "pi-b", first
    replay = enroll(central, join, {"node": "pi-b"})
    assert replay.status == 409 and replay.json["error"]["code"] == "node_enrolled", replay
    assert token_node(central, first.json["token"]) == "pi-b"

    # An expired join token.
    expired, _ = join_token(h, db, "--ttl", "1m")
    central.sql("UPDATE join_token SET expires_at = now() - interval '1 second' WHERE id = (SELECT max(id) FROM join_token)")
    r = enroll(central, expired, {"node": "pi-c"})
    assert r.status == 401 and "expired" in r.json["error"]["message"], r

    # A join token is no node token: it reads nothing and pushes nothing.
    assert http("GET", central.url("/v1/series?node=pi-a&name=node_load1"), token=join).status == 401
    assert http("GET", central.url("/v1/tasks"), token=join).status == 401
    push = {"node": "pi-a", "mode": "log", "changes": []}
    assert http("POST", central.url("/v1/sync/changes"), push, token=join).status == 401
    assert a.sync_state() == "ok"
    m = http("GET", central.url("/metrics")).body.decode()
    assert 'edge_central_enrollments_total{outcome="enrolled"} 2' in m, m
    assert join not in m


def test_a_revoked_node_enrolls_again_after_nodes_rotate(h):
    db = h.pg.create_database("rejoin")
    phone = h.add_node(db, "phone")
    central = h.central(db, token=phone.read_text().strip())
    _, join_file = join_token(h, db)
    a = JoiningAgent(h, "pi-r", central.url(), join_file).start()
    wait_state(h, a, "ok")
    old = a.credential.read_text().strip()

    h.central_cli(db, "nodes", "revoke", "pi-r")
    waiting = a.create("written while revoked")["id"]
    wait_state(h, a, "unauthorized")
    # The next cycle tries to enroll again; central refuses until an operator resets the name.
    h.wait_until(lambda: "nodes rotate" in (a.status()["sync"]["last_error"] or ""), 30,
                 "the reason says an operator must run nodes rotate", detail=lambda: a.status()["sync"])
    assert a.sync_state() == "unauthorized"
    assert a.credential.read_text().strip() == old, "the credential was replaced while central refused to enroll"
    assert waiting not in central.records()

    printed = h.central_cli(db, "nodes", "rotate", "pi-r")
    h.wait_until(lambda: a.sync_state() == "ok" and a.change_log_count() == 0, 30,
                 "pi-r enrolls again by itself and delivers", detail=lambda: a.status()["sync"])
    new = a.credential.read_text().strip()
    assert new not in (old, printed)
    assert token_node(central, new) == "pi-r"
    assert http("GET", central.url("/v1/tasks"), token=printed).status == 401, "rotate's token survived the enrollment"
    assert http("GET", central.url("/v1/tasks"), token=old).status == 401
    assert waiting in central.records()
    assert "enrolled again" in a.log.read_text()


def test_an_unusable_credential_file_is_reported_and_never_replaced(h):
    db = h.pg.create_database("badcred")
    central = h.central(db)
    _, join_file = join_token(h, db)
    a = JoiningAgent(h, "pi-m", central.url(), join_file).start()
    wait_state(h, a, "ok")
    good = a.credential.read_text()

    a.stop()
    os.chmod(a.credential, 0o644)
    a.start()
    wait_state(h, a, "no_credential")
    reason = a.status()["sync"]["last_error"]
    assert "mode 644" in reason and str(a.credential) in reason, reason
    assert http("GET", a.url("/")).status == 200
    a.create("while the credential is unusable")
    assert a.credential.read_text() == good and stat.S_IMODE(os.stat(a.credential).st_mode) == 0o644

    # Fixed by the operator: picked up without a restart.
    os.chmod(a.credential, 0o600)
    h.wait_until(lambda: a.sync_state() == "ok" and a.change_log_count() == 0, 30, "sync resumes after chmod 600",
                 detail=lambda: a.status()["sync"])

    # Corrupt (not a token): reported, not replaced.
    a.stop()
    a.credential.write_bytes(b"\x00\x01garbage\xff")
    a.start()
    wait_state(h, a, "no_credential")
    assert "printable" in a.status()["sync"]["last_error"]
    assert a.credential.read_bytes() == b"\x00\x01garbage\xff"
