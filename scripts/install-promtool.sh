#!/usr/bin/env bash
# Makes sure .build-tools/promtool exists and prints its path (relative to the repository).
# promtool is unpacked from Debian's prometheus package (apt-get download, no root needed
# unless the package lists must be updated); the server itself is not installed.
# Used by scripts/live-tests.sh and scripts/check-monitoring.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

TOOLS=.build-tools
if [ ! -x "$TOOLS/promtool" ]; then
  echo "install-promtool: unpacking promtool from Debian's prometheus package" >&2
  scratch="$(mktemp -d)"
  trap 'rm -rf "$scratch"' EXIT
  (cd "$scratch" && apt-get download prometheus >/dev/null 2>&1) || {
    apt-get update -qq && (cd "$scratch" && apt-get download prometheus >/dev/null)
  }
  dpkg-deb -x "$scratch"/prometheus_*.deb "$scratch/root"
  mkdir -p "$TOOLS"
  install -m 0755 "$scratch/root/usr/bin/promtool" "$TOOLS/promtool"
fi
echo "$TOOLS/promtool"
