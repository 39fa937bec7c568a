#!/usr/bin/env bash
# HTTP benchmarks of a release edge-agent on loopback (part of `make bench`):
#   - durable POST /v1/tasks with 16 connections, beside the raw SQLite commit rate;
#   - GET /v1/tasks with 200 tasks;
#   - RssAnon idle and under the create load;
#   - start to ready with a 100 MB database.
# Load comes from wrk (Debian); every figure is printed.
set -euo pipefail
cd "$(dirname "$0")/.."
AGENT=.build/release/edge-agent
BENCH=.build/release/edge-bench
OUT=.build/bench/http
DURATION="${BENCH_SECONDS:-10}"
for b in "$AGENT" "$BENCH"; do [ -x "$b" ] || { echo "bench-http: $b is not built (make bench builds it)" >&2; exit 1; }; done
command -v wrk >/dev/null || { echo "bench-http: installing wrk" >&2; apt-get install -y -qq wrk >/dev/null; }
rm -rf "$OUT"; mkdir -p "$OUT"

agent=""
stop() { if [ -n "$agent" ]; then kill -TERM "$agent" 2>/dev/null || true; wait "$agent" 2>/dev/null || true; agent=""; fi; }
trap stop EXIT
start() {
  local dir="$1" port=""
  "$AGENT" run --data-dir "$dir" --node-name bench --listen 127.0.0.1:0 --log-level info 2> "$dir.log" &
  agent=$!
  for _ in $(seq 1 200); do
    port="$(sed -n 's/.*address=127\.0\.0\.1:\([0-9]*\).*\[EdgeAgent\] listening.*/\1/p' "$dir.log" | head -1)"
    [ -n "$port" ] && break; sleep 0.05
  done
  [ -n "$port" ] || { cat "$dir.log" >&2; exit 1; }
  url="http://127.0.0.1:$port"
}
rss_anon() { awk '/^RssAnon:/ {print $2}' "/proc/$agent/status"; }

raw="$("$BENCH" store-commits --only raw --rounds 3 --commits 1000 --dir "$OUT/raw" 2>/dev/null | sed -n 's/.*raw SQLite median \([0-9]*\)\/s commits.*/\1/p')"
echo "bench-http: raw SQLite durable commits: median ${raw}/s"

start "$OUT/create"
sleep 2
echo "bench-http: RssAnon idle: $(rss_anon) kB (target <= 8192 kB)"
cat > "$OUT/post.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"title":"benchmark task","assignee":"wrk"}'
LUA
peak=0
( while kill -0 "$agent" 2>/dev/null; do awk '/^RssAnon:/ {print $2}' "/proc/$agent/status" 2>/dev/null; sleep 0.2; done ) > "$OUT/rss.txt" &
sampler=$!
wrk -t2 -c16 -d"${DURATION}s" --latency -s "$OUT/post.lua" "$url/v1/tasks" > "$OUT/post.txt"
kill "$sampler" 2>/dev/null || true
peak="$(sort -n "$OUT/rss.txt" | tail -1)"
rps="$(awk '/^Requests\/sec/ {print $2}' "$OUT/post.txt")"
p99="$(awk '$1 == "99%" {print $2}' "$OUT/post.txt")"
non2xx="$(awk '/Non-2xx/ {print $5}' "$OUT/post.txt")"
echo "bench-http: POST /v1/tasks x16 connections: ${rps} req/s, p99 ${p99}, non-2xx ${non2xx:-0}; ratio to raw $(awk -v a="$rps" -v b="$raw" 'BEGIN {printf "%.2f", a / b}') (target >= 0.5, p99 <= 25ms)"
echo "bench-http: RssAnon under the create load: peak ${peak} kB (target <= 16384 kB)"
stop

mkdir -p "$OUT/list"
for i in $(seq 1 200); do "$AGENT" tasks add "task $i" --data-dir "$OUT/list" --node-name bench > /dev/null; done
start "$OUT/list"
wrk -t2 -c16 -d"${DURATION}s" --latency "$url/v1/tasks" > "$OUT/get.txt"
echo "bench-http: GET /v1/tasks (200 tasks) x16 connections: $(awk '/^Requests\/sec/ {print $2}' "$OUT/get.txt") req/s, p99 $(awk '$1 == "99%" {print $2}' "$OUT/get.txt") (target >= 8000 req/s)"
stop

"$BENCH" fill-db --data-dir "$OUT/big" --megabytes 100 2>/dev/null
"$BENCH" ready-time --agent "$AGENT" --data-dir "$OUT/big" --runs 5 2>/dev/null
