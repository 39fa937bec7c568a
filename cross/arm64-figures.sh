#!/usr/bin/env bash
# Print the arm64 figures (`make arm64-figures`): stripped static binary sizes
# for aarch64 and x86_64 beside Debian's prometheus-node-exporter binary,
# where the bytes go (the largest archive contributions: Foundation/ICU), image
# sizes when the archives exist, the clean cross-build time from the build
# summary, and start-to-ready of the aarch64 agent under qemu.
#
# Usage: cross/arm64-figures.sh [ARM64_DIR [X86_64_EDGE_AGENT]]
set -euo pipefail

die() { echo "arm64-figures: $*" >&2; exit 1; }
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
cache="$repo/.build-cross"
arm=${1:-"$cache/out/arm64"}
x86=${2:-"$repo/.build/release/edge-agent"}
sysroot="$cache/sysroot-debian12-arm64"
[ -x "$arm/edge-agent" ] || die "no $arm/edge-agent: run make arm64"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mib() { awk -v b="$1" 'BEGIN { printf "%.1f MiB", b / 1048576 }'; }

echo "== binary sizes (stripped, Swift runtime static)"
for exe in edge-agent edge-central; do
  [ -f "$arm/$exe" ] && printf '  aarch64 %-13s %s\n' "$exe" "$(mib "$(stat -c %s "$arm/$exe")")"
done
if [ -x "$x86" ]; then
  strip -o "$work/x86" "$x86"
  printf '  x86_64  %-13s %s (%s)\n' edge-agent "$(mib "$(stat -c %s "$work/x86")")" "$x86 stripped"
fi
# Debian's node exporter, the binary the agent replaces on a Pi.
for arch in amd64 arm64; do
  opts=()
  if [ "$arch" = arm64 ] && [ -d "$cache/apt-arm64/lists" ]; then
    opts=(-o "Dir::State::Lists=$cache/apt-arm64/lists" -o "Dir::State::status=$cache/apt-arm64/status"
      -o "APT::Architecture=arm64" -o "APT::Architectures::=arm64" -o "Debug::NoLocking=1")
  fi
  if (cd "$work" && apt-get "${opts[@]}" download "prometheus-node-exporter:$arch" >/dev/null 2>&1); then
    deb=$(ls "$work"/prometheus-node-exporter_*_"$arch".deb)
    size=$(dpkg-deb -c "$deb" | awk '$6 == "./usr/bin/prometheus-node-exporter" {print $3}')
    printf '  %-7s %-13s %s (Debian %s)\n' "$arch" node-exporter "$(mib "$size")" "$(dpkg-deb -f "$deb" Version)"
  else
    echo "  $arch node-exporter: apt-get download prometheus-node-exporter:$arch failed"
  fi
done

echo "== where the aarch64 edge-agent's bytes come from (static archives it pulls in)"
sdk=$(find "$cache/swift-sdks" -maxdepth 4 -type d -name "*.sdk" -path "*aarch64-unknown-linux-gnu*" 2>/dev/null | head -n 1)
if [ -n "$sdk" ]; then
  for a in lib_FoundationICU libFoundation libFoundationEssentials libFoundationInternationalization libswiftCore libCoreFoundation; do
    f="$sdk/usr/lib/swift_static/linux/$a.a"
    [ -f "$f" ] || continue
    text=$(size -t "$f" 2>/dev/null | tail -n 1 | awk '{print $1 + $2}')
    printf '  %-36s archive %s, code+data %s\n' "$a.a" "$(mib "$(stat -c %s "$f")")" "$(mib "${text:-0}")"
  done
  if grep -q 'icudt\|_FoundationICU' <(strings -n 8 "$arm/edge-agent" | head -n 200000) 2>/dev/null; then
    echo "  edge-agent contains ICU (its data table alone is about 30 MiB): GRDB imports Foundation"
  fi
fi

echo "== images"
found=""
for img in "$cache"/images/*.tar; do
  [ -f "$img" ] || continue
  found=1
  layer_bytes=$(tar -tvf "$img" | awk '$6 ~ /^blobs\// {s += $3} END {print s + 0}')
  printf '  %-28s archive %s\n' "$(basename "$img")" "$(mib "$layer_bytes")"
done
[ -n "$found" ] || echo "  none in $cache/images (cross/make-image.sh)"

echo "== cross-build"
if [ -f "$arm/build-summary.txt" ]; then sed 's/^/  /' "$arm/build-summary.txt"; fi

echo "== start-to-ready under qemu-aarch64-static (5 starts, empty database)"
for i in 1 2 3 4 5; do
  d="$work/data$i"
  mkdir -p "$d"
  t0=$(date +%s%N)
  qemu-aarch64-static -L "$sysroot" "$arm/edge-agent" run --data-dir "$d" --listen 127.0.0.1:0 \
    --host-root "$repo/Tests/Fixtures/rpi4" 2>"$d.log" &
  pid=$!
  port=""
  for _ in $(seq 1 600); do
    port=$(sed -n '/\] listening$/s/.*address=[0-9.]*:\([0-9][0-9]*\).*/\1/p' "$d.log" | head -n 1)
    if [ -n "$port" ] && curl -sf "http://127.0.0.1:$port/readiness" >/dev/null; then break; fi
    sleep 0.02
  done
  t1=$(date +%s%N)
  kill -TERM "$pid"; wait "$pid" || true
  echo "  start $i: $(( (t1 - t0) / 1000000 )) ms"
done
