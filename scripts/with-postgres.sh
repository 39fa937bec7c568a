#!/usr/bin/env bash
# Runs a command against a throwaway PostgreSQL 15 cluster, then removes the cluster:
#   scripts/with-postgres.sh [--durable] CMD ARGS...
# CMD sees EDGE_TEST_DATABASE_URL (postgres://edge@127.0.0.1:PORT/postgres) and
# EDGE_TEST_PG_BIN (the server binaries). The cluster lives in /tmp/edge-pg.XXXXXX
# (scripts/pg-cluster.sh manages it; CMD may restart it there with
# `scripts/pg-cluster.sh restart "$EDGE_TEST_PG_DIR"`). Exits with CMD's status.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
durable=()
if [ "${1:-}" = "--durable" ]; then
  durable=(--durable)
  shift
fi
[ $# -gt 0 ] || { echo "usage: with-postgres.sh [--durable] CMD ARGS..." >&2; exit 2; }

dir="$(mktemp -d /tmp/edge-pg.XXXXXX)"
cleanup() {
  if [ -d "$dir/data" ]; then
    if ! "$here/pg-cluster.sh" stop "$dir" >/dev/null 2>&1; then
      echo "with-postgres: fast stop of the cluster in $dir failed; sending the postmaster SIGQUIT" >&2
      pid="$(head -n 1 "$dir/data/postmaster.pid" 2>/dev/null || true)"
      [ -z "$pid" ] || kill -QUIT "$pid" 2>/dev/null || true
    fi
  fi
  rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

url="$("$here/pg-cluster.sh" start "$dir" "${durable[@]}")" || exit 1
export EDGE_TEST_DATABASE_URL="$url"
export EDGE_TEST_PG_BIN=/usr/lib/postgresql/15/bin
export EDGE_TEST_PG_DIR="$dir"

status=0
"$@" || status=$?
trap - EXIT
cleanup
exit "$status"
