#!/usr/bin/env bash
# End-to-end sync tests (Tests/sync, part of `make test`): real `edge-agent run` and
# `edge-central serve` processes from .build/debug, a private PostgreSQL 15 cluster per test
# module (scripts/pg-cluster.sh) and a fault proxy (Tests/live/fault_proxy.py) between each
# agent and central.
#   scripts/sync-tests.sh [PYTEST ARGS...]      e.g. -k faults, -x, -v
# EDGE_SYNC_TESTS=PATH runs PATH instead of Tests/sync (the soak: scripts/bench-soak.sh).
# EDGE_SYNC_SEED=N replays the randomised parts of a run (every run prints its seed);
# EDGE_SYNC_KEEP=1 keeps the temporary directories (logs, databases).
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=.build-venv
for bin in .build/debug/edge-agent .build/debug/edge-central; do
  [ -x "$bin" ] || { echo "sync-tests: $bin is not built; run 'swift build' first" >&2; exit 1; }
done
if [ ! -x "$VENV/bin/pytest" ]; then
  echo "sync-tests: installing pytest into $VENV" >&2
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check -r Tests/live/requirements.txt
fi

# The venv also holds schemathesis and hypothesis, whose pytest plugins take seconds to load
# and are not used here.
export PYTEST_DISABLE_PLUGIN_AUTOLOAD=1
exec "$VENV/bin/pytest" -q "${EDGE_SYNC_TESTS:-Tests/sync}" "$@"
