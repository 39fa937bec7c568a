#!/usr/bin/env bash
# Connection benchmark of a release edge-agent on loopback (part of `make bench`): 2,000 idle
# connections plus a slowloris of 300 against the agent under the systemd unit's descriptor
# limit (LimitNOFILE=8192), while a normal client lists 200 tasks (Tests/bench/hostile_lan.py).
set -euo pipefail
cd "$(dirname "$0")/.."
AGENT="${EDGE_AGENT_BIN:-.build/release/edge-agent}"
OUT=.build/bench/connections
[ -x "$AGENT" ] || { echo "bench-connections: $AGENT is not built (make bench builds it)" >&2; exit 1; }
rm -rf "$OUT"; mkdir -p "$OUT/data"
for i in $(seq 1 200); do "$AGENT" tasks add "task $i" --data-dir "$OUT/data" --node-name bench > /dev/null; done

agent=""
stop() { if [ -n "$agent" ]; then kill -TERM "$agent" 2>/dev/null || true; wait "$agent" 2>/dev/null || true; agent=""; fi; }
trap stop EXIT
# The attack sockets live in this shell's process tree too: give both the unit's limit.
ulimit -n 8192
prlimit --nofile=8192:8192 "$AGENT" run --data-dir "$OUT/data" --node-name bench --listen 127.0.0.1:0 --log-level info 2> "$OUT/agent.log" &
agent=$!
port=""
for _ in $(seq 1 200); do
  port="$(sed -n 's/.*address=127\.0\.0\.1:\([0-9]*\).*\[EdgeAgent\] listening.*/\1/p' "$OUT/agent.log" | head -1)"
  [ -n "$port" ] && break; sleep 0.05
done
[ -n "$port" ] || { cat "$OUT/agent.log" >&2; exit 1; }
cap="$(sed -n 's/.*max_connections=\([0-9]*\).*/\1/p' "$OUT/agent.log" | head -1)"
python3 Tests/bench/hostile_lan.py "$port" "$agent" "$cap"
