#!/usr/bin/env bash
# Live tests against a real `edge-agent run` on a loopback port (part of `make test`):
#   1. schemathesis fuzzes every operation of /openapi.json: no server error, and every
#      response matches the document;
#   2. promtool checks /metrics;
#   3. Selenium drives Debian's Chromium through the household page (Tests/browser).
# Tools are installed on first use: a venv in .build-venv (PyPI), promtool unpacked from
# Debian's prometheus package into .build-tools (scripts/install-promtool.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

BIN="${EDGE_AGENT_BIN:-.build/debug/edge-agent}"
VENV=.build-venv
OUT=.build/live
[ -x "$BIN" ] || { echo "live-tests: $BIN is not built; run 'swift build' first" >&2; exit 1; }

step() { echo "live-tests: $*" >&2; }

if [ ! -x "$VENV/bin/schemathesis" ] || [ ! -x "$VENV/bin/pytest" ] || [ ! -x "$VENV/bin/openapi-spec-validator" ]; then
  step "installing schemathesis, openapi-spec-validator, selenium and pytest into $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check -r Tests/live/requirements.txt
fi
PROMTOOL="$(scripts/install-promtool.sh)"

rm -rf "$OUT"
mkdir -p "$OUT/screenshots"
token="live-$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')"
printf '%s\n' "$token" > "$OUT/token"
chmod 600 "$OUT/token"

agent=""
url=""
stop_agent() {
  if [ -n "$agent" ] && kill -0 "$agent" 2>/dev/null; then
    kill -TERM "$agent"
    wait "$agent" || { echo "live-tests: the agent did not exit cleanly on SIGTERM" >&2; return 1; }
  fi
  agent=""
}
trap stop_agent EXIT

# Starts a fresh agent (its own data directory) on a free port; sets $agent and $url.
start_agent() {
  local name="$1" port=""
  mkdir -p "$OUT/$name"
  "$BIN" run --data-dir "$OUT/$name" --node-name rpi-worker-1 --listen 127.0.0.1:0 \
    --host-root Tests/Fixtures/rpi4 --sample-interval 1s --api-token-file "$OUT/token" 2> "$OUT/$name.log" &
  agent=$!
  for _ in $(seq 1 100); do
    port="$(sed -n 's/.*address=127\.0\.0\.1:\([0-9]*\).*\[EdgeAgent\] listening.*/\1/p' "$OUT/$name.log" | head -1)"
    [ -n "$port" ] && break
    kill -0 "$agent" 2>/dev/null || { cat "$OUT/$name.log" >&2; echo "live-tests: the agent exited" >&2; exit 1; }
    sleep 0.1
  done
  [ -n "$port" ] || { cat "$OUT/$name.log" >&2; echo "live-tests: the agent did not start listening" >&2; exit 1; }
  url="http://127.0.0.1:$port"
  step "agent ($name) up at $url"
}

start_agent api
step "openapi-spec-validator: the agent's /openapi.json"
curl -sf "$url/openapi.json" > "$OUT/agent-openapi.json"
"$VENV/bin/openapi-spec-validator" "$OUT/agent-openapi.json" >&2
step "schemathesis against $url/openapi.json"
"$VENV/bin/schemathesis" run "$url/openapi.json" \
  --checks all --max-examples 40 --seed 1 \
  -H "Authorization: Bearer $token" \
  --report junit --report-dir "$OUT" --no-color 2>&1 | tail -n 40
status=${PIPESTATUS[0]}
[ "$status" -eq 0 ] || { echo "live-tests: schemathesis found problems (see above)" >&2; exit 1; }

step "promtool check metrics"
curl -fsS "$url/metrics" > "$OUT/metrics.prom"
set +e
"$PROMTOOL" check metrics < "$OUT/metrics.prom" > "$OUT/promtool.txt" 2>&1
status=$?
set -e
# Exit 1 is a format error: always fatal. Exit 3 is lint; the lint notes allowed are the
# ones node_exporter 1.5's own output gets, on names docs/agent-api.md promises verbatim
# so existing dashboards work: camelCase in node_memory_MemTotal_bytes... and
# node_netstat_Tcp_InSegs..., and bits (not bytes) in node_entropy_*_bits.
other="$(grep -v -E -e "^node_(memory|netstat)_[A-Za-z0-9_]+ metric names should be written in 'snake_case' not 'camelCase'$" \
  -e '^node_entropy_(available|pool_size)_bits use base unit "bytes" instead of "bits"$' "$OUT/promtool.txt" || true)"
if [ "$status" -ne 0 ] && { [ "$status" -ne 3 ] || [ -n "$other" ]; }; then
  cat "$OUT/promtool.txt" >&2
  echo "live-tests: promtool check metrics failed" >&2
  exit 1
fi
step "promtool: format ok; $(wc -l < "$OUT/promtool.txt") lint notes, all on node_exporter's own names"

stop_agent
start_agent page
step "browser tests of the household page (screenshots in $OUT/screenshots)"
EDGE_AGENT_URL="$url" EDGE_AGENT_TOKEN="$token" EDGE_SCREENSHOT_DIR="$OUT/screenshots" EDGE_AGENT_BIN="$BIN" \
  "$VENV/bin/pytest" -q Tests/browser

stop_agent
trap - EXIT
