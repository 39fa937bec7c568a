"""The household's Pis learn each other's addresses through central (`--advertise-url`,
`POST /v1/sync/peers`), so that a page whose Pi stops answering can switch to another."""

from __future__ import annotations

from conftest import Agent, http


def test_agents_learn_each_others_addresses_from_central(h):
    central = h.central(h.pg.create_database("peers"))
    agents = []
    for name, url in (("a", "http://192.168.1.11:8080"), ("b", "HTTP://Pi-B.local:80/")):
        token = h.add_node(central.db_url, name)
        central.token = central.token or token.read_text().strip()
        proxy = h.proxy(name, central.port)
        agents.append(Agent(h, name, f"http://127.0.0.1:{proxy.port}", token, extra=["--advertise-url", url]).start())
    a, b = agents
    h.wait_until(lambda: a.api("GET", "/v1/peers").json["peers"] == ["http://pi-b.local"], 30, "a learns b's address")
    h.wait_until(lambda: b.api("GET", "/v1/peers").json["peers"] == ["http://192.168.1.11:8080"], 30, "b learns a's address")
    # b's page may now call a (CORS), another origin may not.
    r = http("GET", a.url("/v1/tasks"), headers={"Origin": "http://pi-b.local"})
    assert r.headers.get("Access-Control-Allow-Origin") == "http://pi-b.local", r
    r = http("GET", a.url("/v1/tasks"), headers={"Origin": "http://evil.example"})
    assert r.headers.get("Access-Control-Allow-Origin") is None, r

    # Central checks what it is told: the token's own node, an http(s) base URL.
    for body, status in (({"node": "b", "url": "http://x"}, 403), ({"node": "a", "url": "ftp://x"}, 422),
                         ({"node": "a", "url": "http://x/path"}, 422)):
        r = http("POST", central.url("/v1/sync/peers"), body, token=a.token_file.read_text().strip())
        assert r.status == status, (body, r)
    # A revoked node's address is no longer handed out.
    h.central_cli(central.db_url, "nodes", "revoke", "b")
    h.wait_until(lambda: a.api("GET", "/v1/peers").json["peers"] == [], 30, "a forgets the revoked b")
