"""Central against hostile sync pushes: an invalid change in a batch is refused on its own
(the others are applied, nothing of it is written); a change stamped by another node in a
node's own push is a forgery that refuses the whole batch; a snapshot push cannot bring in
changes of a node central has never seen."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
import uuid

from conftest import HTTPResult, central_with_token, rfc3339, stamp


def change(node: str, title: str, task_id: str | None = None, **fields) -> dict:
    ms = int(time.time() * 1000)
    return {"change_id": str(uuid.uuid4()), "task_id": task_id or str(uuid.uuid4()), "stamp": stamp(ms, node),
            "created_at": rfc3339(ms), "origin": node, "set": {"title": title, "notes": "", **fields}}


def post(central, path: str, body: dict, token: str) -> HTTPResult:
    request = urllib.request.Request(central.url(path), data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json", "Accept": "application/json",
                                              "Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return HTTPResult(response.status, response.headers, response.read())
    except urllib.error.HTTPError as e:
        return HTTPResult(e.code, e.headers, e.read())


def written(central, c: dict) -> list[str]:
    """Where central holds anything of change `c` (its task, its ledger entry, its feed row)."""
    places = []
    if central.sql(f"SELECT count(*) FROM task WHERE id = '{c['task_id']}'") != "0":
        places.append("task")
    if central.sql(f"SELECT count(*) FROM applied_change WHERE change_id = '{c['change_id']}'") != "0":
        places.append("applied_change")
    if central.sql(f"SELECT count(*) FROM change_feed WHERE change_id = '{c['change_id']}' "
                   f"OR task_id = '{c['task_id']}'") != "0":
        places.append("change_feed")
    return places


def rows(central) -> str:
    return central.sql("SELECT (SELECT count(*) FROM task) || ' ' || (SELECT count(*) FROM applied_change) || ' ' || "
                       "(SELECT count(*) FROM change_feed)")


def outcomes(r: HTTPResult) -> dict[str, dict]:
    return {x["change_id"]: x for x in r.json["results"]}


def test_one_invalid_change_is_rejected_alone_and_the_rest_of_the_batch_applied(h, pg):
    central, _, token = central_with_token(h, pg)
    good1, good2, good3 = change("a", "milk"), change("a", "bread"), change("a", "eggs")
    control = change("a", "bell\u0007inside")
    untrimmed = change("a", "  padded  ")
    nul_notes = change("a", "nul notes", notes="a\u0000b")
    batch = [good1, control, good2, untrimmed, nul_notes, good3]
    r = post(central, "/v1/sync/changes", {"node": "a", "mode": "log",
                                           "changes": batch}, token)
    assert r.status == 200, f"a batch with invalid changes among valid ones: expected 200, got {r}"
    results = outcomes(r)
    assert [x["change_id"] for x in r.json["results"]] == [c["change_id"] for c in batch], r.json
    for good in (good1, good2, good3):
        assert results[good["change_id"]]["outcome"] == "applied", results[good["change_id"]]
        assert written(central, good), f"the valid change {good['set']['title']!r} was not written"
    for bad in (control, untrimmed, nul_notes):
        result = results[bad["change_id"]]
        assert result["outcome"] == "rejected", f"{bad['set']!r}: {result}"
        assert isinstance(result.get("reason"), str) and result["reason"].strip(), f"no reason given: {result}"
        assert not written(central, bad), f"the rejected change {bad['set']!r} was written to {written(central, bad)}"
    assert "title" in results[control["change_id"]]["reason"], results[control["change_id"]]
    assert "notes" in results[nul_notes["change_id"]]["reason"], results[nul_notes["change_id"]]
    assert central.readiness() == 200 and central.alive()


def test_a_change_stamped_by_another_node_in_a_log_push_is_a_forgery_and_refuses_the_batch(h, pg):
    central, db, token = central_with_token(h, pg)
    h.add_node(db, "b")
    before = rows(central)
    good = change("a", "mine")
    forged = change("b", "not mine")
    unknown = change("ghost", "nobody's")
    for batch, bad in (([good, forged], forged), ([good, unknown], unknown)):
        r = post(central, "/v1/sync/changes", {"node": "a", "mode": "log",
                                               "changes": batch}, token)
        assert r.status == 403, f"a change stamped by {bad['origin']!r} pushed with a's token: expected 403, got {r}"
        error = r.json["error"]
        assert error["code"] == "forged_change", error
        assert bad["change_id"] in error["message"], f"the message does not name the forged change: {error}"
        assert rows(central) == before, "a refused batch wrote rows"
        assert not written(central, good)
    # The forged change's stamp copied onto an `origin` of a: still forged (the stamp decides).
    disguised = change("b", "disguised")
    disguised["origin"] = "a"
    r = post(central, "/v1/sync/changes", {"node": "a", "mode": "log",
                                           "changes": [disguised]}, token)
    assert r.status == 403 and r.json["error"]["code"] == "forged_change", r
    assert rows(central) == before


def test_a_snapshot_push_cannot_bring_in_a_change_of_a_node_central_never_saw(h, pg):
    central, db, token = central_with_token(h, pg)
    h.add_node(db, "b")
    opened = post(central, "/v1/sync/resync", {"node": "a"}, token)
    assert opened.status == 200, opened
    own = change("a", "my snapshot")
    ghost = change("ghost", "from nowhere")  # a node central does not know
    unseen = change("b", "never pushed by b")  # a registered node, a change central never saw
    r = post(central, "/v1/sync/changes", {"node": "a", "mode": "snapshot", "changes": [own, ghost, unseen]}, token)
    assert r.status == 200, f"a snapshot push with changes of other nodes central never saw: expected 200, got {r}"
    results = outcomes(r)
    for bad in (ghost, unseen):
        assert results[bad["change_id"]]["outcome"] == "refused", results
        assert not written(central, bad), f"the refused change was written to {written(central, bad)}"
    assert results[own["change_id"]]["outcome"] == "applied", results
    assert written(central, own)
    # Pushed again, alone: still refused, still not written, never a 2xx "applied".
    again = post(central, "/v1/sync/changes", {"node": "a", "mode": "snapshot", "changes": [ghost]}, token)
    assert again.status == 200 and outcomes(again)[ghost["change_id"]]["outcome"] == "refused", again
    assert not written(central, ghost)
    tasks = central.api("GET", "/v1/tasks?state=all").json["tasks"]
    assert not {ghost["task_id"], unseen["task_id"]} & {t["id"] for t in tasks}
