"""A hostile LAN against the agent's and central's HTTP servers: idle sockets, slowloris,
more connections than the process has file descriptors, keep-alive connections left open,
HTTP/1.0 clients. Flags under test (agent / central):
  --header-timeout  EDGE_HEADER_TIMEOUT / EDGE_CENTRAL_HEADER_TIMEOUT (default 10s): the
                    request head must be complete this long after accept, or after the first
                    byte of a later keep-alive request, else the connection is closed;
  --idle-timeout    EDGE_IDLE_TIMEOUT / EDGE_CENTRAL_IDLE_TIMEOUT (default 60s);
  --max-connections EDGE_MAX_CONNECTIONS / EDGE_CENTRAL_MAX_CONNECTIONS (default 256 /
                    4096, capped below RLIMIT_NOFILE): at the cap a new connection evicts
                    the oldest one without a complete request, else the oldest idle
                    keep-alive one (edge_http_connections_evicted_total); when every
                    connection is in a request it is closed at once
                    (edge_http_connections_refused_total; central: edge_central_http_*)."""

from __future__ import annotations

import socket
import time

import pytest

from conftest import (
    StandaloneAgent, central_with_token, close_all, connect, cpu_seconds, http, metric, parse_metrics, peer_closed,
    raise_fd_limit, read_response, send_ignoring_close, wait_closed,
)

HEADER_TIMEOUT = 2.0
IDLE_TIMEOUT = 4.0
LIMITS = ["--header-timeout", "2s", "--idle-timeout", "4s"]


def open_idle(port: int, n: int, timeout: float = 3) -> list[socket.socket]:
    socks = []
    for _ in range(n):
        try:
            socks.append(connect(port, timeout=timeout))
        except OSError:
            break
    return socks


def get_ok(url_get, deadline: float) -> tuple[bool, str]:
    """Retries a GET until it answers 200 or the monotonic deadline passes."""
    last = ""
    while time.monotonic() < deadline:
        try:
            r = url_get()
            if r.status == 200:
                return True, ""
            last = repr(r)
        except OSError as e:
            last = repr(e)
        time.sleep(0.05)
    return False, last


def check_connection_cap(server, metrics, prefix: str, cap: int = 50, opened: int = 60):
    """`opened` idle sockets against a server capped at `cap`: each one over the cap evicts
    the oldest idle socket at once (well before the header timeout), the evictions are
    counted, a normal client is served while the cap is full, and the held sockets are
    closed by the header timeout."""
    socks = open_idle(server.port, opened)
    try:
        assert len(socks) == opened, f"only {len(socks)} of {opened} connects succeeded"
        started = time.monotonic()
        closed = wait_closed(socks, 1.0)
        early = time.monotonic() - started
        assert len(closed) >= opened - cap, (
            f"{len(closed)} of {opened} idle connections closed within {early:.1f} s; "
            f"with --max-connections {cap} at least {opened - cap} must be closed at once")
        assert opened - 1 not in closed, "the newest connection was evicted, not the oldest"
        held = [s for i, s in enumerate(socks) if i not in closed]
        assert len(held) <= cap, f"{len(held)} connections held open over the cap of {cap}"
        # The cap is full of idle sockets: a normal client still gets in, by eviction.
        ok, last = get_ok(lambda: http("GET", server.url("/health"), timeout=2), time.monotonic() + 1.5)
        assert ok, f"no answer to a normal client with {len(held)} idle sockets at the cap: {last}"
        # The header timeout closes the ones still held.
        late = wait_closed(held, HEADER_TIMEOUT + 2.0)
        assert len(late) == len(held), (
            f"{len(held) - len(late)} idle connections still open {HEADER_TIMEOUT + 2:.0f} s after the "
            f"--header-timeout of {HEADER_TIMEOUT:.0f} s")
    finally:
        close_all(socks)
    m = metrics()
    evicted = metric(m, f"{prefix}_evicted_total")
    assert evicted is not None and evicted >= opened - cap, f"{prefix}_evicted_total is {evicted}"
    return m


