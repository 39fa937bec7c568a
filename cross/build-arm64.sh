#!/usr/bin/env bash
# Cross-build edge-agent (and edge-central, when the package has it) for
# aarch64 Debian 12 / Raspberry Pi OS bookworm from an x86-64 machine, with a
# Swift SDK, statically linking the Swift runtime (--static-swift-stdlib) so a
# Pi needs only libc, libstdc++, libsqlite3-0 and libgpiod2.
#
# Usage: cross/build-arm64.sh [OUTDIR]     (default: .build-cross/out/arm64)
#
# The Swift SDK, first match wins:
#   1. EDGE_SWIFT_SDK=<id>: an installed SDK (`swift sdk list`).
#   2. An installed SDK whose id names aarch64 and debian/bookworm, e.g. one
#      made by swift-sdk-generator:
#        swift run swift-sdk-generator make-linux-sdk \
#          --distribution-name debian --distribution-version 12 \
#          --target aarch64-unknown-linux-gnu
#        swift sdk install Bundles/<the bundle it names>
#   3. SWIFT_AARCH64_TOOLCHAIN=<dir or .tar.gz>: the aarch64 Debian 12 Swift
#      toolchain of the same version as `swift --version` (from swift.org:
#      swift-<version>-RELEASE-debian12-aarch64.tar.gz). Its
#      usr/lib/swift{,_static}/linux runtime goes on top of the Debian sysroot
#      (cross/make-sysroot.sh) to make the SDK edge-debian12-aarch64 under
#      .build-cross/swift-sdks.
# Without any of them it stops with one line saying what is missing.
# On a Pi (aarch64 host) no SDK is needed: swift build there builds natively.
set -euo pipefail

die() { echo "build-arm64.sh: $*" >&2; exit 1; }

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
cache="$repo/.build-cross"
outdir=${1:-"$cache/out/arm64"}
scratch="$repo/.build-arm64"
cleanup=()
trap 'rm -rf "${cleanup[@]}"' EXIT

command -v swift >/dev/null || die "swift not found: install the Swift toolchain (swift.org) and put it on PATH"
[ -f "$repo/Package.swift" ] || die "no Package.swift in $repo"
host_version=$(swift --version 2>/dev/null | sed -n 's/.*Swift version \([0-9][0-9.]*\).*/\1/p' | head -n 1)
[ -n "$host_version" ] || die "cannot read the Swift version from 'swift --version'"

