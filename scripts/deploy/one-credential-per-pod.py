#!/usr/bin/env python3
"""Checks rendered manifests: no pod of the agent DaemonSet mounts a Secret that can hold
more than one node's credential. Every Secret volume of an edge-agent pod must name
exactly one key (`items`), and no Secret volume anywhere may be the old all-nodes
`edge-agent-node-tokens`. A Pi, or a curious container on it, then holds only the
household's join token and its own credential (in its hostPath state directory).

Usage: one-credential-per-pod.py RENDERED.yaml...   (exit 1 naming each problem)"""

import sys

import yaml


def pod_spec(doc):
    kind = doc.get("kind")
    spec = doc.get("spec") or {}
    if kind in ("DaemonSet", "Deployment", "StatefulSet", "Job", "ReplicaSet"):
        return (spec.get("template") or {}).get("spec") or {}
    if kind == "CronJob":
        return ((((spec.get("jobTemplate") or {}).get("spec") or {}).get("template") or {}).get("spec")) or {}
    if kind == "Pod":
        return spec
    return None


def main(paths):
    problems, agent_pods = [], 0
    for path in paths:
        with open(path) as f:
            docs = [d for d in yaml.safe_load_all(f) if d]
        for doc in docs:
            spec = pod_spec(doc)
            if spec is None:
                continue
            name = f"{path}: {doc['kind']} {doc.get('metadata', {}).get('name')}"
            labels = (doc.get("metadata") or {}).get("labels") or {}
            is_agent = labels.get("app.kubernetes.io/name") == "edge-agent" and doc["kind"] == "DaemonSet"
            agent_pods += is_agent
            for volume in spec.get("volumes") or []:
                secret = volume.get("secret")
                if secret is None:
                    continue
                if "node-tokens" in secret.get("secretName", ""):
                    problems.append(f"{name} mounts {secret['secretName']}, a Secret with every node's token")
                if is_agent and len(secret.get("items") or []) != 1:
                    problems.append(f"{name}: Secret volume {volume.get('name')} ({secret.get('secretName')}) must name "
                                    f"exactly one key with items: an agent pod holds no other node's credential")
    if agent_pods == 0:
        problems.append("no edge-agent DaemonSet found in " + " ".join(paths))
    for p in problems:
        print(p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
