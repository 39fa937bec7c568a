#!/usr/bin/env python3
"""Checks of the monitoring kit (monitoring/, k8s/components/monitoring), for
scripts/check-monitoring.sh. Paths are the repository's own.

  kit.py prometheus-rule          print k8s/components/monitoring/prometheusrule.yaml as
                                  generated from monitoring/edge-agent-alerts.yml
  kit.py dashboard                check monitoring/grafana-dashboard.json
  kit.py manifests RENDERED.yaml  check the monitors and the rule in a rendered overlay
                                  that uses the component, against the agent and central
  kit.py metric-names METRICS...  every metric name in the rules and the dashboard is in
                                  one of the METRICS files (Prometheus text from a real
                                  /metrics) or in monitoring/proposed-metrics.txt

Each prints one line on success and exits 0; otherwise it lists every problem on
standard error and exits 1.
"""

import json
import os
import re
import sys

import yaml

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ALERTS = os.path.join(REPO, "monitoring", "edge-agent-alerts.yml")
DASHBOARD = os.path.join(REPO, "monitoring", "grafana-dashboard.json")
PROPOSED = os.path.join(REPO, "monitoring", "proposed-metrics.txt")
RULE_HEADER = """\
# GENERATED from monitoring/edge-agent-alerts.yml by `scripts/check-monitoring.sh
# --update-rule`: edit that file, not this one (scripts/check-monitoring.sh fails while
# the two differ). The groups below are that file's, verbatim, comments included.
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata:
  name: edge-agent
  labels:
    app.kubernetes.io/name: edge-agent
    app.kubernetes.io/part-of: edge-agent
    release: kube-prometheus-stack
spec:
"""


class Problems(Exception):
    pass


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


# --- the PrometheusRule --------------------------------------------------------

def prometheus_rule():
    text = read(ALERTS)
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith("groups:")), None)
    if start is None:
        raise Problems([f"{ALERTS}: no top-level `groups:` line"])
    body = ["  " + line if line.strip() else "" for line in lines[start:]]
    return RULE_HEADER + "\n".join(body) + "\n"


# --- PromQL: the metric names an expression reads ------------------------------

KEYWORDS = {"and", "or", "unless", "by", "without", "on", "ignoring", "group_left",
            "group_right", "bool", "offset", "inf", "nan", "start", "end"}


