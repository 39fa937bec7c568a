#!/usr/bin/env python3
"""A TCP proxy that injects network faults, for the live fault tests (stdlib only).

Modes (switchable at runtime; a connection keeps the mode it was accepted under):

  pass             forward both ways
  refuse           accept, then reset at once (the peer is unreachable)
  blackhole        accept, read and discard, never answer (a silent partition)
  delay MS         forward both ways, each chunk MS milliseconds late (latency, not a
                   bandwidth cap: chunks that arrive together leave together)
  respond502       read the request head, answer "HTTP/1.1 502 Bad Gateway"
                   (Content-Length: 0, Connection: close), close
  cut_request N    forward the first N bytes of the client's data, then reset both sides
                   (the upstream's bytes are never forwarded in this mode)
  cut_response     forward the whole request, wait for the first byte of the upstream's
                   answer, then reset both sides without forwarding it (the server
                   committed, the client never heard)

Switching to any mode other than `pass` resets every existing connection that forwards
traffic (opened under pass, delay, cut_request or cut_response), so a keep-alive
connection cannot bypass a partition; blackholed connections stay blackholed. Switching
to `pass` leaves existing connections alone.

As a library:

    proxy = FaultProxy("127.0.0.1", upstream_port)
    port = await proxy.start()
    proxy.set_mode("delay", 200)
    await proxy.stop()

    with ThreadedFaultProxy("127.0.0.1", upstream_port) as proxy:   # synchronous code
        proxy.set_mode("blackhole"); ...; proxy.stats   # {"pass": 3, "blackhole": 1}

As a program:

    python3 fault_proxy.py --listen 127.0.0.1:0 --target 127.0.0.1:PORT [--control-file PATH]

prints the listening port as the first line of stdout, then re-reads PATH (one line:
`mode [arg]`) whenever its content changes (polled every 50 ms). SIGTERM or SIGINT stop it;
the per-mode connection counts go to stderr as JSON on exit.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import socket
import struct
import sys
import threading
import time

MODES = ("pass", "refuse", "blackhole", "delay", "respond502", "cut_request", "cut_response")
FORWARDING = frozenset({"pass", "delay", "cut_request", "cut_response"})
RESPONSE_502 = b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
CHUNK = 65536
MAX_HEAD = 65536


def parse_mode(name: str, arg=None) -> tuple[str, float | int | None]:
    """Validates a mode and its argument; returns (name, arg) normalized."""
    if name not in MODES:
        raise ValueError(f"unknown mode {name!r} (one of: {', '.join(MODES)})")
    if name == "delay":
        if arg is None:
            raise ValueError("delay needs a number of milliseconds")
        ms = float(arg)
        if ms < 0:
            raise ValueError("delay must be >= 0 ms")
        return name, ms
    if name == "cut_request":
        if arg is None:
            raise ValueError("cut_request needs a byte count")
        n = int(arg)
        if n < 0:
            raise ValueError("cut_request needs a byte count >= 0")
        return name, n
    if arg is not None:
        raise ValueError(f"mode {name} takes no argument")
    return name, None


def parse_mode_line(line: str) -> tuple[str, float | int | None]:
    parts = line.split()
    if not parts or len(parts) > 2:
        raise ValueError(f"expected 'mode [arg]', got {line!r}")
    return parse_mode(parts[0], parts[1] if len(parts) == 2 else None)


def _reset(writer: asyncio.StreamWriter | None) -> None:
    """Closes a connection with a TCP RST (SO_LINGER 0), discarding anything unsent."""
    if writer is None:
        return
    transport = writer.transport
    sock = transport.get_extra_info("socket")
    if sock is not None:
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
    transport.abort()


def _close(writer: asyncio.StreamWriter | None) -> None:
    if writer is not None and not writer.transport.is_closing():
        writer.close()


class _Conn:
    __slots__ = ("mode", "client", "upstream", "task")

    def __init__(self, mode: str, client: asyncio.StreamWriter):
        self.mode = mode
        self.client = client
        self.upstream: asyncio.StreamWriter | None = None
        self.task: asyncio.Task | None = None

    def reset(self) -> None:
        _reset(self.client)
        _reset(self.upstream)


class FaultProxy:
    def __init__(self, target_host: str, target_port: int, listen_host: str = "127.0.0.1",
                 listen_port: int = 0, mode: str = "pass", arg=None):
        self.target_host = target_host
        self.target_port = int(target_port)
        self.listen_host = listen_host
        self.listen_port = int(listen_port)
        self._mode = parse_mode(mode, arg)
        self._server: asyncio.base_events.Server | None = None
        self._conns: set[_Conn] = set()
        self._stats: dict[str, int] = {}
        self._lock = threading.Lock()
        self.port: int | None = None

    # --- public API ------------------------------------------------------------------

    @property
    def mode(self) -> tuple[str, float | int | None]:
        return self._mode

    @property
    def stats(self) -> dict[str, int]:
        """Connections accepted so far, per mode."""
        with self._lock:
            return dict(self._stats)

    async def start(self) -> int:
        self._server = await asyncio.start_server(self._accept, self.listen_host, self.listen_port)
        self.port = self._server.sockets[0].getsockname()[1]
        return self.port

    def set_mode(self, name: str, arg=None) -> None:
        """Applies to new connections; a switch to a non-pass mode also resets the
        existing forwarding connections. Call from the proxy's event loop thread."""
        new = parse_mode(name, arg)
        if new == self._mode:
            return
        self._mode = new
        if new[0] != "pass":
            for conn in list(self._conns):
                if conn.mode in FORWARDING:
                    conn.reset()

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        conns = list(self._conns)
        for conn in conns:
            conn.reset()
        tasks = [c.task for c in conns if c.task is not None and not c.task.done()]
        for t in tasks:
            t.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)

    # --- connections -------------------------------------------------------------------

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        mode, arg = self._mode
        with self._lock:
            self._stats[mode] = self._stats.get(mode, 0) + 1
        conn = _Conn(mode, writer)
        conn.task = asyncio.current_task()
        self._conns.add(conn)
        try:
            handler = getattr(self, "_mode_" + mode)
            await handler(conn, reader, arg)
        except (ConnectionError, OSError, asyncio.IncompleteReadError):
            conn.reset()
        except asyncio.CancelledError:
            conn.reset()
        finally:
            self._conns.discard(conn)
            _close(conn.client)
            _close(conn.upstream)

    async def _connect_upstream(self, conn: _Conn) -> asyncio.StreamReader | None:
        try:
            up_reader, conn.upstream = await asyncio.open_connection(self.target_host, self.target_port)
        except OSError:
            conn.reset()  # the upstream is down: the client sees a reset
            return None
        if conn.client.transport.is_closing():  # reset by a mode switch while connecting
            conn.reset()
            return None
        return up_reader

    async def _mode_refuse(self, conn: _Conn, reader, arg) -> None:
        conn.reset()

    async def _mode_blackhole(self, conn: _Conn, reader: asyncio.StreamReader, arg) -> None:
        while await reader.read(CHUNK):
            pass

    async def _mode_respond502(self, conn: _Conn, reader: asyncio.StreamReader, arg) -> None:
        head = b""
        while b"\r\n\r\n" not in head and len(head) < MAX_HEAD:
            data = await reader.read(CHUNK)
            if not data:
                break
            head += data
        conn.client.write(RESPONSE_502)
        await conn.client.drain()
        conn.client.write_eof()
        # Drain what the client still sends (a body) before closing: closing with unread
        # data would make the kernel send a RST that can destroy the 502 in flight.
        try:
            async with asyncio.timeout(2):
                while await reader.read(CHUNK):
                    pass
        except TimeoutError:
            pass

    async def _mode_pass(self, conn: _Conn, reader: asyncio.StreamReader, arg) -> None:
        await self._forward(conn, reader, 0.0)

    async def _mode_delay(self, conn: _Conn, reader: asyncio.StreamReader, arg) -> None:
        await self._forward(conn, reader, arg / 1000.0)

    async def _forward(self, conn: _Conn, reader: asyncio.StreamReader, delay: float) -> None:
        up_reader = await self._connect_upstream(conn)
        if up_reader is None:
            return
        pump = self._pump_delayed if delay > 0 else self._pump
        a = asyncio.create_task(pump(reader, conn.upstream, delay))
        b = asyncio.create_task(pump(up_reader, conn.client, delay))
        try:
            done, pending = await asyncio.wait({a, b}, return_when=asyncio.FIRST_EXCEPTION)
            if pending:  # one direction failed: reset both sides
                for t in pending:
                    t.cancel()
                await asyncio.gather(*pending, return_exceptions=True)
            for t in done:
                if t.exception() is not None:
                    raise t.exception()
        finally:
            for t in (a, b):
                if not t.done():
                    t.cancel()

    @staticmethod
    async def _pump(src: asyncio.StreamReader, dst: asyncio.StreamWriter, _delay: float) -> None:
        while True:
            data = await src.read(CHUNK)
            if not data:
                break
            dst.write(data)
            await dst.drain()
        if not dst.transport.is_closing() and dst.can_write_eof():
            dst.write_eof()

    @staticmethod
    async def _pump_delayed(src: asyncio.StreamReader, dst: asyncio.StreamWriter, delay: float) -> None:
        queue: asyncio.Queue = asyncio.Queue(maxsize=64)
        loop = asyncio.get_running_loop()

        async def read_side():
            while True:
                try:
                    data = await src.read(CHUNK)
                except (ConnectionError, OSError) as e:
                    data = e  # a reset travels in order, as late as the data before it
                await queue.put((loop.time() + delay, data))
                if not isinstance(data, bytes) or not data:
                    return

        reader_task = asyncio.create_task(read_side())
        try:
            while True:
                due, data = await queue.get()
                wait = due - loop.time()
                if wait > 0:
                    await asyncio.sleep(wait)
                if isinstance(data, BaseException):
                    raise data
                if not data:
                    break
                dst.write(data)
                await dst.drain()
            if not dst.transport.is_closing() and dst.can_write_eof():
                dst.write_eof()
        finally:
            reader_task.cancel()
            await asyncio.gather(reader_task, return_exceptions=True)

    async def _mode_cut_request(self, conn: _Conn, reader: asyncio.StreamReader, limit: int) -> None:
        up_reader = await self._connect_upstream(conn)
        if up_reader is None:
            return
        sent = 0
        # Whatever the upstream does (answers, closes) also ends the connection.
        upstream_moved = asyncio.create_task(up_reader.read(1))
        try:
            while sent < limit:
                read = asyncio.create_task(reader.read(min(CHUNK, limit - sent)))
                done, _ = await asyncio.wait({read, upstream_moved}, return_when=asyncio.FIRST_COMPLETED)
                if read not in done:
                    read.cancel()
                    break
                data = read.result()
                if not data:
                    break
                conn.upstream.write(data)
                await conn.upstream.drain()
                sent += len(data)
            await asyncio.sleep(0.02)  # let the upstream read the bytes before the RST
        finally:
            upstream_moved.cancel()
            conn.reset()

    async def _mode_cut_response(self, conn: _Conn, reader: asyncio.StreamReader, arg) -> None:
        up_reader = await self._connect_upstream(conn)
        if up_reader is None:
            return
        request = asyncio.create_task(self._pump(reader, conn.upstream, 0.0))
        try:
            await up_reader.read(1)  # the first byte of the answer (or EOF): never forwarded
        finally:
            request.cancel()
            await asyncio.gather(request, return_exceptions=True)
            conn.reset()


