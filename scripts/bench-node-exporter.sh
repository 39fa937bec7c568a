#!/usr/bin/env bash
# edge-agent beside Debian's prometheus-node-exporter (1.5) on this machine, in one run (part of
# `make bench`):
#   - cost: a real Prometheus scrapes both every second for BENCH_SECONDS (default 60) while the
#     agent also samples every second (--sample-interval 1s), with every node_* collector on;
#     CPU seconds of each process per 10 s window (median) and over the run: target agent <= 0.5x
#     node_exporter; the agent's RssAnon (median and peak): target <= 8 MB;
#   - dashboard coverage: the panel queries of scripts/bench/node-exporter-full-panels.txt ("Node
#     Exporter Full"-style: its variables and panels) evaluated by that Prometheus against each
#     job; panels with data: target agent >= 0.9x node_exporter. The panels one has and the other
#     lacks are listed.
# node_exporter, Prometheus and promtool come from Debian's packages (apt-get download and
# dpkg-deb -x into .build-tools, as scripts/install-promtool.sh does); nothing else is fetched.
set -euo pipefail
cd "$(dirname "$0")/.."
AGENT="${EDGE_AGENT_BIN:-.build/release/edge-agent}"
OUT=.build/bench/node-exporter
TOOLS=.build-tools
RUN_SECONDS="${BENCH_SECONDS:-60}"
PANELS=scripts/bench/node-exporter-full-panels.txt
[ -x "$AGENT" ] || { echo "bench-node-exporter: $AGENT is not built (make bench builds it)" >&2; exit 1; }
command -v curl >/dev/null || { echo "bench-node-exporter: curl is missing" >&2; exit 1; }

# --- tools from Debian's packages --------------------------------------------------
unpack() {  # unpack PACKAGE FILE...: install usr/bin/FILE of the package into $TOOLS
  local package="$1" scratch
  shift
  scratch="$(mktemp -d)"
  (cd "$scratch" && apt-get download "$package" >/dev/null 2>&1) || {
    apt-get update -qq && (cd "$scratch" && apt-get download "$package" >/dev/null)
  }
  dpkg-deb -x "$scratch"/"$package"_*.deb "$scratch/root"
  mkdir -p "$TOOLS"
  for file in "$@"; do install -m 0755 "$scratch/root/usr/bin/$file" "$TOOLS/$file"; done
  rm -rf "$scratch"
}
[ -x "$TOOLS/prometheus-node-exporter" ] || { echo "bench-node-exporter: unpacking Debian's prometheus-node-exporter" >&2; unpack prometheus-node-exporter prometheus-node-exporter; }
[ -x "$TOOLS/prometheus" ] || { echo "bench-node-exporter: unpacking Debian's prometheus" >&2; unpack prometheus prometheus promtool; }
NODE_EXPORTER="$TOOLS/prometheus-node-exporter"
PROMETHEUS="$TOOLS/prometheus"

rm -rf "$OUT"
mkdir -p "$OUT/agent" "$OUT/tsdb"

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

pids=()
stop_all() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap stop_all EXIT

# --- the two exporters and Prometheus ------------------------------------------------
"$AGENT" run --data-dir "$OUT/agent" --node-name bench --listen 127.0.0.1:0 --sample-interval 1s \
  --log-level info 2> "$OUT/agent.log" &
agent=$!
pids+=("$agent")
agent_port=""
for _ in $(seq 1 200); do
  agent_port="$(sed -n 's/.*address=127\.0\.0\.1:\([0-9]*\).*\[EdgeAgent\] listening.*/\1/p' "$OUT/agent.log" | head -1)"
  [ -n "$agent_port" ] && break
  sleep 0.05
done
[ -n "$agent_port" ] || { cat "$OUT/agent.log" >&2; exit 1; }

ne_port="$(free_port)"
"$NODE_EXPORTER" --web.listen-address="127.0.0.1:$ne_port" 2> "$OUT/node-exporter.log" &
node_exporter=$!
pids+=("$node_exporter")
for _ in $(seq 1 100); do curl -fsS -o /dev/null "http://127.0.0.1:$ne_port/metrics" 2>/dev/null && break; sleep 0.1; done

prom_port="$(free_port)"
cat > "$OUT/prometheus.yml" <<YAML
global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1m
scrape_configs:
  - job_name: edge-agent
    static_configs: [{targets: ["127.0.0.1:$agent_port"]}]
  - job_name: node
    static_configs: [{targets: ["127.0.0.1:$ne_port"]}]
YAML
"$TOOLS/promtool" check config "$OUT/prometheus.yml" > /dev/null
"$PROMETHEUS" --config.file="$OUT/prometheus.yml" --storage.tsdb.path="$OUT/tsdb" \
  --web.listen-address="127.0.0.1:$prom_port" 2> "$OUT/prometheus.log" &
pids+=("$!")
for _ in $(seq 1 100); do curl -fsS -o /dev/null "http://127.0.0.1:$prom_port/-/ready" 2>/dev/null && break; sleep 0.2; done
echo "bench-node-exporter: agent 127.0.0.1:$agent_port, node_exporter $("$NODE_EXPORTER" --version 2>&1 | head -1 | cut -d' ' -f3) 127.0.0.1:$ne_port, Prometheus 127.0.0.1:$prom_port scraping both every second for ${RUN_SECONDS} s"

