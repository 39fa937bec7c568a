"""Brute force against central's node tokens: a source address that fails authentication
too often gets 429 `too_many_failures` with `Retry-After` before its token is even looked
up (20 failures at once, then one more every 3 s), so a few hundred guesses get nowhere.
Counted in edge_central_auth_failures_total and edge_central_auth_rate_limited_total. No
guessed token is echoed in a body."""

from __future__ import annotations

import secrets

from conftest import central_with_token, http, metric, parse_metrics


def test_central_rate_limits_failed_authentication_per_address(h, pg):
    central, _, token = central_with_token(h, pg)
    assert http("GET", central.url("/v1/tasks"), token=token).status == 200
    statuses: dict[int, int] = {}
    retry_after: set[str] = set()
    for _ in range(300):
        guess = "edge1_" + secrets.token_urlsafe(32)
        r = http("GET", central.url("/v1/nodes"), token=guess)
        statuses[r.status] = statuses.get(r.status, 0) + 1
        assert guess.encode() not in r.body, "a guessed token was echoed in the error body"
        assert r.status in (401, 429), f"a wrong token got {r.status}: {r.body[:200]!r}"
        if r.status == 429:
            assert r.json["error"]["code"] == "too_many_failures", r.json
            retry_after.add(r.headers["Retry-After"])
    print(f"300 wrong tokens: {statuses}; Retry-After values {sorted(retry_after)}")
    # 20 at once, and at most a few more refilled (one per 3 s) while the loop ran.
    assert statuses.get(401, 0) <= 25, f"{statuses.get(401, 0)} of 300 guesses were checked: no rate limit"
    assert statuses.get(429, 0) >= 275, statuses
    assert retry_after and all(v.isdigit() and 1 <= int(v) <= 3 for v in retry_after), retry_after

    # The limit is per address and refuses before the lookup: a good token from the same
    # address waits too (it is the address that misbehaved) ...
    limited = http("GET", central.url("/v1/tasks"), token=token)
    assert limited.status == 429 and int(limited.headers["Retry-After"]) >= 1, limited
    # ... while probes and /metrics never need a token and are never limited.
    assert http("GET", central.url("/health")).status == 200
    m = parse_metrics(http("GET", central.url("/metrics")).body.decode())
    assert metric(m, "edge_central_auth_failures_total") == statuses.get(401, 0), m.get("edge_central_auth_failures_total")
    assert metric(m, "edge_central_auth_rate_limited_total") >= statuses.get(429, 0) + 1
    assert token not in http("GET", central.url("/metrics")).body.decode()