sdk_id=""
sdk_path_args=()
case $(uname -m) in
  aarch64|arm64)
    echo "aarch64 host: building natively"
    ;;
  *)
    sdk_id=${EDGE_SWIFT_SDK:-}
    if [ -z "$sdk_id" ]; then
      sdk_id=$(swift sdk list 2>/dev/null | grep -i 'aarch64' | grep -i -E 'debian|bookworm' | head -n 1 || true)
    fi
    if [ -n "$sdk_id" ]; then
      :
    elif [ -n "${SWIFT_AARCH64_TOOLCHAIN:-}" ]; then
      sdk_id=edge-debian12-aarch64
      sdk_path_args=(--swift-sdks-path "$cache/swift-sdks")
      "$here/make-sysroot.sh" >/dev/null
      sysroot="$cache/sysroot-debian12-arm64"
      bundle="$cache/swift-sdks/edge-debian12-aarch64.artifactbundle"
      stamp="$bundle/.edge-sdk"
      want="$host_version $(head -n 1 "$sysroot/.edge-sysroot") $SWIFT_AARCH64_TOOLCHAIN"
      if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
        mkdir -p "$cache/swift-sdks"
        work=$(mktemp -d "$cache/.sdk-work.XXXXXX")
        cleanup+=("$work")
        tc=$SWIFT_AARCH64_TOOLCHAIN
        if [ -f "$tc" ]; then
          mkdir -p "$work/tc"
          tar -xzf "$tc" -C "$work/tc" --wildcards '*/usr/lib/swift/*' '*/usr/lib/swift_static/*' \
            || die "cannot unpack usr/lib/swift{,_static} from $tc"
          tc=$(dirname "$(dirname "$(dirname "$(find "$work/tc" -type d -path '*/usr/lib/swift' -print -quit)")")")
        fi
        [ -f "$tc/usr/lib/swift/linux/aarch64/swiftrt.o" ] \
          || die "$SWIFT_AARCH64_TOOLCHAIN is not an aarch64 Linux Swift toolchain (no usr/lib/swift/linux/aarch64/swiftrt.o)"
        [ -f "$tc/usr/lib/swift_static/linux/static-stdlib-args.lnk" ] \
          || die "$SWIFT_AARCH64_TOOLCHAIN has no static Swift runtime (usr/lib/swift_static/linux)"
        case $SWIFT_AARCH64_TOOLCHAIN in
          *swift-"$host_version"-RELEASE*) ;;
          *swift-*-RELEASE*) die "$SWIFT_AARCH64_TOOLCHAIN does not match the host compiler (Swift $host_version)" ;;
        esac
        b="$work/edge-debian12-aarch64.artifactbundle"
        sdk="$b/edge-debian12-aarch64/aarch64-unknown-linux-gnu/debian-bookworm.sdk"
        mkdir -p "$sdk/usr/lib"
        cp -a "$sysroot/." "$sdk/"
        cp -a "$tc/usr/lib/swift" "$tc/usr/lib/swift_static" "$sdk/usr/lib/"
        rm -rf "$sdk/usr/lib/swift/clang" "$sdk/usr/lib/swift_static/clang"
        cat > "$b/info.json" <<'EOF'
{
  "schemaVersion": "1.0",
  "artifacts": {
    "edge-debian12-aarch64": {
      "type": "swiftSDK",
      "version": "1.0.0",
      "variants": [
        { "path": "edge-debian12-aarch64/aarch64-unknown-linux-gnu" }
      ]
    }
  }
}
EOF
        cat > "$b/edge-debian12-aarch64/aarch64-unknown-linux-gnu/swift-sdk.json" <<'EOF'
{
  "schemaVersion": "4.0",
  "targetTriples": {
    "aarch64-unknown-linux-gnu": {
      "sdkRootPath": "debian-bookworm.sdk",
      "swiftResourcesPath": "debian-bookworm.sdk/usr/lib/swift",
      "swiftStaticResourcesPath": "debian-bookworm.sdk/usr/lib/swift_static",
      "toolsetPaths": ["toolset.json"]
    }
  }
}
EOF
        cat > "$b/edge-debian12-aarch64/aarch64-unknown-linux-gnu/toolset.json" <<'EOF'
{
  "schemaVersion": "1.0",
  "swiftCompiler": { "extraCLIOptions": ["-use-ld=lld"] },
  "cCompiler": { "extraCLIOptions": ["-fuse-ld=lld"] },
  "cxxCompiler": { "extraCLIOptions": ["-fuse-ld=lld"] }
}
EOF
        echo "$want" > "$b/.edge-sdk"
        rm -rf "$bundle"
        mv "$b" "$bundle"
        echo "Swift SDK assembled: $bundle"
      fi
    else
      echo "build-arm64.sh: no Swift SDK for aarch64 Debian 12 (swift sdk list has none, EDGE_SWIFT_SDK and SWIFT_AARCH64_TOOLCHAIN unset): this machine has no aarch64 Swift $host_version runtime (usr/lib/swift{,_static}/linux)" >&2
      cat >&2 <<EOF
  Get one of:
  - SWIFT_AARCH64_TOOLCHAIN=/path/to/swift-$host_version-RELEASE-debian12-aarch64.tar.gz cross/build-arm64.sh
    (the aarch64 Debian 12 toolchain from swift.org; its runtime is combined with the Debian sysroot)
  - a Swift SDK from swift-sdk-generator (Debian 12, aarch64-unknown-linux-gnu), installed with 'swift sdk install'
  - or build on a Pi: swift build -c release --static-swift-stdlib
EOF
      exit 1
    fi
    ;;
esac

sdk_args=()
if [ -n "$sdk_id" ]; then
  sdk_args=("${sdk_path_args[@]}" --swift-sdk "$sdk_id")
  command -v ld.lld >/dev/null || die "ld.lld not found (it ships with the Swift toolchain; or apt-get install lld)"
  # SwiftPM reads .pc files itself (for libgpiod); point it at the SDK's
  # sysroot, not the host's /usr (swift-package-manager issue 7409).
  sdk_root=$(swift sdk configure "${sdk_path_args[@]}" --show-configuration \
    "$sdk_id" aarch64-unknown-linux-gnu 2>/dev/null | sed -n 's/^sdkRootPath: //p')
  [ -d "$sdk_root" ] || die "cannot find the sysroot of Swift SDK $sdk_id for aarch64-unknown-linux-gnu"
  export PKG_CONFIG_SYSROOT_DIR="$sdk_root"
  export PKG_CONFIG_PATH="$sdk_root/usr/lib/aarch64-linux-gnu/pkgconfig:$sdk_root/usr/share/pkgconfig"
  export PKG_CONFIG_LIBDIR="$PKG_CONFIG_PATH"
fi

echo "building for aarch64 with Swift $host_version ${sdk_args[*]}"
swift build --package-path "$repo" --scratch-path "$scratch" -c release --static-swift-stdlib "${sdk_args[@]}"
bin=$(swift build --package-path "$repo" --scratch-path "$scratch" -c release "${sdk_args[@]}" --show-bin-path)

[ -x "$bin/edge-agent" ] || die "the build produced no edge-agent in $bin"
mkdir -p "$outdir"
tmp=$(mktemp -d "$outdir/.tmp.XXXXXX")
cleanup+=("$tmp")
for exe in edge-agent edge-central; do
  [ -x "$bin/$exe" ] || continue
  machine=$(od -An -tx1 -j18 -N2 "$bin/$exe" | tr -d ' \n')
  [ "$machine" = "b700" ] || die "$bin/$exe is not an aarch64 executable (ELF machine $machine)"
  cp "$bin/$exe" "$tmp/$exe"
done
for exe in "$tmp"/*; do
  mv -f "$exe" "$outdir/"
  echo "$outdir/$(basename "$exe")"
done
