"""Recurring chores across replicas: real agents, central and PostgreSQL, a fault proxy
between each agent and central (fixtures in conftest.py).

Completing an occurrence creates the next one under an ID derived from the completed one,
so replicas that complete the same occurrence while apart create the same task, and the
merge unites them: exactly one next occurrence everywhere.
"""

from __future__ import annotations

from test_sync_e2e import next_ms, wait_ok, wait_state


def chore_tasks(replica, title):
    return [t for t in replica.tasks() if t["title"] == title]


def test_one_occurrence_completed_on_two_agents_and_central_apart_leaves_one_next(h):
    central = h.central(h.pg.create_database("chores"))
    a = h.agent("a", central)
    b = h.agent("b", central)
    wait_ok(h, a, b)
    chore = a.create("Bins out", repeat="weekly:tue", assignee="kid")
    assert chore["repeat"] == "weekly:tue" and chore["due_at"] is not None
    h.wait_converged(central, [a, b])

    # Apart: each agent's connections are refused, and all three replicas complete it.
    h.proxies["a"].set_mode("refuse")
    h.proxies["b"].set_mode("refuse")
    wait_state(h, a, "offline")
    wait_state(h, b, "offline")
    for replica in (a, b, central):
        next_ms()
        done = replica.patch(chore["id"], done=True)
        assert done["done"] is True
        mine = chore_tasks(replica, "Bins out")
        assert len(mine) == 2, (replica.name, mine)
        nxt = next(t for t in mine if not t["done"])
        assert nxt["series"] == chore["id"] and nxt["repeat"] == "weekly:tue" and nxt["assignee"] == "kid"
        assert nxt["due_at"] > chore["due_at"]
    ids = {replica.name: next(t["id"] for t in chore_tasks(replica, "Bins out") if not t["done"]) for replica in (a, b, central)}
    assert len(set(ids.values())) == 1, f"every replica derived the same next ID: {ids}"

    # Together again: one occurrence done, one next, on every replica, records identical.
    h.proxies["a"].set_mode("pass")
    h.proxies["b"].set_mode("pass")
    a.create("A is back")
    b.create("B is back")
    records = h.wait_converged(central, [a, b], timeout=60)
    following = [r for r in records.values() if r.get("series") == chore["id"]]
    assert len(following) == 1 and not following[0].get("deleted"), following
    for replica in (a, b, central):
        tasks = chore_tasks(replica, "Bins out")
        assert sorted(t["done"] for t in tasks) == [False, True], (replica.name, tasks)

    # Undo on one agent withdraws the untouched next occurrence everywhere.
    a.patch(chore["id"], done=False)
    h.wait_converged(central, [a, b], timeout=60)
    for replica in (a, b, central):
        tasks = chore_tasks(replica, "Bins out")
        assert [t["id"] for t in tasks] == [chore["id"]] and not tasks[0]["done"], (replica.name, tasks)

    # Completed again, then the whole series deleted from central: gone everywhere.
    b.patch(chore["id"], done=True)
    h.wait_converged(central, [a, b], timeout=60)
    nxt = next(t for t in chore_tasks(central, "Bins out") if not t["done"])
    r = central.api("DELETE", f"/v1/tasks/{nxt['id']}?series=true")
    assert r.status == 204, r
    h.wait_converged(central, [a, b], timeout=60)
    for replica in (a, b, central):
        assert chore_tasks(replica, "Bins out") == [], replica.name


def test_a_bad_repeat_rule_is_refused_everywhere_naming_the_field(h):
    central = h.central(h.pg.create_database("badrule"))
    a = h.agent("a", central)
    wait_ok(h, a)
    for replica in (a, central):
        for rule in ("yearly:02-30", "every fortnight", "Weekly:TUE", 7):
            r = replica.api("POST", "/v1/tasks", {"title": "Never", "repeat": rule})
            assert r.status == 422, (replica.name, rule, r)
            assert r.json["error"]["code"] == "invalid_field" and "repeat" in r.json["error"]["message"], r
        r = replica.api("DELETE", f"/v1/tasks/{a.create('x')['id'] if replica is a else central.create('y')['id']}?series=maybe")
        assert r.status == 400, r
    h.wait_converged(central, [a])
    assert all(t["title"] != "Never" for t in central.tasks())


def test_a_standalone_pi_keeps_its_log_bounded_and_hands_everything_to_its_first_central(h):
    from conftest import Agent

    central = h.central(h.pg.create_database("standalone"))
    token = h.add_node(central.db_url, "a")
    central.token = token.read_text().strip()
    a = Agent(h, "a", central.url(), token).start(standalone=True)
    assert a.sync_state() == "standalone"
    milk = a.create("Milk")
    for i in range(30):
        a.patch(milk["id"], notes=f"edit {i}")
    bins = a.create("Bins out", repeat="every 1w")
    a.patch(bins["id"], done=True)
    gone = a.create("Gone")
    a.delete(gone["id"])
    assert a.change_log_count() == 36  # the completion also created the next occurrence
    # The running agent folds the log at start and every 5 minutes: a restart folds it now.
    a.stop()
    a.start(standalone=True)
    h.wait_until(lambda: a.change_log_count() == 0, 20, "the standalone change log is folded into the records")
    before = a.records()
    assert len(before) == 4 and before[gone["id"]]["deleted"]
    a.stop()

    # A central configured at last: the first sync sends everything as a snapshot, once.
    a.start()
    records = h.wait_converged(central, [a], timeout=60)
    assert records == before, "central holds every record exactly as the Pi had it, stamps included"
    live = {t["title"] for t in central.tasks()}
    assert live == {"Milk", "Bins out"} and len(central.tasks()) == 3
    assert a.metrics()["edge_sync_resyncs_total"] == 1
