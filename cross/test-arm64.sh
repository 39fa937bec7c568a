#!/usr/bin/env bash
# `make test-arm64`: cross-build the Swift test bundle for aarch64 and run it
# under qemu-aarch64-static. Not part of `make test` (a debug cross-build of
# every target plus the tests, then an emulated run: long).
#
# The aarch64 Swift Testing/XCTest runtime exists only as shared libraries
# from Debian sid, which need glibc 2.38+: the bundle runs on a sid arm64 root
# (mmdebstrap --variant=extract, cached in .build-cross/test-root-sid-arm64)
# with the SDK's shared Swift runtime and bookworm's libgpiod.so.2 (sid has
# libgpiod 2, another API) added. So this tests the code on aarch64, not the
# Pi's glibc (check-arm64.sh does that for the release binaries). Suites that
# start the built binaries as child processes need binfmt_misc to run those
# children under qemu (a child does not inherit the emulator): the script
# registers Debian's qemu-aarch64 entry when it is missing and it may (root,
# mounting binfmt_misc if needed), and passes the sid root to the children
# (QEMU_LD_PREFIX). Without it those suites fail, and the summary says why.
#
# Usage: cross/test-arm64.sh [FILTER]     (as root; FILTER: swift test --filter)
# Prints each suite's result, then a summary line with counts and timings.
set -euo pipefail

die() { echo "test-arm64: $*" >&2; exit 1; }
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
cache="$repo/.build-cross"
scratch="$repo/.build-arm64"
filter=${1:-}

root="$cache/test-root-sid-arm64"
packages="libc6,libstdc++6,libgcc-s1,libsqlite3-0,zlib1g,libuuid1,libcurl4t64,libxml2-16,libfaketime"
if [ "$(cat "$root/.edge-root" 2>/dev/null)" != "$packages" ]; then
  work=$(mktemp -d "$cache/.test-root.XXXXXX")
  trap 'rm -rf "$work"' EXIT
  mmdebstrap --arch=arm64 --variant=extract --include="$packages" \
    --aptopt='Acquire::Check-Valid-Until "false"' sid "$work/root" http://deb.debian.org/debian \
    >"$work/mmdebstrap.log" 2>&1 || die "mmdebstrap of the sid arm64 root: $(grep -m1 -E '^E:' "$work/mmdebstrap.log" || tail -n 1 "$work/mmdebstrap.log")"
  sdk=$(find "$cache/swift-sdks" -maxdepth 4 -type d -name '*.sdk' -path '*aarch64-unknown-linux-gnu*' 2>/dev/null | head -n 1)
  [ -n "$sdk" ] || die "no aarch64 Swift SDK in $cache/swift-sdks: run make arm64 first"
  # sid is merged-/usr; the extract variant does not make the /lib link.
  [ -e "$work/root/lib" ] || ln -s usr/lib "$work/root/lib"
  mkdir -p "$work/root/usr/lib/swift-aarch64"
  cp -a "$sdk"/usr/lib/swift/linux/*.so "$work/root/usr/lib/swift-aarch64/"
  cp -a "$cache"/sysroot-debian12-arm64/usr/lib/aarch64-linux-gnu/libgpiod.so.2* "$work/root/usr/lib/aarch64-linux-gnu/"
  # The wrong-clock tests run the agent under the host's faketime, which preloads its own
  # x86_64 library by path; qemu looks that path up in this root first, so the arm64
  # library placed there is what the emulated agent loads.
  mkdir -p "$work/root/usr/lib/x86_64-linux-gnu/faketime"
  for lib in libfaketime.so.1 libfaketimeMT.so.1; do
    ln -s "../../aarch64-linux-gnu/faketime/$lib" "$work/root/usr/lib/x86_64-linux-gnu/faketime/$lib"
  done
  echo "$packages" > "$work/root/.edge-root"
  rm -rf "$root"
  mv "$work/root" "$root"
fi

build_started=$SECONDS
EDGE_ARM64_TESTS=1 "$here/build-arm64.sh" || die "building the test bundle failed (above)"
bin=$(cat "$scratch/tests-bin-path")
bundle=$(find "$bin" -maxdepth 1 -name '*PackageTests.xctest' -type f | head -n 1)
[ -n "$bundle" ] || die "no *PackageTests.xctest in $bin"

binfmt=/proc/sys/fs/binfmt_misc
if [ ! -e "$binfmt/qemu-aarch64" ]; then
  [ -e "$binfmt/register" ] || mount -t binfmt_misc binfmt_misc "$binfmt" 2>/dev/null || true
  if [ -w "$binfmt/register" ] && [ -f /usr/lib/binfmt.d/qemu-aarch64.conf ]; then
    cat /usr/lib/binfmt.d/qemu-aarch64.conf >"$binfmt/register" 2>/dev/null || true
  fi
fi
if [ -e "$binfmt/qemu-aarch64" ]; then
  children="children under qemu through binfmt_misc"
else
  children="no binfmt_misc entry for aarch64: suites that start the built binaries fail"
fi
echo "test-arm64: $children" >&2

args=(--testing-library swift-testing)
[ -z "$filter" ] || args+=(--filter "$filter")
log="$scratch/test-arm64.log"
run_started=$SECONDS
status=0
(cd "$repo" && qemu-aarch64-static -L "$root" -E LD_LIBRARY_PATH=/usr/lib/swift-aarch64 -E QEMU_LD_PREFIX="$root" \
  "$bundle" "${args[@]}") >"$log" 2>&1 || status=$?
run_secs=$((SECONDS - run_started))
grep -E '(Suite|Test run) .* (passed|failed)' "$log" | sed 's/^/  /' | tail -n 60 || true
passed=$(grep -cE 'Suite .* passed' "$log" || true)
failed=$(grep -cE 'Suite .* failed' "$log" || true)
build_secs=$((run_started - build_started))
echo "test-arm64: $passed suites passed, $failed failed (exit $status); build ${build_secs} s, run ${run_secs} s under qemu ($children); log: $log"
[ "$status" = 0 ]
