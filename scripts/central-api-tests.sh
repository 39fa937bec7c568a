#!/usr/bin/env bash
# Live tests of edge-central (part of `make test`), against a throwaway PostgreSQL:
#   1. schemathesis fuzzes every operation of central's /openapi.json with a node token:
#      no server error, every response matches the document;
#   2. promtool checks central's /metrics.
# Uses the venv and promtool that scripts/live-tests.sh installs (run after it, or it
# installs them itself by running live-tests' setup).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" != "--inside" ]; then
  exec scripts/with-postgres.sh "$0" --inside
fi

BIN="${EDGE_CENTRAL_BIN:-.build/debug/edge-central}"
VENV=.build-venv
TOOLS=.build-tools
OUT=.build/live-central
[ -x "$BIN" ] || { echo "central-api-tests: $BIN is not built" >&2; exit 1; }
[ -x "$VENV/bin/schemathesis" ] || { echo "central-api-tests: run scripts/live-tests.sh first (it installs schemathesis)" >&2; exit 1; }
rm -rf "$OUT" && mkdir -p "$OUT"

url="$EDGE_TEST_DATABASE_URL"
"$BIN" migrate --database-url "$url" >/dev/null
token=$("$BIN" nodes add rpi-worker-1 --database-url "$url" 2>/dev/null)
# schemathesis sends thousands of requests from one address, many with bad tokens on
# purpose: lift the per-address limit on failed authentications for this run (the limit
# itself is tested by Tests/attack/test_auth_limits.py).
"$BIN" serve --database-url "$url" --listen 127.0.0.1:0 --auth-failure-limit 1000000 2>"$OUT/central.log" &
central=$!
trap 'kill "$central" 2>/dev/null || true; wait "$central" 2>/dev/null || true' EXIT
port=""
for _ in $(seq 1 100); do
  port=$(sed -n 's/.*address=127\.0\.0\.1:\([0-9]*\).*listening.*/\1/p' "$OUT/central.log" | head -1)
  [ -n "$port" ] && break
  kill -0 "$central" 2>/dev/null || { cat "$OUT/central.log" >&2; exit 1; }
  sleep 0.1
done
[ -n "$port" ] || { cat "$OUT/central.log" >&2; echo "central-api-tests: central did not start" >&2; exit 1; }
base="http://127.0.0.1:$port"
for _ in $(seq 1 100); do
  curl -sf "$base/readiness" >/dev/null && break
  sleep 0.1
done

echo "central-api-tests: openapi-spec-validator: central's /openapi.json" >&2
curl -sf "$base/openapi.json" > "$OUT/central-openapi.json"
"$VENV/bin/openapi-spec-validator" "$OUT/central-openapi.json" >&2
echo "central-api-tests: schemathesis against $base/openapi.json" >&2
"$VENV/bin/schemathesis" --config-file Tests/live/central-schemathesis.toml run "$base/openapi.json" \
  --checks all --max-examples 40 --seed 1 \
  -H "Authorization: Bearer $token" \
  --report junit --report-dir "$OUT" --no-color 2>&1 | tail -n 30
status=${PIPESTATUS[0]}
[ "$status" -eq 0 ] || { echo "central-api-tests: schemathesis found problems (see above)" >&2; exit 1; }
if grep -q 'token\|edge1_' "$OUT/central.log" && grep -q "$token" "$OUT/central.log"; then
  echo "central-api-tests: a node token appears in central's log" >&2; exit 1
fi

echo "central-api-tests: promtool check metrics" >&2
curl -sf "$base/metrics" > "$OUT/metrics.txt"
"$TOOLS/promtool" check metrics < "$OUT/metrics.txt"
echo "central-api-tests: ok" >&2
