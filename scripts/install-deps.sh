#!/usr/bin/env bash
# Installs the Debian packages edge-agent needs, only those missing.
#   scripts/install-deps.sh run    what building and running the agent needs
#   scripts/install-deps.sh test   that, plus what the test suite needs
set -euo pipefail

profile="${1:-run}"
packages=(pkg-config libsqlite3-dev libgpiod-dev zlib1g-dev tzdata)
case "$profile" in
  run) ;;
  # The live tests: curl, a Python venv (schemathesis, Selenium), Debian's Chromium and its driver;
  # PostgreSQL 15 (Debian 12) for the throwaway clusters of scripts/pg-cluster.sh and psql;
  # openssl makes the private CA of the HTTPS sync test; faketime sets wrong clocks in the sync tests;
  # python3-yaml for scripts/check-monitoring.sh. kubectl (for `kubectl kustomize`) is not a
  # Debian 12 package: the deployment checks need it on PATH (checked below).
  test) packages+=(sqlite3 procps curl openssl faketime python3-venv python3-yaml chromium chromium-driver postgresql postgresql-client) ;;
  *) echo "install-deps: unknown profile '$profile' (use run or test)" >&2; exit 2 ;;
esac

if ! command -v swift >/dev/null 2>&1; then
  echo "install-deps: the Swift toolchain (6.2 or newer) is not on PATH; install it from swift.org and retry" >&2
  exit 1
fi

if [ "$profile" = test ] && ! command -v kubectl >/dev/null 2>&1; then
  echo "install-deps: kubectl is not on PATH; make test renders k8s/ with kubectl kustomize: install kubectl 1.27 or later" >&2
  exit 1
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ "${#missing[@]}" -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}" >&2
if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1; then
  sudo=(sudo)
else
  echo "install-deps: need root (or sudo) to install: ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
