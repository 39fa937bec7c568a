"""Bodies over the limit, with and without Content-Length (chunked): a 413 in the JSON error
form, never a 500 and never a dropped connection. The agent's household bodies: 64 KiB;
central's sync pushes: 2 MiB on the wire, household bodies 64 KiB."""

from __future__ import annotations

import json

from conftest import StandaloneAgent, central_with_token, connect, error_json, read_response, send_ignoring_close

KIB = 1024


def json_body(size: int) -> bytes:
    """A JSON object of about `size` bytes (a long title: the size, not the rules, is the problem)."""
    return json.dumps({"title": "t", "notes": "n" * max(0, size - 40)}).encode()


def send_request(port: int, path: str, body: bytes, chunked: bool, token: str | None = None,
                 chunk: int = 8 * KIB) -> tuple[int, dict, bytes, bool]:
    s = connect(port, timeout=30)
    try:
        head = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", "Content-Type: application/json",
                "Accept: application/json"]
        if token:
            head.append(f"Authorization: Bearer {token}")
        head.append("Transfer-Encoding: chunked" if chunked else f"Content-Length: {len(body)}")
        s.sendall(("\r\n".join(head) + "\r\n\r\n").encode())
        # The server may answer 413 and close before it has read everything: stop sending then.
        for i in range(0, len(body), chunk):
            piece = body[i:i + chunk]
            data = f"{len(piece):x}\r\n".encode() + piece + b"\r\n" if chunked else piece
            if not send_ignoring_close(s, data):
                break
        else:
            if chunked:
                send_ignoring_close(s, b"0\r\n\r\n")
        try:
            return read_response(s, timeout=30)
        except ConnectionError as e:
            raise AssertionError(f"POST {path} ({len(body)} bytes, {'chunked' if chunked else 'Content-Length'}): "
                                 f"the connection was dropped instead of answered: {e}") from e
    finally:
        s.close()


def check_413(port: int, path: str, size: int, chunked: bool, token: str | None = None, label: str = ""):
    status, headers, body, _ = send_request(port, path, json_body(size), chunked, token)
    how = "chunked, no Content-Length" if chunked else "with Content-Length"
    assert status == 413, f"{label} POST {path}, {size} bytes {how}: expected 413, got {status} {body[:200]!r}"
    assert headers.get("content-type", "").startswith("application/json"), headers
    assert error_json(body)["code"] == "body_too_large", body


def test_agent_answers_413_json_to_an_oversized_chunked_body_without_content_length(h):
    agent = StandaloneAgent(h, "chunked").start()
    check_413(agent.port, "/v1/tasks", 80 * KIB, chunked=True, label="agent")
    # Just over the limit, both ways; just under it is read (and then judged by the rules).
    check_413(agent.port, "/v1/tasks", 64 * KIB + 100, chunked=False, label="agent")
    check_413(agent.port, "/v1/tasks", 64 * KIB + 100, chunked=True, label="agent")
    status, _, body, _ = send_request(agent.port, "/v1/tasks", json.dumps({"title": "small"}).encode(), chunked=True)
    assert status == 201, f"a small chunked body: expected 201, got {status} {body[:200]!r}"
    assert agent.alive() and agent.api("GET", "/v1/tasks").status == 200


def test_central_answers_413_json_to_oversized_chunked_sync_and_household_bodies(h, pg):
    central, _, token = central_with_token(h, pg)
    push = json.dumps({"node": "a", "mode": "log", "changes": []}).encode()
    big = push[:-1] + b"," + b'"pad": "' + b"x" * (2 * KIB * KIB + 4 * KIB) + b'"}'
    for chunked in (True, False):
        status, headers, body, _ = send_request(central.port, "/v1/sync/changes", big, chunked, token, chunk=64 * KIB)
        assert status == 413, f"central sync push over 2 MiB ({'chunked' if chunked else 'Content-Length'}): {status} {body[:200]!r}"
        assert error_json(body)["code"] == "body_too_large", body
    check_413(central.port, "/v1/tasks", 80 * KIB, chunked=True, token=token, label="central")
    check_413(central.port, "/v1/tasks", 80 * KIB, chunked=False, token=token, label="central")
    assert central.readiness() == 200 and central.alive()
