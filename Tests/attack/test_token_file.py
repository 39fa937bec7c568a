"""`--api-token-file` follows the file while the agent runs: a rewritten token takes over
within 2 s (the old one is refused), a deleted file locks every /v1 request out (fail
closed) without stopping the agent, and /health stays open."""

from __future__ import annotations

import os

from conftest import StandaloneAgent, http, write_secret

V1 = ["/v1/tasks", "/v1/status", "/v1/node"]


def test_rewritten_token_file_takes_over_within_2_s_and_a_deleted_one_fails_closed(h):
    token_file = h.dir / "api.token"
    write_secret(token_file, "first-token-0123456789")
    agent = StandaloneAgent(h, "tokens", api_token_file=token_file).start()

    def status(token: str | None, path: str = "/v1/tasks") -> int:
        return http("GET", agent.url(path), token=token, timeout=5).status

    assert status("first-token-0123456789") == 200
    assert status(None) == 401

    # Replaced the way editors and Kubernetes do it: a new file renamed over the old one.
    write_secret(token_file, "second-token-0123456789")
    h.wait_until(lambda: status("second-token-0123456789") == 200 and status("first-token-0123456789") == 401, 2.0,
                 "the rewritten token works and the old one is refused",
                 detail=lambda: (status("second-token-0123456789"), status("first-token-0123456789")), interval=0.1)

    # Rewritten in place (same inode).
    with open(token_file, "w") as f:
        f.write("third-token-0123456789\n")
    h.wait_until(lambda: status("third-token-0123456789") == 200 and status("second-token-0123456789") == 401, 2.0,
                 "the token rewritten in place works and the previous one is refused",
                 detail=lambda: (status("third-token-0123456789"), status("second-token-0123456789")), interval=0.1)

    # Deleted: every /v1 request is refused, whatever token it carries; the agent keeps running.
    os.unlink(token_file)
    h.wait_until(lambda: all(status(t, p) == 401 for t in ("third-token-0123456789", None) for p in V1), 2.0,
                 "every /v1 request is refused once the token file is gone",
                 detail=lambda: {(t, p): status(t, p) for t in ("third-token-0123456789", None) for p in V1},
                 interval=0.1)
    write_r = agent.api("POST", "/v1/tasks", {"title": "locked out"}, token="third-token-0123456789")
    assert write_r.status == 401, write_r
    assert agent.alive()
    assert agent.api("GET", "/health").status == 200
    assert status("third-token-0123456789") == 401

    # A new file brings the API back.
    write_secret(token_file, "fourth-token-0123456789")
    h.wait_until(lambda: status("fourth-token-0123456789") == 200, 2.0, "the API opens again with a new token file",
                 interval=0.1)