def check_busy_connections_are_not_evicted(server, metrics, prefix: str, cap: int):
    """`cap` connections each in the middle of a request (head sent, body awaited): a new
    connection is refused at once and counted; none of the busy ones is evicted."""
    busy = []
    try:
        for _ in range(cap):
            s = connect(server.port)
            s.sendall(b"POST /v1/tasks HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                      b"Content-Length: 1000\r\n\r\n")
            busy.append(s)
        time.sleep(0.3)  # let the server read every head (nothing below depends on timing otherwise)
        extra = connect(server.port)
        try:
            assert wait_closed([extra], 1.0), "a connection over a cap of busy connections was not closed at once"
        finally:
            extra.close()
        assert not wait_closed(busy, 0.2), "a connection in the middle of a request was evicted"
    finally:
        close_all(busy)
    # The server sees the busy sockets close asynchronously: until it does, it is still full.
    deadline = time.monotonic() + 3
    while True:
        try:
            m = metrics()
            break
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
    refused = metric(m, f"{prefix}_refused_total")
    assert refused is not None and refused >= 1, f"{prefix}_refused_total is {refused}"


def check_slowloris(port: int, label: str):
    # One byte every 0.5 s of a request head that never ends.
    s = connect(port)
    try:
        started = time.monotonic()
        head = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 100
        for byte in head:
            if not send_ignoring_close(s, bytes([byte])) or peer_closed(s):
                break
            if time.monotonic() - started > HEADER_TIMEOUT + 3:
                break
            time.sleep(0.5)
        elapsed = time.monotonic() - started
        assert wait_closed([s], 0.5), (
            f"{label}: a request head sent one byte per 0.5 s was still open after {elapsed:.1f} s "
            f"(--header-timeout {HEADER_TIMEOUT:.0f} s)")
        assert elapsed <= HEADER_TIMEOUT + 3, f"{label}: slowloris closed only after {elapsed:.1f} s"
    finally:
        s.close()
    # The same after a first request on a keep-alive connection: the clock starts at the
    # first byte of the second request, not at the end of the first.
    s = connect(port)
    try:
        s.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        status, _, _, closed = read_response(s)
        assert status == 200 and not closed, f"{label}: first keep-alive request: {status}, closed={closed}"
        time.sleep(1.0)
        started = time.monotonic()
        head = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"b" * 100
        for byte in head:
            if not send_ignoring_close(s, bytes([byte])) or peer_closed(s):
                break
            if time.monotonic() - started > HEADER_TIMEOUT + 3:
                break
            time.sleep(0.5)
        elapsed = time.monotonic() - started
        assert wait_closed([s], 0.5) and elapsed <= HEADER_TIMEOUT + 3, (
            f"{label}: a slow second request on a keep-alive connection was still open after {elapsed:.1f} s")
    finally:
        s.close()


def check_idle_keepalive(port: int, label: str):
    s = connect(port)
    try:
        s.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        idle_from = time.monotonic()  # the answer comes at once; read_response then watches for 1 s
        status, _, _, closed = read_response(s)
        assert status == 200 and not closed, f"{label}: keep-alive request: {status}, closed={closed}"
        # Past the header timeout but within the idle timeout: an idle keep-alive connection
        # is not a slow request head, it stays open...
        time.sleep(max(0.0, idle_from + HEADER_TIMEOUT + 1.0 - time.monotonic()))
        assert not peer_closed(s), (
            f"{label}: an idle keep-alive connection was closed after {time.monotonic() - idle_from:.1f} s, "
            f"before the --idle-timeout of {IDLE_TIMEOUT:.0f} s")
        # ...and is closed by the idle timeout.
        closed = wait_closed([s], max(0.0, idle_from + IDLE_TIMEOUT + 2.5 - time.monotonic()))
        idle = time.monotonic() - idle_from
        assert closed, f"{label}: an idle keep-alive connection was still open after {idle:.1f} s (--idle-timeout 4s)"
    finally:
        s.close()


def check_http10_closes(port: int, label: str):
    s = connect(port)
    try:
        s.sendall(b"GET /health HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
        status, _, _, closed = read_response(s, timeout=5)
        assert status == 200, f"{label}: HTTP/1.0 request answered {status}"
        assert closed or wait_closed([s], 2.0), f"{label}: HTTP/1.0 without keep-alive: the connection stayed open"
    finally:
        s.close()


# --------------------------------------------------------------------------------------
# Agent


def test_agent_never_evicts_a_connection_in_a_request(h):
    agent = StandaloneAgent(h, "busy", extra=[*LIMITS, "--max-connections", "8"]).start()
    check_busy_connections_are_not_evicted(agent, agent.metrics, "edge_http_connections", 8)
    assert agent.alive() and agent.api("GET", "/health").status == 200


def test_agent_evicts_idle_connections_over_max_connections_and_counts_them(h):
    agent = StandaloneAgent(h, "cap", extra=[*LIMITS, "--max-connections", "50"]).start()
    m = check_connection_cap(agent, agent.metrics, "edge_http_connections")
    assert metric(m, "edge_http_connections_open") is not None, "no edge_http_connections_open gauge"
    # Every socket of the attack is closed: the gauge comes back down (the scrape itself is open).
    h.wait_until(lambda: metric(agent.metrics(), "edge_http_connections_open") <= 2, 5,
                 "edge_http_connections_open is back to the scrape's own connection",
                 detail=lambda: metric(agent.metrics(), "edge_http_connections_open"))
    assert agent.alive()


def test_agent_limits_come_from_the_environment_too(h):
    agent = StandaloneAgent(h, "cap-env")
    env_extra = {"EDGE_HEADER_TIMEOUT": "2s", "EDGE_IDLE_TIMEOUT": "4s", "EDGE_MAX_CONNECTIONS": "50"}
    # clean_env() drops the caller's EDGE_* variables; these go through env(1) instead.
    agent.prefix = ["env", *(f"{k}={v}" for k, v in env_extra.items())]
    agent.start()
    check_connection_cap(agent, agent.metrics, "edge_http_connections")


def test_agent_survives_more_idle_sockets_than_file_descriptors_without_spinning(h):
    raise_fd_limit(2048)
    agent = StandaloneAgent(h, "nofile", extra=LIMITS, prefix=["prlimit", "--nofile=256:256", "--"]).start()
    assert agent.api("GET", "/health").status == 200
    socks = open_idle(agent.port, 400, timeout=2)
    try:
        opened_at = time.monotonic()
        assert len(socks) >= 300, f"only {len(socks)} sockets could connect"
        cpu_before = cpu_seconds(agent.pid)
        # A normal request is served within 1 s of the header timeout freeing the held slots.
        ok, last = get_ok(lambda: agent.api("GET", "/v1/tasks", timeout=1), opened_at + HEADER_TIMEOUT + 1.0 + 0.5)
        waited = time.monotonic() - opened_at
        remaining = opened_at + 3.0 - time.monotonic()
        if remaining > 0:
            time.sleep(remaining)
        used = cpu_seconds(agent.pid) - cpu_before
        print(f"400 idle sockets, fd limit 256: served after {waited:.2f} s, {used:.2f} s of CPU in 3 s")
        assert agent.alive(), f"the agent exited with {agent.proc.returncode}"
        assert ok, f"no normal request served {waited:.1f} s after 400 idle sockets (fd limit 256): {last}"
        assert used < 1.0, f"the agent used {used:.2f} s of CPU in 3 s with the fd limit reached (spinning on accept?)"
    finally:
        close_all(socks)
    time.sleep(0.5)
    assert agent.alive() and agent.api("GET", "/health").status == 200


def test_agent_closes_a_slowloris_after_the_header_timeout(h):
    agent = StandaloneAgent(h, "slow", extra=LIMITS).start()
    check_slowloris(agent.port, "agent")
    assert agent.alive()


def test_agent_closes_an_idle_keepalive_connection_after_the_idle_timeout(h):
    agent = StandaloneAgent(h, "idle", extra=LIMITS).start()
    check_idle_keepalive(agent.port, "agent")


def test_agent_closes_an_http10_connection_after_the_response(h):
    agent = StandaloneAgent(h, "http10").start()
    check_http10_closes(agent.port, "agent")


# --------------------------------------------------------------------------------------
# Central


@pytest.fixture
def limited_central(h, pg):
    central, _, _ = central_with_token(h, pg, extra=[*LIMITS, "--max-connections", "50"])
    return central


def central_metrics(central):
    r = http("GET", central.url("/metrics"))
    assert r.status == 200, r
    return parse_metrics(r.body.decode())


def test_central_evicts_idle_connections_over_max_connections_and_counts_them(h, limited_central):
    check_connection_cap(limited_central, lambda: central_metrics(limited_central), "edge_central_http_connections")
    assert limited_central.alive()


def test_central_limits_come_from_the_environment_too(h, pg):
    central, _, _ = central_with_token(h, pg, env={"EDGE_CENTRAL_HEADER_TIMEOUT": "2s", "EDGE_CENTRAL_IDLE_TIMEOUT": "4s",
                                                   "EDGE_CENTRAL_MAX_CONNECTIONS": "50"})
    check_connection_cap(central, lambda: central_metrics(central), "edge_central_http_connections")


def test_central_closes_slowloris_and_idle_keepalive_connections(h, limited_central):
    check_slowloris(limited_central.port, "central")
    check_idle_keepalive(limited_central.port, "central")
    assert limited_central.alive()


def test_central_closes_an_http10_connection_after_the_response(h, pg):
    central, _, _ = central_with_token(h, pg)
    check_http10_closes(central.port, "central")