class ThreadedFaultProxy:
    """A FaultProxy on its own event loop in a background thread, for synchronous code."""

    def __init__(self, target_host: str, target_port: int, listen_host: str = "127.0.0.1",
                 listen_port: int = 0, mode: str = "pass", arg=None):
        self._proxy = FaultProxy(target_host, target_port, listen_host, listen_port, mode, arg)
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._stopped = False
        self._thread = threading.Thread(target=self._run, name="fault-proxy", daemon=True)
        self._thread.start()
        self._ready.wait()
        if self._error is not None:
            self._thread.join()
            raise self._error
        self.port: int = self._proxy.port

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            self._loop.run_until_complete(self._proxy.start())
        except BaseException as e:  # reported to the constructor
            self._error = e
            self._ready.set()
            self._loop.close()
            return
        self._ready.set()
        self._loop.run_forever()
        self._loop.close()

    @property
    def stats(self) -> dict[str, int]:
        return self._proxy.stats

    @property
    def mode(self):
        return self._proxy.mode

    def set_mode(self, name: str, arg=None) -> None:
        """Returns once the mode applies and switched-off connections are reset."""
        parse_mode(name, arg)  # raise ValueError in the caller's thread

        async def apply():
            self._proxy.set_mode(name, arg)
            await asyncio.sleep(0)  # let the aborted transports close their sockets
            await asyncio.sleep(0)

        asyncio.run_coroutine_threadsafe(apply(), self._loop).result(timeout=10)

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        asyncio.run_coroutine_threadsafe(self._proxy.stop(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)

    def __enter__(self) -> "ThreadedFaultProxy":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def _host_port(text: str) -> tuple[str, int]:
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit():
        raise argparse.ArgumentTypeError(f"expected HOST:PORT, got {text!r}")
    return host.strip("[]") or "127.0.0.1", int(port)


async def _main(args) -> None:
    proxy = FaultProxy(args.target[0], args.target[1], args.listen[0], args.listen[1])
    if args.mode:
        proxy.set_mode(*parse_mode_line(args.mode))
    port = await proxy.start()
    print(port, flush=True)

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)

    last = None
    while not stop.is_set():
        if args.control_file:
            try:
                with open(args.control_file, encoding="utf-8") as f:
                    text = f.read().strip()
            except FileNotFoundError:
                text = ""
            if text and text != last:  # empty: absent, or caught mid-write
                last = text
                try:
                    proxy.set_mode(*parse_mode_line(text))
                    print(f"fault_proxy: mode {text}", file=sys.stderr, flush=True)
                except ValueError as e:
                    print(f"fault_proxy: ignoring control line: {e}", file=sys.stderr, flush=True)
        try:
            await asyncio.wait_for(stop.wait(), 0.05)
        except TimeoutError:
            pass
    await proxy.stop()
    print(json.dumps({"stats": proxy.stats}), file=sys.stderr, flush=True)


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description="TCP proxy that injects network faults")
    p.add_argument("--listen", type=_host_port, default=("127.0.0.1", 0), help="HOST:PORT (port 0: any)")
    p.add_argument("--target", type=_host_port, required=True, help="upstream HOST:PORT")
    p.add_argument("--control-file", help="file holding 'mode [arg]'; re-read when it changes")
    p.add_argument("--mode", help="initial 'mode [arg]' (default pass; the control file wins)")
    args = p.parse_args(argv)
    if args.mode:
        try:
            parse_mode_line(args.mode)
        except ValueError as e:
            p.error(str(e))
    asyncio.run(_main(args))


if __name__ == "__main__":
    main()