def metric_names(expr):
    """The metric names in a PromQL expression (Grafana's $variables allowed): every
    identifier that is not a function or aggregation (followed by "("), a keyword, a
    label inside {...} or by/without/on/ignoring (...), a range or a number's exponent."""
    e = re.sub(r'"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])*\'|`[^`]*`', '""', expr)
    e = re.sub(r"\{[^}]*\}", " ", e)
    e = re.sub(r"\[[^\]]*\]", " ", e)
    e = re.sub(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", e)
    names = []
    for m in re.finditer(r"[A-Za-z_:][A-Za-z0-9_:]*", e):
        before = e[m.start() - 1] if m.start() else " "
        if before.isdigit() or before in ".$":
            continue  # 1e3, 5m, $node
        if e[m.end():].lstrip().startswith("(") or m.group(0) in KEYWORDS:
            continue
        names.append(m.group(0))
    return names


def rule_exprs():
    doc = yaml.safe_load(read(ALERTS))
    for group in doc["groups"]:
        for rule in group["rules"]:
            yield f"rule {rule.get('alert') or rule.get('record')}", rule["expr"]


def variable_query(var):
    q = var.get("query")
    return q.get("query", "") if isinstance(q, dict) else (q or "")


def dashboard_exprs(dash):
    for var in dash.get("templating", {}).get("list", []):
        if var.get("type") == "query":
            q = variable_query(var)
            m = re.fullmatch(r"\s*label_values\((.*),\s*[A-Za-z_][A-Za-z0-9_]*\s*\)\s*", q)
            yield f"variable ${var['name']}", m.group(1) if m else q
    for panel in all_panels(dash):
        for t in panel.get("targets", []):
            yield f"panel {panel.get('title')!r} {t.get('refId')}", t.get("expr", "")


def all_panels(dash):
    for p in dash.get("panels", []):
        yield p
        yield from p.get("panels", [])  # collapsed rows


# --- checks -------------------------------------------------------------------

def check_dashboard():
    problems = []
    try:
        dash = json.loads(read(DASHBOARD))
    except ValueError as e:
        raise Problems([f"{DASHBOARD}: not JSON: {e}"])
    if not isinstance(dash.get("schemaVersion"), int) or dash["schemaVersion"] < 36:
        problems.append(f"schemaVersion {dash.get('schemaVersion')!r}: expected 36 or newer")
    for key in ("title", "uid"):
        if not dash.get(key):
            problems.append(f"no {key}")
    variables = {v.get("name"): v for v in dash.get("templating", {}).get("list", [])}
    ds_var = variables.get("DS_PROMETHEUS")
    if not ds_var or ds_var.get("type") != "datasource" or ds_var.get("query") != "prometheus":
        problems.append("no datasource variable DS_PROMETHEUS of type prometheus")
    if "node" not in variables or variables["node"].get("type") != "query":
        problems.append("no query variable `node`")
    ids, queries = set(), 0
    for p in all_panels(dash):
        title = p.get("title")
        if p.get("id") in ids:
            problems.append(f"panel {title!r}: id {p.get('id')} used twice")
        ids.add(p.get("id"))
        if not p.get("gridPos"):
            problems.append(f"panel {title!r}: no gridPos")
        if p.get("type") == "row":
            continue
        ds = p.get("datasource") or {}
        if ds.get("uid") != "${DS_PROMETHEUS}":
            problems.append(f"panel {title!r}: datasource is not ${{DS_PROMETHEUS}}")
        targets = [t for t in p.get("targets", []) if t.get("expr", "").strip()]
        if not targets or len(targets) != len(p.get("targets", [])):
            problems.append(f"panel {title!r}: a panel without a query, or an empty query")
        for t in p.get("targets", []):
            queries += 1
            if (t.get("datasource") or ds).get("uid") != "${DS_PROMETHEUS}":
                problems.append(f"panel {title!r} {t.get('refId')}: datasource is not ${{DS_PROMETHEUS}}")
            used = set(re.findall(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)", t.get("expr", "")))
            for v in used - set(variables) - {"__rate_interval", "__interval", "__range"}:
                problems.append(f"panel {title!r} {t.get('refId')}: ${v} is not a dashboard variable")
    for where, expr in dashboard_exprs(dash):
        if not metric_names(expr):
            problems.append(f"{where}: reads no metric: {expr!r}")
    if problems:
        raise Problems(problems)
    return f"{sum(1 for p in all_panels(dash) if p.get('type') != 'row')} panels, {queries} queries"


def labels_match(selector, labels):
    return all(labels.get(k) == v for k, v in (selector.get("matchLabels") or {}).items())


def check_manifests(rendered):
    problems = []
    docs = [d for d in yaml.safe_load_all(read(rendered)) if d]
    by_kind = {}
    for d in docs:
        by_kind.setdefault(d.get("kind"), []).append(d)

    def one(kind, name):
        hits = [d for d in by_kind.get(kind, []) if d["metadata"].get("name") == name]
        if len(hits) != 1:
            problems.append(f"{rendered}: {len(hits)} {kind}/{name}, expected 1")
            return None
        return hits[0]

    daemonset = one("DaemonSet", "edge-agent")
    service = one("Service", "edge-central")
    deployment = one("Deployment", "edge-central")
    podmonitor = one("PodMonitor", "edge-agent")
    servicemonitor = one("ServiceMonitor", "edge-central")
    rule = one("PrometheusRule", "edge-agent")
    for d in (podmonitor, servicemonitor, rule):
        if d and d.get("apiVersion") != "monitoring.coreos.com/v1":
            problems.append(f"{d['kind']}/{d['metadata']['name']}: apiVersion is not monitoring.coreos.com/v1")

    if daemonset and podmonitor:
        pod = daemonset["spec"]["template"]
        spec = podmonitor["spec"]
        if podmonitor["metadata"].get("namespace") != daemonset["metadata"].get("namespace"):
            problems.append("PodMonitor edge-agent is not in the DaemonSet's namespace")
        if not spec.get("selector", {}).get("matchLabels") or not labels_match(spec["selector"], pod["metadata"]["labels"]):
            problems.append("PodMonitor edge-agent's selector does not match the agent pods' labels")
        if deployment and labels_match(spec.get("selector", {}), deployment["spec"]["template"]["metadata"]["labels"]):
            problems.append("PodMonitor edge-agent also selects central's pods")
        ports = {p.get("name") for c in pod["spec"]["containers"] for p in c.get("ports", [])}
        endpoints = spec.get("podMetricsEndpoints") or []
        if not endpoints:
            problems.append("PodMonitor edge-agent has no podMetricsEndpoints")
        for ep in endpoints:
            if ep.get("port") not in ports:
                problems.append(f"PodMonitor edge-agent: port {ep.get('port')!r} is not a container port name of the agent ({sorted(ports)})")
            if ep.get("path", "/metrics") != "/metrics":
                problems.append("PodMonitor edge-agent: path is not /metrics")
            if not any(r.get("targetLabel") == "node" and r.get("sourceLabels") == ["__meta_kubernetes_pod_node_name"]
                       for r in ep.get("relabelings", [])):
                problems.append("PodMonitor edge-agent: no relabeling of __meta_kubernetes_pod_node_name to `node`")
        env = {e["name"]: e for c in pod["spec"]["containers"] for e in c.get("env", [])}
        field = env.get("EDGE_NODE_NAME", {}).get("valueFrom", {}).get("fieldRef", {}).get("fieldPath")
        if field != "spec.nodeName":
            problems.append("the agent's EDGE_NODE_NAME is not spec.nodeName: the `node` label would not be its node name")

    if service and servicemonitor:
        spec = servicemonitor["spec"]
        if servicemonitor["metadata"].get("namespace") != service["metadata"].get("namespace"):
            problems.append("ServiceMonitor edge-central is not in the Service's namespace")
        if not spec.get("selector", {}).get("matchLabels") or not labels_match(spec["selector"], service["metadata"].get("labels", {})):
            problems.append("ServiceMonitor edge-central's selector does not match the edge-central Service's labels")
        ports = {p.get("name") for p in service["spec"].get("ports", [])}
        endpoints = spec.get("endpoints") or []
        if not endpoints:
            problems.append("ServiceMonitor edge-central has no endpoints")
        for ep in endpoints:
            if ep.get("port") not in ports:
                problems.append(f"ServiceMonitor edge-central: port {ep.get('port')!r} is not a port name of the Service ({sorted(ports)})")
            if any(r.get("targetLabel") == "node" for r in ep.get("relabelings", []) + ep.get("metricRelabelings", [])):
                problems.append("ServiceMonitor edge-central sets `node`: central's per-node series carry their own")

    if rule:
        alerts = yaml.safe_load(read(ALERTS))
        if rule.get("spec", {}).get("groups") != alerts.get("groups"):
            problems.append("PrometheusRule edge-agent's groups differ from monitoring/edge-agent-alerts.yml "
                            "(scripts/check-monitoring.sh --update-rule)")
    if problems:
        raise Problems(problems)
    return "PodMonitor, ServiceMonitor and PrometheusRule match the agent, central and the alert rules"


def exposed_names(path):
    names = set()
    for line in read(path).splitlines():
        if line.startswith("# TYPE ") or line.startswith("# HELP "):
            names.add(line.split()[2])
        elif line and not line.startswith("#"):
            names.add(re.match(r"[A-Za-z_:][A-Za-z0-9_:]*", line).group(0))
    return names


def proposed_names():
    out = {}
    for n, line in enumerate(read(PROPOSED).splitlines(), 1):
        if line.strip() and not line.lstrip().startswith("#"):
            out[line.split()[0]] = n
    return out


def check_metric_names(metrics_files):
    problems = []
    real = set()
    for path in metrics_files:
        names = exposed_names(path)
        if not names:
            problems.append(f"{path}: no metrics")
        real |= names
    proposed = proposed_names()
    dash = json.loads(read(DASHBOARD))
    used = {}
    for where, expr in list(rule_exprs()) + list(dashboard_exprs(dash)):
        for name in metric_names(expr):
            used.setdefault(name, []).append(where)
    for name, wheres in sorted(used.items()):
        if name not in real and name not in proposed:
            problems.append(f"{name} (in {wheres[0]}{' and more' if len(wheres) > 1 else ''}) is on no real "
                            f"/metrics and not in monitoring/proposed-metrics.txt")
    for name, line in sorted(proposed.items()):
        if name in real:
            problems.append(f"proposed-metrics.txt:{line}: {name} is exported now: delete its line")
        elif name not in used:
            problems.append(f"proposed-metrics.txt:{line}: {name} is used by no rule or panel")
    if problems:
        raise Problems(problems)
    waiting = sorted(n for n in used if n in proposed)
    return (f"{len(used)} metric names: {len(used) - len(waiting)} exported, "
            f"{len(waiting)} proposed ({', '.join(waiting) or 'none'})")


def main(argv):
    commands = {
        "prometheus-rule": (0, lambda: prometheus_rule()),
        "dashboard": (0, lambda: check_dashboard()),
        "manifests": (1, lambda: check_manifests(argv[2])),
        "metric-names": (-1, lambda: check_metric_names(argv[2:])),
    }
    if len(argv) < 2 or argv[1] not in commands:
        print(__doc__, file=sys.stderr)
        return 2
    nargs, run = commands[argv[1]]
    if (nargs >= 0 and len(argv) != 2 + nargs) or (nargs < 0 and len(argv) < 3):
        print(__doc__, file=sys.stderr)
        return 2
    try:
        out = run()
    except Problems as e:
        for p in e.args[0]:
            print(f"  {p}", file=sys.stderr)
        return 1
    sys.stdout.write(out if out.endswith("\n") else out + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
