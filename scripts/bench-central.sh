#!/usr/bin/env bash
# Central and sync benchmarks (part of `make bench`): a durable throwaway PostgreSQL 15,
# a release `edge-central serve` on a loopback port, then
#   central-ingest  samples/s through HTTP beside COPY of the same rows
#   central-push    p50/p99 of 500-change pushes
#   central-fleet   1,000 nodes x 60 samples every 15 s for 2 minutes (FLEET_SECONDS to change)
#   sync-drain      a 7-day agent backlog drained into central
# Each prints what it measured. Needs the release binaries (make bench builds them).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" != "--inside" ]; then
  exec scripts/with-postgres.sh --durable "$0" --inside
fi

BIN=.build/release
for b in edge-central edge-bench edge-agent; do
  [ -x "$BIN/$b" ] || { echo "bench-central: $BIN/$b is not built (make bench builds it)" >&2; exit 1; }
done
url="$EDGE_TEST_DATABASE_URL"
log=$(mktemp)
"$BIN/edge-central" migrate --database-url "$url" >/dev/null
"$BIN/edge-central" serve --database-url "$url" --listen 127.0.0.1:0 --db-pool-size 40 --log-level info 2>"$log" &
central=$!
trap 'kill "$central" 2>/dev/null || true; wait "$central" 2>/dev/null || true; rm -f "$log"' EXIT
port=""
for _ in $(seq 1 100); do
  port=$(sed -n 's/.*address=127\.0\.0\.1:\([0-9]*\).*listening.*/\1/p' "$log" | head -1)
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || { cat "$log" >&2; echo "bench-central: edge-central did not start" >&2; exit 1; }
target=(--central "http://127.0.0.1:$port" --database-url "$url")
echo "bench-central: edge-central (release) on 127.0.0.1:$port, PostgreSQL 15 with default durability" >&2

"$BIN/edge-bench" central-ingest "${target[@]}"
"$BIN/edge-bench" central-push "${target[@]}"
"$BIN/edge-bench" central-fleet "${target[@]}" --nodes "${FLEET_NODES:-1000}" --seconds "${FLEET_SECONDS:-120}"
"$BIN/edge-bench" sync-drain "${target[@]}" --agent "$BIN/edge-agent"
