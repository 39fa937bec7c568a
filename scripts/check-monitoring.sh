#!/usr/bin/env bash
# Checks the monitoring kit (monitoring/, k8s/components/monitoring; part of `make test`):
#   1. promtool: check rules and test rules (monitoring/edge-agent-alerts{,.test}.yml),
#      check config (monitoring/prometheus-scrape.yml);
#   2. the Grafana dashboard: JSON, every panel has a query on ${DS_PROMETHEUS}, every
#      variable it uses is defined;
#   3. k8s/components/monitoring: prometheusrule.yaml is generated from the alert rules;
#      k8s/overlays/household-monitoring renders (`kubectl kustomize`; kubectl must be
#      installed) and its PodMonitor and ServiceMonitor
#      select the agent's and central's pods and ports;
#   4. every metric name in the rules and the dashboard is on the /metrics of a real agent
#      synced with a real central (on a throwaway PostgreSQL), or listed in
#      monitoring/proposed-metrics.txt; a listed name that is exported now also fails.
#
# Usage: scripts/check-monitoring.sh                regenerate nothing, check everything
#        scripts/check-monitoring.sh --update-rule  write k8s/components/monitoring/
#                                                   prometheusrule.yaml from the alert rules
# Needs .build/debug/edge-agent and edge-central (EDGE_AGENT_BIN, EDGE_CENTRAL_BIN), python3
# with PyYAML, PostgreSQL 15 (scripts/install-deps.sh test); installs promtool
# (scripts/install-promtool.sh). One line per step.
set -euo pipefail
cd "$(dirname "$0")/.."

AGENT="${EDGE_AGENT_BIN:-.build/debug/edge-agent}"
CENTRAL="${EDGE_CENTRAL_BIN:-.build/debug/edge-central}"
KIT=scripts/monitoring/kit.py
RULE=k8s/components/monitoring/prometheusrule.yaml

die() { echo "check-monitoring: FAIL: $*" >&2; exit 1; }
step() { echo "check-monitoring: $*" >&2; }

# --- internal: run by step 4 under scripts/with-postgres.sh ---------------------------------
# Starts central on the throwaway database and one agent synced with it; writes their
# /metrics to OUT/agent.prom and OUT/central.prom.
if [ "${1:-}" = "--collect-metrics" ]; then
  out="$2"
  pids=()
  stop_all() {
    local pid
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  }
  trap stop_all EXIT
  # port LOG WHAT: waits for the "[WHAT] listening" line in LOG; prints the port.
  port() {
    local p="" i
    for i in $(seq 1 150); do
      p="$(sed -n "s/.*address=127\.0\.0\.1:\([0-9]*\).*\[$2\] listening.*/\1/p" "$1" | head -n 1)"
      [ -n "$p" ] && break
      [ "$i" -lt 150 ] || { cat "$1" >&2; die "$2 did not start listening"; }
      sleep 0.2
    done
    echo "$p"
  }
  export EDGE_CENTRAL_DATABASE_URL="$EDGE_TEST_DATABASE_URL"
  "$CENTRAL" migrate >"$out/migrate.log" 2>&1 || { cat "$out/migrate.log" >&2; die "edge-central migrate"; }
  (umask 077 && "$CENTRAL" nodes add rpi-worker-1 >"$out/token" 2>"$out/nodes.log") \
    || { cat "$out/nodes.log" >&2; die "edge-central nodes add"; }
  "$CENTRAL" serve --listen 127.0.0.1:0 2>"$out/central.log" &
  pids+=($!)
  central_url="http://127.0.0.1:$(port "$out/central.log" EdgeCentral)"
  "$AGENT" run --data-dir "$out/agent" --node-name rpi-worker-1 --listen 127.0.0.1:0 \
    --host-root Tests/Fixtures/rpi4 --sample-interval 1s --sync-interval 1s \
    --central-url "$central_url" --central-token-file "$out/token" 2>"$out/agent.log" &
  pids+=($!)
  agent_url="http://127.0.0.1:$(port "$out/agent.log" EdgeAgent)"
  # The sync series appear after the first successful cycle; a task change gives central a
  # node to have seen and the agent something to push.
  curl -fsS -o /dev/null -H 'Content-Type: application/json' -d '{"title": "check-monitoring"}' "$agent_url/v1/tasks" \
    || die "POST $agent_url/v1/tasks"
  for i in $(seq 1 150); do
    curl -fsS "$agent_url/metrics" >"$out/agent.prom" || die "GET $agent_url/metrics"
    if grep -q '^edge_sync_last_success_timestamp_seconds ' "$out/agent.prom" \
       && grep -q '^edge_sync_clock_offset_seconds ' "$out/agent.prom" \
       && grep -q '^edge_sync_pending{kind="task_changes"} 0$' "$out/agent.prom"; then
      break
    fi
    [ "$i" -lt 150 ] || { tail -n 20 "$out/agent.log" >&2; die "the agent did not sync with central within 30 s"; }
    sleep 0.2
  done
  curl -fsS "$central_url/metrics" >"$out/central.prom" || die "GET $central_url/metrics"
  stop_all
  trap - EXIT
  exit 0