# --- cost ------------------------------------------------------------------------------
# CPU time in ns: the sum of every thread's run time (/proc/PID/task/*/schedstat), far finer than the
# 10 ms ticks of /proc/PID/stat; the ticks give the whole run's figure as a cross-check.
cpu_ns() { cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{s += $1} END {printf "%.0f", s}'; }
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hz="$(getconf CLK_TCK)"
sleep 3  # the first scrapes and the first samples settle
a0="$(ticks "$agent")"; n0="$(ticks "$node_exporter")"; start=$SECONDS
windows="$OUT/windows.txt"; : > "$windows"; rss="$OUT/rss.txt"; : > "$rss"
wa="$(cpu_ns "$agent")"; wn="$(cpu_ns "$node_exporter")"; next=$((SECONDS + 10))
while [ $((SECONDS - start)) -lt "$RUN_SECONDS" ]; do
  awk '/^RssAnon:/ {print $2}' "/proc/$agent/status" >> "$rss"
  sleep 1
  if [ "$SECONDS" -ge "$next" ]; then
    ca="$(cpu_ns "$agent")"; cn="$(cpu_ns "$node_exporter")"
    awk -v a="$((ca - wa))" -v n="$((cn - wn))" 'BEGIN {printf "%.6f %.6f %.4f\n", a / 1e9, n / 1e9, (n > 0 ? a / n : 0)}' >> "$windows"
    wa="$ca"; wn="$cn"; next=$((SECONDS + 10))
  fi
done
a1="$(ticks "$agent")"; n1="$(ticks "$node_exporter")"; elapsed=$((SECONDS - start))
median() { sort -g | awk '{v[NR] = $1} END {if (NR == 0) print 0; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
agent_median="$(cut -d' ' -f1 "$windows" | median)"; ne_median="$(cut -d' ' -f2 "$windows" | median)"
ratio_median="$(cut -d' ' -f3 "$windows" | median)"
awk -v a="$((a1 - a0))" -v n="$((n1 - n0))" -v am="$agent_median" -v nm="$ne_median" -v rm="$ratio_median" -v hz="$hz" -v s="$elapsed" -v w="$(wc -l < "$windows")" 'BEGIN {
  printf "bench-node-exporter: CPU per 10 s window (%d windows), median: agent %.1f ms, node_exporter %.1f ms; median ratio %.2f (target <= 0.50)\n", w, am * 1000, nm * 1000, rm
  printf "bench-node-exporter: CPU over %d s (ticks): agent %.2f s (%.1f ms per second), node_exporter %.2f s (%.1f ms per second); ratio %.2f\n", s, a / hz, a / hz / s * 1000, n / hz, n / hz / s * 1000, (n > 0 ? a / n : 0)
}'
echo "bench-node-exporter: agent RssAnon: median $(median < "$rss") kB, peak $(sort -n "$rss" | tail -1) kB (target <= 8192 kB)"
lines() { curl -fsS "$1" | grep -vc '^#'; }
echo "bench-node-exporter: samples per scrape: agent $(lines "http://127.0.0.1:$agent_port/metrics"), node_exporter $(lines "http://127.0.0.1:$ne_port/metrics")"

# --- dashboard coverage ----------------------------------------------------------------------
python3 - "$PANELS" "http://127.0.0.1:$prom_port" "127.0.0.1:$agent_port" "127.0.0.1:$ne_port" <<'PY'
import json, math, sys, urllib.parse, urllib.request
panels_file, prometheus, agent, node = sys.argv[1:]
panels = {}
for line in open(panels_file):
    line = line.strip()
    if not line or line.startswith("#"):
        continue
    title, query = (part.strip() for part in line.split("|", 1))
    panels.setdefault(title, []).append(query)

def query(q):
    url = prometheus + "/api/v1/query?" + urllib.parse.urlencode({"query": q})
    with urllib.request.urlopen(url, timeout=10) as r:
        body = json.load(r)
    if body.get("status") != "success":
        raise SystemExit(f"query failed: {q}: {body}")
    data = body["data"]
    results = data["result"] if data["resultType"] in ("vector", "matrix") else [{"value": data["result"]}]
    return [r for r in results if "value" in r and math.isfinite(float(r["value"][1]))]

def has_data(job, instance):
    nodename = ""
    found = query(f'node_uname_info{{job="{job}",instance="{instance}"}}')
    if found:
        nodename = found[0]["metric"].get("nodename", "")
    with_data = set()
    for title, queries in panels.items():
        for q in queries:
            q = (q.replace("$__rate_interval", "30s").replace("$diskdevices", "[a-z]+|nvme[0-9]+n[0-9]+|mmcblk[0-9]+")
                  .replace("$nodename", nodename).replace("$node", instance).replace("$job", job))
            if query(q):
                with_data.add(title)
                break
    return with_data

agent_panels = has_data("edge-agent", agent)
node_panels = has_data("node", node)
ratio = len(agent_panels) / len(node_panels) if node_panels else 0
print(f"bench-node-exporter: dashboard panels with data (of {len(panels)}): agent {len(agent_panels)}, "
      f"node_exporter {len(node_panels)}; ratio {ratio:.2f} (target >= 0.90)")
print("bench-node-exporter: only node_exporter: " + (", ".join(sorted(node_panels - agent_panels)) or "none"))
print("bench-node-exporter: only the agent: " + (", ".join(sorted(agent_panels - node_panels)) or "none"))
PY
