#!/usr/bin/env python3
"""Render a kustomization to multi-document YAML on stdout.

A small stand-in for `kustomize build` / `kubectl kustomize`, for machines
that have neither (Debian 12 ships no kustomize, and only an old kubectl).
It implements the subset that k8s/ uses, with kustomize's semantics:

  resources        files and directories (bases), in order
  components       directories holding a `kind: Component` kustomization,
                   applied after the resources, before generators
  namespace        set on every namespaced object
  labels           pairs added to metadata.labels (includeSelectors and
                   includeTemplates are not supported)
  patches          `path:` strategic-merge patches, matched by kind and name
  images           name -> newName / newTag / digest
  secretGenerator  envs / files / literals, with
  generatorOptions disableNameSuffixHash: true (name hashes are unsupported)

Anything else in a kustomization.yaml stops rendering with one clear line.
scripts/check-deploy.sh compares this output with `kubectl kustomize` where
kubectl exists, so the two cannot drift apart unnoticed.

Usage: kustomize.py DIR
"""

import base64
import copy
import os
import sys

import yaml

SUPPORTED = {
    "apiVersion", "kind", "resources", "components", "namespace", "labels",
    "patches", "images", "secretGenerator", "generatorOptions",
}

# Kinds without a namespace (the ones that could appear here).
CLUSTER_SCOPED = {
    "Namespace", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition",
    "PersistentVolume", "StorageClass", "PriorityClass", "Node",
    "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration",
}

# Strategic-merge keys of the Kubernetes API for lists that appear here
# (x-kubernetes-patch-merge-key). Lists not named here are replaced whole.
MERGE_KEYS = {
    "containers": "name",
    "initContainers": "name",
    "ephemeralContainers": "name",
    "env": "name",
    "volumes": "name",
    "volumeMounts": "mountPath",
    "volumeDevices": "devicePath",
    "imagePullSecrets": "name",
    "hostAliases": "ip",
    "topologySpreadConstraints": "topologyKey",
}
# `ports` merges on containerPort in a container and on port in a Service.
PORT_KEYS = ("containerPort", "port")


class RenderError(Exception):
    pass


def load_yaml_docs(path):
    with open(path, encoding="utf-8") as f:
        return [d for d in yaml.safe_load_all(f) if d is not None]


def kustomization_file(directory):
    for name in ("kustomization.yaml", "kustomization.yml", "Kustomization"):
        p = os.path.join(directory, name)
        if os.path.isfile(p):
            return p
    raise RenderError(f"{directory}: no kustomization.yaml")


def within(root, path):
    root = os.path.realpath(root)
    real = os.path.realpath(path)
    return real == root or real.startswith(root + os.sep)


def smp_merge(base, patch, field=None):
    """Strategic merge of patch into base (both already parsed YAML)."""
    if isinstance(patch, dict):
        if patch.get("$patch") == "replace":
            return {k: v for k, v in patch.items() if k != "$patch"}
        if not isinstance(base, dict):
            return {k: v for k, v in patch.items() if k != "$patch"}
        out = dict(base)
        for key, value in patch.items():
            if key == "$patch":
                continue
            if value is None:
                out.pop(key, None)
            elif key in out:
                out[key] = smp_merge(out[key], value, key)
            else:
                out[key] = smp_merge(None, value, key)
        return out
    if isinstance(patch, list):
        key = MERGE_KEYS.get(field)
        if field == "ports":
            key = next((k for k in PORT_KEYS
                        if patch and all(isinstance(i, dict) and k in i for i in patch)), None)
        if key is None or not isinstance(base, list):
            return [smp_merge(None, i) for i in patch]
        out = list(base)
        for item in patch:
            if not isinstance(item, dict) or key not in item:
                raise RenderError(f"patch list {field!r}: item without merge key {key!r}")
            idx = next((i for i, b in enumerate(out)
                        if isinstance(b, dict) and b.get(key) == item[key]), None)
            if item.get("$patch") == "delete":
                if idx is not None:
                    out.pop(idx)
            elif idx is None:
                out.append(smp_merge(None, item))
            else:
                out[idx] = smp_merge(out[idx], item)
        return out
    return patch


def apply_images(obj, images):
    def fix(image):
        for rule in images:
            name = rule["name"]
            rest = image[len(name):]
            if image != name and not rest.startswith((":", "@")):
                continue
            new = rule.get("newName", name)
            if "digest" in rule:
                return f"{new}@{rule['digest']}"
            if "newTag" in rule:
                return f"{new}:{rule['newTag']}"
            return new + rest
        return image

    def walk(node):
        if isinstance(node, dict):
            for k, v in node.items():
                if k in ("containers", "initContainers", "ephemeralContainers") and isinstance(v, list):
                    for c in v:
                        if isinstance(c, dict) and isinstance(c.get("image"), str):
                            c["image"] = fix(c["image"])
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(obj)


