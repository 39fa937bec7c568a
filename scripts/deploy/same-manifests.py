#!/usr/bin/env python3
"""Exit 0 when two multi-document YAML files hold the same Kubernetes objects
(order of documents and of map keys ignored); otherwise print the first
difference and exit 1.  Usage: same-manifests.py A.yaml B.yaml"""

import base64
import sys

import yaml


def objects(path):
    with open(path, encoding="utf-8") as f:
        docs = [d for d in yaml.safe_load_all(f) if d is not None]
    out = {}
    for d in docs:
        if d.get("kind") == "Secret" and d.get("data"):
            # kustomize wraps long base64 values; compare what they encode.
            d["data"] = {k: base64.b64decode("".join(v.split())) for k, v in d["data"].items()}
        meta = d.get("metadata", {})
        out[(d.get("apiVersion"), d.get("kind"), meta.get("namespace"), meta.get("name"))] = d
    return out


def diff(a, b, where=""):
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b), key=str):
            if k not in a or k not in b:
                return f"{where}.{k}: only in {'second' if k in b else 'first'}"
            d = diff(a[k], b[k], f"{where}.{k}")
            if d:
                return d
        return None
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return f"{where}: {len(a)} vs {len(b)} items"
        for i, (x, y) in enumerate(zip(a, b)):
            d = diff(x, y, f"{where}[{i}]")
            if d:
                return d
        return None
    return None if a == b else f"{where}: {a!r} != {b!r}"


def main():
    if len(sys.argv) != 3:
        print("usage: same-manifests.py A.yaml B.yaml", file=sys.stderr)
        return 2
    a, b = objects(sys.argv[1]), objects(sys.argv[2])
    d = diff(a, b)
    if d:
        print(f"manifests differ at {d}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
