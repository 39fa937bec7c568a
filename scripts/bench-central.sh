#!/usr/bin/env bash
# Central and sync benchmarks (part of `make bench`): a durable throwaway PostgreSQL 15;
# for each benchmark a fresh database and a release `edge-central serve` on a loopback port:
#   central-ingest  samples/s through HTTP beside COPY of the same rows
#   central-push    p50/p99 of 500-change pushes
#   central-fleet   1,000 nodes x 60 samples every 15 s for 2 minutes (FLEET_SECONDS to change)
#   sync-drain      a 7-day agent backlog drained into central
#   central-retention  a month of 10 nodes on a compressed clock while retention runs: the
#                   database size each simulated day, then the steady state per node and day
#                   (no serve; it drives the store directly; DAYS/NODES: RETENTION_DAYS,
#                   RETENTION_NODES)
# Each prints what it measured. Needs the release binaries (make bench builds them).
#   scripts/bench-central.sh [BENCH...]   only the named ones, e.g. `sync-drain`; extra
#   options for one go in EDGE_BENCH_ARGS (e.g. "--changes 0").
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" != "--inside" ]; then
  exec scripts/with-postgres.sh --durable "$0" --inside "$@"
fi
shift
benches=("$@")
[ "${#benches[@]}" -gt 0 ] || benches=(central-ingest central-push central-fleet sync-drain central-retention)
for bench in "${benches[@]}"; do
  case "$bench" in
    central-ingest|central-push|central-fleet|sync-drain|central-retention) ;;
    *) echo "bench-central: unknown benchmark '$bench' (central-ingest, central-push, central-fleet, sync-drain, central-retention)" >&2; exit 2 ;;
  esac
done

BIN=.build/release
for b in edge-central edge-bench edge-agent; do
  [ -x "$BIN/$b" ] || { echo "bench-central: $BIN/$b is not built (make bench builds it)" >&2; exit 1; }
done
server="$EDGE_TEST_DATABASE_URL"   # postgres://edge@127.0.0.1:PORT/postgres
log=$(mktemp)
central=""
db=""
stop_central() {
  [ -z "$central" ] || { kill "$central" 2>/dev/null || true; wait "$central" 2>/dev/null || true; }
  central=""
  # Drop what the benchmark wrote and checkpoint, so the next one does not share the machine
  # with autovacuum of the last one's millions of rows, or with its dirty buffers.
  if [ -n "$db" ]; then
    psql -X -q "$server" -c "DROP DATABASE $db WITH (FORCE)" -c "CHECKPOINT" >/dev/null
    db=""
  fi
}
trap 'stop_central; rm -f "$log"' EXIT

# Each benchmark gets its own database and central: what one leaves behind (the push
# benchmark's 110,000 feed rows, the fleet's samples) must not be what the next one measures.
start_central() {
  db="bench_${1//-/_}"
  psql -X -q "$server" -c "CREATE DATABASE $db" >/dev/null
  url="${server%/postgres}/$db"
  "$BIN/edge-central" migrate --database-url "$url" >/dev/null
  "$BIN/edge-central" serve --database-url "$url" --listen 127.0.0.1:0 --db-pool-size 40 --log-level info 2>"$log" &
  central=$!
  port=""
  for _ in $(seq 1 100); do
    port=$(sed -n 's/.*address=127\.0\.0\.1:\([0-9]*\).*listening.*/\1/p' "$log" | head -1)
    [ -n "$port" ] && break
    sleep 0.1
  done
  [ -n "$port" ] || { cat "$log" >&2; echo "bench-central: edge-central did not start" >&2; exit 1; }
  target=(--central "http://127.0.0.1:$port" --database-url "$url")
  echo "bench-central: $1 against edge-central (release) on 127.0.0.1:$port, database $db (PostgreSQL 15, default durability)" >&2
}

read -r -a extra <<<"${EDGE_BENCH_ARGS:-}"
for bench in "${benches[@]}"; do
  if [ "$bench" = central-retention ]; then
    # No serve here: its own retention runs on the real clock would fight the simulated one.
    db="bench_central_retention"
    psql -X -q "$server" -c "CREATE DATABASE $db" >/dev/null
    echo "bench-central: central-retention on database $db (PostgreSQL 15, default durability)" >&2
    "$BIN/edge-bench" central-retention --database-url "${server%/postgres}/$db" --days "${RETENTION_DAYS:-30}" \
      --nodes "${RETENTION_NODES:-10}" "${extra[@]}"
    stop_central
    continue
  fi
  start_central "$bench"
  case "$bench" in
    central-ingest|central-push) "$BIN/edge-bench" "$bench" "${target[@]}" "${extra[@]}" ;;
    central-fleet) "$BIN/edge-bench" central-fleet "${target[@]}" --nodes "${FLEET_NODES:-1000}" \
                     --seconds "${FLEET_SECONDS:-120}" "${extra[@]}" ;;
    sync-drain) "$BIN/edge-bench" sync-drain "${target[@]}" --agent "$BIN/edge-agent" "${extra[@]}" ;;
  esac
  stop_central
done
