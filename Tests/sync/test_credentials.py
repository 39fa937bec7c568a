"""A node's credential is a sync state, never a reason to stop the household: a missing,
empty, unreadable, revoked or rotated token file leaves `edge-agent run` serving the page,
the API and /metrics, recording locally, and reporting sync state `no_credential` or
`unauthorized` with a one-line reason; sync resumes by itself when the file is fixed. No
token ever appears in a log line, /metrics, /v1/status or an error body."""

from __future__ import annotations

import os
import subprocess
import threading

from conftest import AGENT_BIN, Agent, clean_env, http, write_secret


def wait_state(h, agent, state: str, timeout: float = 30):
    h.wait_until(lambda: agent.sync_state() == state, timeout, f"{agent.name} reports sync state {state}",
                 detail=lambda: agent.status()["sync"])


class PageWatch:
    """Polls the household page, the task list and /metrics every 100 ms in the background;
    records every answer that is not 200."""

    def __init__(self, agent: Agent):
        self.agent = agent
        self.failures: list[str] = []
        self.polls = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while not self.stop.is_set():
            for path in ("/", "/v1/tasks", "/metrics"):
                try:
                    r = http("GET", self.agent.url(path), timeout=5)
                    if r.status != 200:
                        self.failures.append(f"{path}: {r.status}")
                except OSError as e:
                    self.failures.append(f"{path}: {e!r}")
            self.polls += 1
            self.stop.wait(0.1)

    def finish(self) -> None:
        self.stop.set()
        self.thread.join(10)
        assert self.polls > 10, f"the page watch polled only {self.polls} times"
        assert not self.failures, f"the household page, the task list or /metrics failed: {self.failures[:5]}"


def test_missing_present_revoked_rotated_credential_never_takes_the_page_down(h):
    db = h.pg.create_database("cred")
    phone = h.add_node(db, "phone")
    central = h.central(db, token=phone.read_text().strip())
    token_file = h.dir / "secrets" / "a.token"
    token_file.parent.mkdir()

    # 1. No file at all: the agent starts (no exit 2) and works locally.
    a = Agent(h, "a", central.url(), token_file).start()
    page = PageWatch(a)
    wait_state(h, a, "no_credential")
    sync = a.status()["sync"]
    assert str(token_file) in (sync["last_error"] or ""), f"the reason does not name the file: {sync}"
    assert "\n" not in sync["last_error"], f"the reason is not one line: {sync['last_error']!r}"
    offline_task = a.create("written with no credential")["id"]
    assert a.change_log_count() == 1
    assert a.errors("no_credential") > 0

    # 2. An empty file: still no credential, the reason says so.
    write_secret(token_file, "")
    h.wait_until(lambda: "empty" in (a.status()["sync"]["last_error"] or ""), 15, "the reason says the file is empty",
                 detail=lambda: a.status()["sync"])
    assert a.sync_state() == "no_credential"

    # 3. The token appears: sync resumes by itself and delivers what waited.
    token = h.central_cli(db, "nodes", "add", "a")
    write_secret(token_file, token)
    h.wait_until(lambda: a.sync_state() == "ok" and a.change_log_count() == 0, 20,
                 "a syncs once its token file appears", detail=lambda: a.status()["sync"])
    assert offline_task in central.records()

    # 4. Unreadable (a directory in its place): no credential again, nothing lost.
    os.replace(token_file, h.dir / "secrets" / "moved")
    token_file.mkdir()
    during = a.create("written while the token file is a directory")["id"]
    wait_state(h, a, "no_credential")
    assert during not in central.records()
    token_file.rmdir()
    os.replace(h.dir / "secrets" / "moved", token_file)
    h.wait_until(lambda: a.sync_state() == "ok" and a.change_log_count() == 0, 20,
                 "a syncs again once the file is back", detail=lambda: a.status()["sync"])

    # 5. Revoked at central: unauthorized, local writes wait.
    h.central_cli(db, "nodes", "revoke", "a")
    revoked_task = a.create("written while revoked")["id"]
    wait_state(h, a, "unauthorized")
    assert revoked_task not in central.records()

    # 6. Rotated: the new token in the file, sync resumes by itself.
    new_token = h.central_cli(db, "nodes", "rotate", "a")
    write_secret(token_file, new_token)
    h.wait_until(lambda: a.sync_state() == "ok" and a.change_log_count() == 0, 20,
                 "a syncs with the rotated token", detail=lambda: a.status()["sync"])
    records = h.wait_converged(central, [a])
    assert {offline_task, during, revoked_task} <= set(records)
    page.finish()

    # No token in a log line, /metrics, /v1/status, or an error body.
    exposed = {
        "/metrics": http("GET", a.url("/metrics")).body.decode(),
        "/v1/status": http("GET", a.url("/v1/status")).body.decode(),
        "central 401 body": http("GET", central.url("/v1/tasks"), token=token).body.decode(),
        "central /metrics": http("GET", central.url("/metrics")).body.decode(),
    }
    a.stop()
    central.stop()
    for p in (a, central):
        for log in p.logs:
            exposed[f"log {log.name}"] = log.read_text(errors="replace")
    for where, text in exposed.items():
        for secret in (token, new_token):
            assert secret not in text, f"a token appears in {where}"
            assert secret.split("_", 1)[-1][:16] not in text, f"part of a token appears in {where}"


def test_a_central_url_that_cannot_work_still_stops_start_up(h):
    """Only a value that can never work stops `run` (exit 2): a URL that does not parse."""
    a = Agent(h, "bad-url", "ftp://central.invalid", h.dir / "none.token")
    result = subprocess.run([str(AGENT_BIN), "run", "--data-dir", str(a.data_dir), "--listen", "127.0.0.1:0",
                             "--central-url", "ftp://central.invalid", "--central-token-file", str(h.dir / "none")],
                            capture_output=True, text=True, timeout=30, env=clean_env())
    assert result.returncode == 2, f"exit {result.returncode}: {result.stderr}"
    assert "--central-url" in result.stderr and result.stderr.count("\n") == 1, result.stderr
    assert not (a.data_dir / "agent.db").exists(), "a configuration error created the database"