def parse_env_file(path):
    data = {}
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if "=" not in line:
                raise RenderError(f"{path}:{n}: expected KEY=VALUE")
            key, value = line.split("=", 1)
            data[key] = value
    return data


def generate_secret(spec, root, options):
    if not (options.get("disableNameSuffixHash") or spec.get("options", {}).get("disableNameSuffixHash")):
        raise RenderError("secretGenerator: name suffix hashes are unsupported here; "
                          "set generatorOptions.disableNameSuffixHash: true")
    data = {}
    for env in spec.get("envs", []):
        p = os.path.join(root, env)
        if not os.path.isfile(p):
            raise RenderError(f"secretGenerator {spec['name']}: missing file {p}")
        data.update(parse_env_file(p))
    for item in spec.get("files", []):
        key, _, rel = item.partition("=") if "=" in item else (os.path.basename(item), "", item)
        p = os.path.join(root, rel)
        if not os.path.isfile(p):
            raise RenderError(f"secretGenerator {spec['name']}: missing file {p}")
        with open(p, encoding="utf-8") as f:
            data[key] = f.read()
    for item in spec.get("literals", []):
        key, _, value = item.partition("=")
        data[key] = value
    secret = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": spec["name"]},
        "type": spec.get("type", "Opaque"),
        "data": {k: base64.b64encode(v.encode()).decode() for k, v in data.items()},
    }
    if "namespace" in spec:
        secret["metadata"]["namespace"] = spec["namespace"]
    return secret


def build(directory, accumulated=None):
    """Renders the kustomization in directory. A Component (kind: Component) is
    given the objects accumulated so far (`accumulated`): like kustomize, it adds
    its resources to them and its transformations apply to all of them."""
    path = kustomization_file(directory)
    with open(path, encoding="utf-8") as f:
        k = yaml.safe_load(f) or {}
    unknown = set(k) - SUPPORTED
    if unknown:
        raise RenderError(f"{path}: unsupported field(s) {', '.join(sorted(unknown))}")
    is_component = k.get("kind") == "Component"
    if is_component and accumulated is None:
        raise RenderError(f"{path}: a Component belongs under `components:`, not `resources:`")
    if not is_component and accumulated is not None:
        raise RenderError(f"{path}: listed under `components:` but its kind is not Component")

    objects = accumulated if accumulated is not None else []
    for res in k.get("resources", []):
        p = os.path.join(directory, res)
        if os.path.isdir(p):
            objects.extend(build(p))
        elif os.path.isfile(p):
            if not within(directory, p):
                raise RenderError(f"{path}: resource file {res} is outside the kustomization root")
            objects.extend(copy.deepcopy(load_yaml_docs(p)))
        else:
            raise RenderError(f"{path}: resource {res} not found")

    for comp in k.get("components", []) or []:
        p = os.path.join(directory, comp)
        if not os.path.isdir(p):
            raise RenderError(f"{path}: component {comp} is not a directory")
        objects = build(p, objects)

    options = k.get("generatorOptions", {}) or {}
    for spec in k.get("secretGenerator", []) or []:
        objects.append(generate_secret(spec, directory, options))

    for patch in k.get("patches", []) or []:
        if set(patch) != {"path"}:
            raise RenderError(f"{path}: only `patches: - path: FILE` is supported")
        for doc in load_yaml_docs(os.path.join(directory, patch["path"])):
            kind, name = doc.get("kind"), doc.get("metadata", {}).get("name")
            hits = [i for i, o in enumerate(objects)
                    if o.get("kind") == kind and o.get("metadata", {}).get("name") == name]
            if len(hits) != 1:
                raise RenderError(f"{path}: patch {patch['path']} matches {len(hits)} {kind}/{name}")
            objects[hits[0]] = smp_merge(objects[hits[0]], doc)

    if k.get("images"):
        for obj in objects:
            apply_images(obj, k["images"])

    for group in k.get("labels", []) or []:
        if group.get("includeSelectors") or group.get("includeTemplates"):
            raise RenderError(f"{path}: labels with includeSelectors/includeTemplates are unsupported")
        for obj in objects:
            obj.setdefault("metadata", {}).setdefault("labels", {}).update(group.get("pairs", {}))

    if k.get("namespace"):
        for obj in objects:
            if obj.get("kind") not in CLUSTER_SCOPED:
                obj.setdefault("metadata", {})["namespace"] = k["namespace"]

    return objects


def main(argv):
    if len(argv) != 2:
        print("usage: kustomize.py DIR", file=sys.stderr)
        return 2
    try:
        objects = build(argv[1])
    except (RenderError, OSError, yaml.YAMLError) as e:
        print(f"kustomize.py: {e}", file=sys.stderr)
        return 1
    yaml.safe_dump_all(objects, sys.stdout, sort_keys=True, default_flow_style=False)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
