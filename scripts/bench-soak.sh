#!/usr/bin/env bash
# The sync soak (part of `make bench`): Tests/sync/soak_sync.py with the debug binaries of
# .build/debug (as the sync tests use them): 3 agents, 2 centrals, partitions, clock steps,
# a central restore and an agent restore, for EDGE_SOAK_SECONDS (default 600). It prints
# what it did and what it checked; EDGE_SYNC_SEED=N replays a run.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --product edge-agent
swift build --product edge-central
EDGE_SYNC_TESTS=Tests/sync/soak_sync.py exec scripts/sync-tests.sh -s -p no:cacheprovider "$@"
