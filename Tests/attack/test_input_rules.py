"""Hostile task fields on the household API, the agent's and central's alike: due times
outside what RFC 3339 text can hold, leap seconds, U+0000 and other control characters.
Each refusal is a 422 naming the field and writes nothing; what is accepted reads back as
the same instant or exactly the same text."""

from __future__ import annotations

from datetime import datetime

import pytest

from conftest import StandaloneAgent, central_with_token, error_json

# Each of these names no instant years 0001-9999 (UTC) can write back, or a leap second.
BAD_DUE = [
    "0000-01-01T00:00:00+23:59",   # year 0 once normalised to UTC
    "0001-01-01T00:00:00+00:01",   # 0000-12-31T23:59Z
    "9999-12-31T23:59:59-00:01",   # year 10000 in UTC
    "9999-12-31T23:30:00-01:00",
    "2026-12-31T23:59:60Z",        # leap second
    "2016-12-31T23:59:60+00:00",
    "00-1-12-31T00:01:00Z",
]

# Valid RFC 3339 with offsets and fractions: GET gives back the same instant.
GOOD_DUE = [
    "2026-12-24T18:30:00+02:00",
    "2026-12-24T18:30:00.5+05:30",
    "2027-01-01T00:00:00.123-08:00",
    "2026-06-30T23:59:59.999Z",
    "0001-01-01T00:00:00Z",
    "9999-12-31T23:59:59.999Z",
    "2030-03-01t10:00:00.250z",
]


def instant(text: str) -> datetime:
    return datetime.fromisoformat(text.upper().replace("Z", "+00:00"))


def check_due_rules(api, label: str):
    before = api("GET", "/v1/tasks?state=all")
    assert before.status == 200, before
    problems = []
    for due in BAD_DUE:
        r = api("POST", "/v1/tasks", {"title": "x", "due_at": due})
        if r.status != 422:
            problems.append(f"POST due_at {due!r}: expected 422, got {r}")
            continue
        error = error_json(r.body)
        if "due_at" not in error["message"]:
            problems.append(f"POST due_at {due!r}: the 422 message does not name due_at: {error}")
    after = api("GET", "/v1/tasks?state=all")
    if len(after.json["tasks"]) != len(before.json["tasks"]):
        problems.append(f"refused POSTs wrote tasks: {len(before.json['tasks'])} before, {len(after.json['tasks'])} after")
    for due in GOOD_DUE:
        r = api("POST", "/v1/tasks", {"title": "good due", "due_at": due})
        if r.status != 201:
            problems.append(f"POST due_at {due!r}: expected 201, got {r}")
            continue
        read = api("GET", f"/v1/tasks/{r.json['id']}")
        if read.status != 200 or read.json.get("due_at") is None or instant(read.json["due_at"]) != instant(due):
            problems.append(f"due_at {due!r} read back as {read.json.get('due_at') if read.json else read!r}")
    assert not problems, f"{label}:\n" + "\n".join(problems)


def check_text_rules(api, label: str):
    problems = []

    def refused(body: dict, field: str):
        r = api("POST", "/v1/tasks", body)
        if r.status != 422:
            problems.append(f"POST {body!r}: expected 422 naming {field}, got {r}")
            return
        error = error_json(r.body)
        if field not in error["message"]:
            problems.append(f"POST {body!r}: the 422 message does not name {field}: {error}")

    for field in ("title", "assignee", "notes"):
        for text in ("a\u0000b", "\u0000", "tail\u0000"):
            body = {"title": "nul test", field: text}
            refused(body, field)
    for char in ("\u0001", "\u0007", "\u0008", "\u000b", "\u000c", "\u001b", "\u001f", "\t", "\n", "\r"):
        refused({"title": f"in{char}side"}, "title")
        refused({"title": "assignee test", "assignee": f"an{char}na"}, "assignee")
    for char in ("\u0001", "\u0007", "\u000b", "\u000c", "\u001b", "\u001f"):
        refused({"title": "notes test", "notes": f"line{char}"}, "notes")
    kept = "line one\nline two\r\n\tindented\rlast\n"
    r = api("POST", "/v1/tasks", {"title": "notes keep whitespace", "notes": kept})
    if r.status != 201:
        problems.append(f"notes with tab, LF and CR: expected 201, got {r}")
    else:
        read = api("GET", f"/v1/tasks/{r.json['id']}")
        if read.json.get("notes") != kept:
            problems.append(f"notes with tab, LF and CR read back as {read.json.get('notes')!r}, sent {kept!r}")
    tasks = api("GET", "/v1/tasks?state=all").json["tasks"]
    stored = [t for t in tasks if t["title"] != "notes keep whitespace"]
    if stored:
        problems.append(f"refused POSTs wrote {len(stored)} tasks, e.g. {stored[0]!r}")
    assert not problems, f"{label}:\n" + "\n".join(problems)


@pytest.fixture
def agent(h):
    return StandaloneAgent(h, "rules").start()


def test_agent_refuses_due_at_outside_years_1_to_9999_and_leap_seconds_and_round_trips_offsets(h, agent):
    check_due_rules(agent.api, "agent")


def test_agent_refuses_nul_and_control_characters_in_text_fields_but_keeps_tab_newline_cr_in_notes(h, agent):
    check_text_rules(agent.api, "agent")


def test_central_refuses_due_at_outside_years_1_to_9999_and_leap_seconds_and_round_trips_offsets(h, pg):
    central, _, _ = central_with_token(h, pg)
    check_due_rules(central.api, "central")


def test_central_refuses_nul_and_control_characters_in_text_fields_but_keeps_tab_newline_cr_in_notes(h, pg):
    central, _, _ = central_with_token(h, pg)
    check_text_rules(central.api, "central")