fi

python3 -c 'import yaml' 2>/dev/null || die "python3 has no PyYAML: apt-get install python3-yaml (scripts/install-deps.sh test)"

if [ "${1:-}" = "--update-rule" ]; then
  python3 "$KIT" prometheus-rule >"$RULE.tmp" && mv "$RULE.tmp" "$RULE"
  step "wrote $RULE"
  exit 0
fi
[ $# -eq 0 ] || die "usage: scripts/check-monitoring.sh [--update-rule]"
for bin in "$AGENT" "$CENTRAL"; do
  [ -x "$bin" ] || die "$bin is not built; run 'swift build' first"
done

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# --- 1. promtool ---------------------------------------------------------------------------
PROMTOOL="$(scripts/install-promtool.sh)"
"$PROMTOOL" check rules monitoring/edge-agent-alerts.yml >"$work/promtool.log" 2>&1 \
  || { cat "$work/promtool.log" >&2; die "promtool check rules"; }
step "promtool check rules: $(grep -o '[0-9]* rules found' "$work/promtool.log")"
# `test rules` reads the rule files relative to the test file.
"$PROMTOOL" test rules monitoring/edge-agent-alerts.test.yml >"$work/promtool.log" 2>&1 \
  || { cat "$work/promtool.log" >&2; die "promtool test rules"; }
tested="$(python3 -c 'import sys, yaml; d = yaml.safe_load(open(sys.argv[1]))
print(len(d["tests"]), "tests of", len({t["alertname"] for c in d["tests"] for t in c["alert_rule_test"]}), "alerts")' \
  monitoring/edge-agent-alerts.test.yml)"
alerts="$(python3 -c 'import sys, yaml; print(len([r for g in yaml.safe_load(open(sys.argv[1]))["groups"] for r in g["rules"] if "alert" in r]))' \
  monitoring/edge-agent-alerts.yml)"
[[ $tested == *" of $alerts alerts" ]] || die "promtool test rules: $tested, but the rules have $alerts alerts: test every one"
step "promtool test rules: $tested"
"$PROMTOOL" check config monitoring/prometheus-scrape.yml >"$work/promtool.log" 2>&1 \
  || { cat "$work/promtool.log" >&2; die "promtool check config monitoring/prometheus-scrape.yml"; }
step "promtool check config monitoring/prometheus-scrape.yml: ok"

# --- 2. dashboard ----------------------------------------------------------------------------
result="$(python3 "$KIT" dashboard)" || die "monitoring/grafana-dashboard.json (problems above)"
step "dashboard: $result"

# --- 3. kustomize component --------------------------------------------------------------------
python3 "$KIT" prometheus-rule >"$work/prometheusrule.yaml"
diff -u "$RULE" "$work/prometheusrule.yaml" >"$work/rule.diff" \
  || { cat "$work/rule.diff" >&2; die "$RULE is not generated from monitoring/edge-agent-alerts.yml: run scripts/check-monitoring.sh --update-rule"; }
# The overlay's PostgreSQL secret comes from a git-ignored postgres.env: render a copy
# that uses the committed example (as scripts/check-deploy.sh does).
cp -r k8s "$work/k8s"
cp "$work/k8s/overlays/household/postgres.env.example" "$work/k8s/overlays/household/postgres.env"
target=overlays/household-monitoring
if ! { command -v kubectl >/dev/null && kubectl kustomize --help >/dev/null 2>&1; }; then
  die "kubectl is missing: it renders k8s/ (kubectl kustomize); install kubectl 1.27 or later"
fi
kubectl kustomize "$work/k8s/$target" >"$work/rendered.yaml" 2>"$work/render.log" \
  || die "kubectl kustomize k8s/$target: $(tail -n 1 "$work/render.log")"
result="$(python3 "$KIT" manifests "$work/rendered.yaml")" || die "k8s/$target (problems above)"
step "k8s/$target: $(grep -c '^kind:' "$work/rendered.yaml") objects (kubectl kustomize); $result"

# --- 4. metric names against a real agent and central -----------------------------------------------
mkdir -p "$work/live"
scripts/with-postgres.sh "$0" --collect-metrics "$work/live" \
  || die "could not collect /metrics from a real agent and central"
step "collected /metrics: agent $(grep -c '^# TYPE' "$work/live/agent.prom") families, central $(grep -c '^# TYPE' "$work/live/central.prom")"
result="$(python3 "$KIT" metric-names "$work/live/agent.prom" "$work/live/central.prom")" \
  || die "metric names in monitoring/ (problems above)"
step "metric names: $result"
step "all checks passed"
