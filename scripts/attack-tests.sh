#!/usr/bin/env bash
# Attack tests (Tests/attack, issue 13 "Hostile input and a hostile LAN"; part of `make test`):
# real `edge-agent run` and `edge-central serve` processes from .build/debug against hostile
# input (bad dates, control characters, oversized and chunked bodies, forged and poisoned
# changes), a hostile LAN (idle sockets, slowloris, more connections than file descriptors)
# and a hostile disk (database deleted, replaced, corrupted, immutable, disk full). PostgreSQL
# comes from a private cluster per test module (scripts/pg-cluster.sh, as in the sync tests).
# Needs root for the tmpfs (full disk) and chattr (immutable files) tests.
#   scripts/attack-tests.sh [PYTEST ARGS...]    e.g. -k connections, -x, -v
# EDGE_SYNC_KEEP=1 keeps the temporary directories (logs, databases).
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=.build-venv
for bin in .build/debug/edge-agent .build/debug/edge-central; do
  [ -x "$bin" ] || { echo "attack-tests: $bin is not built; run 'swift build' first" >&2; exit 1; }
done
if [ ! -x "$VENV/bin/pytest" ]; then
  echo "attack-tests: installing pytest into $VENV" >&2
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check -r Tests/live/requirements.txt
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "attack-tests: not root: the full-disk (tmpfs) and immutable-file (chattr) tests will fail" >&2
fi

# schemathesis' and hypothesis' pytest plugins (in the same venv) are slow to load and unused.
export PYTEST_DISABLE_PLUGIN_AUTOLOAD=1
exec "$VENV/bin/pytest" -q -p no:cacheprovider Tests/attack "$@"
