#!/usr/bin/env python3
"""Embeds openapi/agent.json and openapi/central.json into the two servers.

The documents are edited as files (openapi/README.md). Each may refer to a component of
openapi/common.json, which holds what both servers share, as `common.json#/components/...`;
this script copies every such component (and what it refers to, transitively) into the
document and turns the reference into a local one. Inside common.json a `#/components/...`
reference names the embedding document's component (both documents define `Task`, for
example). The result is written, compact, as a Swift string:

  openapi/agent.json   -> Sources/AgentAPI/OpenAPIDocument.swift        (GET /openapi.json)
  openapi/central.json -> Sources/CentralAPI/CentralOpenAPIDocument.swift

Run after editing any of the three files; a test in each server's test target fails if the
embedded copy differs from the files. `--check` writes nothing and exits 1 when an embedded
copy is stale.
"""
import json
import pathlib
import sys

root = pathlib.Path(__file__).resolve().parent.parent
COMMON = "common.json#"
DELIMITER = "#####"
TARGETS = [
    ("agent.json", "Sources/AgentAPI/OpenAPIDocument.swift", "OpenAPIDocument",
     "The OpenAPI 3.0.3 document of the agent's HTTP API, served at `GET /openapi.json`\n"
     "/// (docs/agent-api.md is its human-readable companion)."),
    ("central.json", "Sources/CentralAPI/CentralOpenAPIDocument.swift", "CentralOpenAPIDocument",
     "The OpenAPI 3.0.3 document of central's HTTP API, served at `GET /openapi.json`\n"
     "/// (docs/central-api.md is its human-readable companion)."),
]


def fail(message):
    sys.exit(f"embed-openapi: {message}")


def load(name):
    path = root / "openapi" / name
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        fail(f"openapi/{name}: {error}")


def pointer(document, ref, where):
    """The object at a `#/a/b` JSON pointer in `document`."""
    node = document
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        if not isinstance(node, dict) or part not in node:
            fail(f"{where}: {ref} names nothing")
        node = node[part]
    return node


def merged(name, common):
    document = load(name)
    pending = []

    def rewrite(node):
        if isinstance(node, dict):
            out = {}
            for key, value in node.items():
                if key == "$ref" and isinstance(value, str) and value.startswith(COMMON):
                    local = value[len(COMMON) - 1:]
                    pending.append(local)
                    out[key] = local
                else:
                    out[key] = rewrite(value)
            return out
        if isinstance(node, list):
            return [rewrite(value) for value in node]
        return node

    document = rewrite(document)
    copied = set()
    while pending:
        ref = pending.pop()
        if ref in copied:
            continue
        copied.add(ref)
        parts = ref[2:].split("/")
        if len(parts) != 3 or parts[0] != "components":
            fail(f"openapi/{name}: {COMMON}{ref[1:]} must name a component (common.json#/components/KIND/NAME)")
        component = pointer(common, ref, "openapi/common.json")
        section = document.setdefault("components", {}).setdefault(parts[1], {})
        if parts[2] in section and section[parts[2]] != component:
            fail(f"openapi/{name} defines components/{parts[1]}/{parts[2]} and also takes it from common.json")
        section[parts[2]] = component

        def collect(node):
            if isinstance(node, dict):
                for key, value in node.items():
                    if key == "$ref" and isinstance(value, str) and value.startswith("#/components/") \
                            and value not in copied and _in_common(common, value):
                        pending.append(value)
                    else:
                        collect(value)
            elif isinstance(node, list):
                for value in node:
                    collect(value)

        collect(component)
    # Every local reference must resolve in the merged document.
    def check(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "$ref" and isinstance(value, str):
                    if not value.startswith("#/"):
                        fail(f"openapi/{name}: {value}: only local and {COMMON} references are embedded")
                    pointer(document, value, f"openapi/{name} (merged)")
                else:
                    check(value)
        elif isinstance(node, list):
            for value in node:
                check(value)

    check(document)
    return document


def _in_common(common, ref):
    parts = ref[2:].split("/")
    return len(parts) == 3 and parts[2] in common.get("components", {}).get(parts[1], {})


def swift(source, type_name, summary, document):
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    if f'"""{DELIMITER}' in text:
        fail(f"openapi/{source} contains the raw-string delimiter; change it in this script")
    return (
        f"// Generated by scripts/embed-openapi.py from openapi/{source} and openapi/common.json.\n"
        "// Do not edit; edit those files and rerun the script.\n"
        "// swift-format-ignore-file\n"
        f"/// {summary}\n"
        f"enum {type_name} {{\n"
        f'    static let json: String = {DELIMITER}"""\n{text}\n"""{DELIMITER}\n'
        "}\n"
    )


def main():
    check_only = sys.argv[1:] == ["--check"]
    if sys.argv[1:] and not check_only:
        fail("usage: scripts/embed-openapi.py [--check]")
    common = load("common.json")
    stale = []
    for source, target, type_name, summary in TARGETS:
        text = swift(source, type_name, summary, merged(source, common))
        path = root / target
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == text:
            continue
        if check_only:
            stale.append(target)
        else:
            path.write_text(text, encoding="utf-8")
            print(f"embed-openapi: {target} ({len(text.encode())} bytes)")
    if stale:
        fail(f"{', '.join(stale)} differ from openapi/; run scripts/embed-openapi.py")


main()
