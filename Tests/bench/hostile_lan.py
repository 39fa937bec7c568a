"""Connection figures for `make bench` (scripts/bench-connections.sh): a release edge-agent
under 2,000 idle connections plus a slowloris of 300, while one normal household client
lists tasks (retrying a GET once when its idle keep-alive connection was evicted, as
browsers and urllib3 do). Prints the normal client's latency percentiles, the agent's RssAnon and its
descriptors in use against the connection cap; exits 1 if a target is missed.

Bounded: loopback only, a fixed number of sockets, a fixed duration; the attackers reconnect
what the agent closes (header timeout) so the pressure lasts the whole run."""

from __future__ import annotations

import os
import selectors
import socket
import statistics
import sys
import threading
import time

port, pid, cap = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
IDLE, SLOW, SECONDS = 2000, 300, float(os.environ.get("BENCH_SECONDS", "20"))
ADDRESS = ("127.0.0.1", port)
stop = threading.Event()
opened = {"idle": 0, "slow": 0, "reconnects": 0}


def attackers():
    """Keeps IDLE sockets that send nothing and SLOW that send a request line a byte a second."""
    sel = selectors.DefaultSelector()
    slow_line = b"GET /v1/tasks HTTP/1.1\r\nHost: bench\r\nX-Slow: " + b"a" * 4000
    state: dict[socket.socket, tuple[str, int]] = {}

    def connect(kind: str):
        s = socket.socket()
        s.setblocking(False)
        s.connect_ex(ADDRESS)
        state[s] = (kind, 0)
        sel.register(s, selectors.EVENT_READ)
        opened[kind] += 1

    for _ in range(IDLE):
        connect("idle")
    for _ in range(SLOW):
        connect("slow")
    last_tick = time.monotonic()
    while not stop.is_set():
        for key, _ in sel.select(timeout=0.1):
            s = key.fileobj
            try:
                data = s.recv(4096)
            except (BlockingIOError, InterruptedError):
                continue
            except OSError:
                data = b""
            if not data:  # closed by the agent: come back, as an attacker would
                kind, _ = state.pop(s)
                sel.unregister(s)
                s.close()
                opened["reconnects"] += 1
                connect(kind)
        if time.monotonic() - last_tick >= 1:
            last_tick = time.monotonic()
            for s, (kind, sent) in list(state.items()):
                if kind == "slow" and sent < len(slow_line):
                    try:
                        s.send(slow_line[sent:sent + 1])
                        state[s] = (kind, sent + 1)
                    except OSError:
                        pass
    for s in state:
        s.close()


def rss_anon_kb() -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("RssAnon:"):
                return int(line.split()[1])
    return -1


def fds() -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


attack = threading.Thread(target=attackers, daemon=True)
attack.start()
time.sleep(3)  # let the sockets connect

latencies: list[float] = []
errors = retries = 0
peak_rss, peak_fds = 0, 0
request = b"GET /v1/tasks HTTP/1.1\r\nHost: bench\r\n\r\n"
client = None


def fetch(sock: socket.socket) -> bytes:
    """One request on `sock`; raises ConnectionResetError if it was closed before any byte
    of the answer (an evicted idle keep-alive connection)."""
    sock.sendall(request)
    buf = b""
    while b"\r\n\r\n" not in buf:
        chunk = sock.recv(65536)
        if not chunk:
            raise (ConnectionResetError if not buf else OSError)("closed")
        buf += chunk
    head, _, body = buf.partition(b"\r\n\r\n")
    length = int(next(l.split(b":")[1] for l in head.split(b"\r\n") if l.lower().startswith(b"content-length")))
    while len(body) < length:
        body += sock.recv(65536)
    return head


deadline = time.monotonic() + SECONDS
last_probe = 0.0
while time.monotonic() < deadline:
    if time.monotonic() - last_probe > 0.5:
        last_probe = time.monotonic()
        peak_rss, peak_fds = max(peak_rss, rss_anon_kb()), max(peak_fds, fds())
    t0 = time.perf_counter()
    try:
        reused = client is not None
        if client is None:
            client = socket.create_connection(ADDRESS, timeout=5)
        try:
            head = fetch(client)
        except (ConnectionResetError, BrokenPipeError):
            if not reused:
                raise
            # A kept-alive connection closed while idle (evicted at the cap): like browsers and
            # urllib3, retry a GET once on a new connection. The latency includes the retry.
            retries += 1
            client.close()
            client = socket.create_connection(ADDRESS, timeout=5)
            head = fetch(client)
        if not head.startswith(b"HTTP/1.1 200"):
            errors += 1
        latencies.append((time.perf_counter() - t0) * 1000)
    except (OSError, StopIteration):
        errors += 1
        if client is not None:
            client.close()
        client = None
    time.sleep(0.01)
stop.set()
attack.join(5)

latencies.sort()
p = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))]
print(f"bench-connections: {IDLE} idle + {SLOW} slowloris sockets ({opened['reconnects']} reconnects after the agent closed them), "
      f"{SECONDS:.0f} s")
print(f"bench-connections: normal client GET /v1/tasks: {len(latencies)} requests, {errors} errors, "
      f"{retries} retried on a new connection after an idle one was evicted, "
      f"median {statistics.median(latencies):.2f} ms, p99 {p(0.99):.2f} ms (target <= 50 ms)")
print(f"bench-connections: agent RssAnon peak {peak_rss} kB (target <= 16384 kB); descriptors peak {peak_fds}, "
      f"connection cap {cap} (target: below the cap plus the agent's own)")
ok = errors == 0 and p(0.99) <= 50 and peak_rss <= 16384 and peak_fds <= cap + 128
print("bench-connections: " + ("all targets met" if ok else "TARGET MISSED"))
sys.exit(0 if ok else 1)
