"""A task created with a client-chosen ID (`POST /v1/tasks` with `id`) exists once, however
often and wherever the request is repeated: a phone that lost the answer retries on the
same Pi, switches to another Pi that has not synced yet, or writes through central. Real
agents, central and PostgreSQL (fixtures in conftest.py)."""

from __future__ import annotations

import uuid


def test_one_task_however_often_and_wherever_its_create_is_repeated(h):
    central = h.central(h.pg.create_database("client_ids"))
    a = h.agent("a", central)
    b = h.agent("b", central)
    h.wait_until(lambda: a.sync_state() == "ok" and b.sync_state() == "ok", 30, "both agents sync",
                 detail=lambda: {x.name: x.status()["sync"] for x in (a, b)})

    # B cannot reach central, so it has not heard of what A creates.
    h.proxies["b"].set_mode("refuse")
    h.wait_until(lambda: b.sync_state() == "offline", 30, "b is offline", detail=lambda: b.status()["sync"])

    task_id = str(uuid.uuid4())
    request = {"id": task_id, "title": "Bins out", "assignee": "sam", "due_at": "2030-01-07T19:00:00+01:00"}
    first = a.api("POST", "/v1/tasks", request)
    assert first.status == 201, first
    assert first.json["id"] == task_id
    again = a.api("POST", "/v1/tasks", request)             # the answer was lost: the phone retries
    assert again.status == 200 and again.json == first.json, again
    on_b = b.api("POST", "/v1/tasks", request)              # then tries the household's other Pi
    assert on_b.status == 201 and on_b.json["id"] == task_id, on_b
    h.wait_until(lambda: task_id in central.records(), 30, "a's task reaches central")
    at_central = central.api("POST", "/v1/tasks", request)  # and central, which holds it from A
    assert at_central.status == 200 and at_central.json["id"] == task_id, at_central
    other = a.api("POST", "/v1/tasks", {**request, "assignee": "alex"})
    assert other.status == 409 and other.json["error"]["code"] == "task_exists", other

    h.proxies["b"].set_mode("pass")
    records = h.wait_converged(central, [a, b])
    assert [k for k in records if k == task_id] == [task_id]
    for replica in (a, b, central):
        tasks = [t for t in replica.tasks() if t["title"] == "Bins out"]
        assert len(tasks) == 1 and tasks[0]["id"] == task_id, (replica.name, tasks)
        assert tasks[0]["assignee"] == "sam" and tasks[0]["due_at"] == "2030-01-07T18:00:00Z"
        replay = replica.api("POST", "/v1/tasks", request)
        assert replay.status == 200 and replay.json["id"] == task_id, (replica.name, replay)
