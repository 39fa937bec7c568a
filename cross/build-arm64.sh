#!/usr/bin/env bash
# Cross-build release edge-agent and edge-central for aarch64 Debian 12
# (Raspberry Pi OS bookworm) on an x86-64 Debian host, from Debian packages
# only. `make arm64` runs it. The route (cross/README.md explains each part):
#
#   compiler  Debian sid's swiftlang (pinned below, amd64) in a sid chroot made
#             by mmdebstrap: the host's own Swift (swift.org 6.3.1) cannot use
#             6.2.3 modules, and no aarch64 runtime of 6.3.1 exists in Debian.
#   target    the aarch64 Swift modules, runtime and static archives from sid's
#             swiftlang:arm64 + libswiftlang:arm64, unpacked (not installed)
#   sysroot   Debian 12 arm64 (cross/make-sysroot.sh): glibc 2.36, libstdc++ 12,
#             SQLite 3.40, libgpiod 1.6, zlib
#   SDK       a Swift SDK bundle of the two (ld.lld), plus cross/glibc-compat.c
#             built into its static runtime directory: sid's archives call
#             glibc 2.38 symbols that bookworm lacks
#
# Output: release binaries, Swift runtime linked statically, stripped, in
# OUTDIR (default .build-cross/out/arm64), plus build-summary.txt there.
# Caches (all under .build-cross/, git-ignored): the sid chroot, the SDK, the
# sysroot; the build directory is .build-arm64/. Each cache is built under a
# temporary name and renamed only when complete. First run: about 1.1 GB of
# downloads and 6 GB of disk.
#
# Usage: cross/build-arm64.sh [OUTDIR]      (as root: chroot and mounts)
#   EDGE_ARM64_DEBUG=1  also leave the unstripped binaries (*.debug) in OUTDIR
#   EDGE_BUILD_LOCK=F   run each swift build under flock F (a machine shared
#                       with other builds)
#   EDGE_ARM64_TESTS=1  build the test bundle instead (debug; cross/test-arm64.sh)
#   EDGE_ARM64_PACKAGE=D  build the package in D instead of this checkout (D
#                       inside the repository, which is all the chroot sees;
#                       e.g. `git archive HEAD` unpacked under .build-cross/)
# Any failure is one line "build-arm64.sh: <what failed>: <why / what to do>".
set -euo pipefail

# --- pins -----------------------------------------------------------------
# The sid swiftlang build used for both the amd64 compiler and the aarch64
# runtime. They must be the same version. When sid moves on, this script stops
# (it never builds with a different compiler silently): check the new version
# builds (warnings as errors) and passes `make test`, then bump it here.
SWIFTLANG_VERSION="6.2.3-1+b1"
SWIFT_VERSION="6.2.3"
SID_MIRROR="http://deb.debian.org/debian"
# What the chroot holds besides swiftlang (git: SwiftPM checks out dependencies).
CHROOT_EXTRA=(libc6-dev pkg-config git)
# The glibc the binaries may need at most (Debian 12 has 2.36).
MAX_GLIBC="2.36"
# The libraries the binaries may load (their sonames' stems).
ALLOWED_LIBS="libc libm libstdc++ libgcc_s libsqlite3 libgpiod libz ld-linux-aarch64"
SDK_ID="edge-aarch64-bookworm"
# Bump when the SDK's assembly below changes, so cached SDKs are rebuilt.
SDK_LAYOUT=4

die() { [ -z "${in_line:-}" ] || echo; echo "build-arm64.sh: $*" >&2; exit 1; }
say() { echo "build-arm64.sh: $*"; }

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
cache="$repo/.build-cross"
outdir=${1:-"$cache/out/arm64"}
scratch="$repo/.build-arm64"
chroot_dir="$cache/sid-chroot"
sysroot="$cache/sysroot-debian12-arm64"
sdks="$cache/swift-sdks"
bundle="$sdks/$SDK_ID.artifactbundle"
aptdir="$cache/apt-sid"
started=$SECONDS

cleanup=()
trap 'rm -rf "${cleanup[@]}"' EXIT

# --- prerequisites ----------------------------------------------------------
[ "$(id -u)" = 0 ] || die "needs root (it makes a chroot and bind mounts): run 'sudo make arm64'"
[ "$(uname -m)" = x86_64 ] || die "host is $(uname -m): this cross-build runs on x86_64 (on a Pi, build natively: swift build -c release --static-swift-stdlib)"
[ -f "$repo/Package.swift" ] || die "no Package.swift in $repo"
# Debian tools it needs, installed when missing.
declare -A tool_pkg=([mmdebstrap]=mmdebstrap [apt-get]=apt [dpkg-deb]=dpkg [unshare]=util-linux
  [chroot]=coreutils [readelf]=binutils [flock]=util-linux)
missing=()
for tool in "${!tool_pkg[@]}"; do
  command -v "$tool" >/dev/null || missing+=("${tool_pkg[$tool]}")
done
[ -r /usr/share/keyrings/debian-archive-keyring.gpg ] || missing+=(debian-archive-keyring)
if [ ${#missing[@]} -gt 0 ]; then
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
  say "installing ${missing[*]} (apt)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/tmp/build-arm64-apt.log 2>&1 \
    || { apt-get update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/tmp/build-arm64-apt.log 2>&1; } \
    || die "apt-get install ${missing[*]} failed: $(tail -n 1 /tmp/build-arm64-apt.log)"
fi
mkdir -p "$cache"

# need_space GB WHAT: stop unless GB gigabytes are free under .build-cross.
need_space() {
  local free_gb
  free_gb=$(( $(df -Pk "$cache" | awk 'NR==2 {print $4}') / 1024 / 1024 ))
  [ "$free_gb" -ge "$1" ] || die "only $free_gb GB free in $cache, $2 needs $1 GB: free some space (or rm -rf $cache $scratch to start over)"
}

# progress LABEL DIR LOG CMD...: run CMD with output to LOG; every 15 s print
# how much DIR has grown, so a long download shows it is moving.
progress() {
  local label=$1 dir=$2 log=$3 pid start_mb now_mb
  shift 3
  mkdir -p "$dir"
  start_mb=$(du -sm "$dir" | cut -f1)
  "$@" >"$log" 2>&1 &
  pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15; do
      kill -0 "$pid" 2>/dev/null || break
      sleep 1
    done
    if kill -0 "$pid" 2>/dev/null; then
      now_mb=$(du -sm "$dir" 2>/dev/null | cut -f1)
      say "  $label: $((now_mb - start_mb)) MB so far; $(grep -E '^(I:|Get:|\[[0-9]+/[0-9]+\])' "$log" | tail -n 1 | cut -c1-90)"
    fi
  done
  wait "$pid"
}

# --- sid package index: is the pinned version still there? --------------------
sid_apt_opts=(
  -o "Dir::Etc::sourcelist=$aptdir/sources.list" -o "Dir::Etc::sourceparts=-"
  -o "Dir::State::Lists=$aptdir/lists" -o "Dir::State::status=$aptdir/status"
  -o "Dir::Cache=$aptdir" -o "Dir::Cache::archives=$aptdir/archives"
  -o "APT::Architecture=amd64" -o "APT::Architectures::=amd64" -o "APT::Architectures::=arm64"
  -o "Acquire::Check-Valid-Until=false" -o "APT::Sandbox::User=root" -o "Debug::NoLocking=1"
)
sid_checked=""
check_sid() {
  [ -z "$sid_checked" ] || return 0
  mkdir -p "$aptdir/lists/partial" "$aptdir/archives/partial"
  [ -f "$aptdir/status" ] || : > "$aptdir/status"
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $SID_MIRROR sid main" > "$aptdir/sources.list"
  [ -r /usr/share/keyrings/debian-archive-keyring.gpg ] || die "no Debian archive keyring: apt-get install debian-archive-keyring"
  apt-get "${sid_apt_opts[@]}" -q update >"$aptdir/update.log" 2>&1 \
    || die "apt-get update of Debian sid failed: $(grep -m1 -E '^(E|W):' "$aptdir/update.log" || tail -n 1 "$aptdir/update.log")"
  local arch have
  for arch in amd64 arm64; do
    for pkg in swiftlang libswiftlang; do
      have=$(apt-cache "${sid_apt_opts[@]}" madison "$pkg:$arch" 2>/dev/null | awk -F' *[|] *' '{print $2}' | paste -sd' ' -)
      case " $have " in
        *" $SWIFTLANG_VERSION "*) ;;
        *) die "Debian sid no longer has $pkg:$arch $SWIFTLANG_VERSION (it has: ${have:-none}): sid moved on; try the new version and bump SWIFTLANG_VERSION in cross/build-arm64.sh" ;;
      esac
    done
  done
  sid_checked=1
  say "Debian sid still has swiftlang $SWIFTLANG_VERSION for amd64 and arm64"
}

# --- 1. the sid chroot with the compiler --------------------------------------
chroot_want="swiftlang=$SWIFTLANG_VERSION ${CHROOT_EXTRA[*]}"
if [ "$(cat "$chroot_dir/.edge-chroot" 2>/dev/null)" = "$chroot_want" ]; then
  say "compiler: cached sid chroot (swiftlang $SWIFTLANG_VERSION)"
else
  check_sid
  need_space 8 "the sid chroot, the SDK and the build"
  say "compiler: making a Debian sid chroot with swiftlang $SWIFTLANG_VERSION (about 600 MB download, 3 GB on disk)"
  tmp_chroot=$(mktemp -d "$cache/.sid-chroot.XXXXXX")
  cleanup+=("$tmp_chroot")
  progress "sid chroot" "$tmp_chroot" "$cache/mmdebstrap.log" \
    mmdebstrap --variant=minbase --mode=root --format=directory \
      --aptopt='Acquire::Check-Valid-Until "false"' \
      --include="swiftlang=$SWIFTLANG_VERSION,libswiftlang=$SWIFTLANG_VERSION,$(IFS=,; echo "${CHROOT_EXTRA[*]}")" \
      sid "$tmp_chroot" "$SID_MIRROR" \
    || die "mmdebstrap of the sid chroot failed: $(grep -m1 -E '^(E|W):' "$cache/mmdebstrap.log" || tail -n 1 "$cache/mmdebstrap.log") (full log: $cache/mmdebstrap.log)"
  # shellcheck disable=SC2016 # dpkg-query expands ${Version}
  got=$(chroot "$tmp_chroot" dpkg-query -W -f='${Version}' swiftlang 2>/dev/null || true)
  [ "$got" = "$SWIFTLANG_VERSION" ] || die "the sid chroot has swiftlang '$got', not the pinned $SWIFTLANG_VERSION"
  echo "$chroot_want" > "$tmp_chroot/.edge-chroot"
  rm -rf "$chroot_dir"
  mv "$tmp_chroot" "$chroot_dir"
  say "compiler: sid chroot ready ($(du -sh "$chroot_dir" | cut -f1))"
fi

# in_chroot CMD...: run CMD in the sid chroot with /proc mounted (the Swift
# driver finds its libraries through /proc/self/exe) and the repository bound
# at the same path. The mounts live in a private mount namespace: they vanish
# with the process, whatever happens to it.
in_chroot() {
  local home_cache="${HOME:-/root}/.cache/org.swift.swiftpm"
  mkdir -p "$chroot_dir$repo" "$chroot_dir/root/.cache/org.swift.swiftpm"
  mkdir -p "$home_cache"
  # shellcheck disable=SC2016 # the inner shell expands its own arguments
  unshare --mount --propagation private -- /bin/sh -c '
    set -e
    root=$1 repo=$2 cache=$3; shift 3
    mount -t proc proc "$root/proc"
    mount --bind "$repo" "$root$repo"
    mount --bind "$cache" "$root/root/.cache/org.swift.swiftpm"
    exec chroot "$root" /usr/bin/env -i HOME=/root PATH=/usr/bin:/bin:/usr/sbin:/sbin \
      LANG=C.UTF-8 ${PKG_CONFIG_PATH:+PKG_CONFIG_PATH=$PKG_CONFIG_PATH} \
      ${PKG_CONFIG_LIBDIR:+PKG_CONFIG_LIBDIR=$PKG_CONFIG_LIBDIR} \
      ${PKG_CONFIG_SYSROOT_DIR:+PKG_CONFIG_SYSROOT_DIR=$PKG_CONFIG_SYSROOT_DIR} "$@"
  ' sh "$chroot_dir" "$repo" "$home_cache" "$@"
}

got=$(in_chroot swift -version 2>&1 | sed -n 's/.*Swift version \([0-9.]*\).*/\1/p' | head -n 1)
[ "$got" = "$SWIFT_VERSION" ] || die "the sid chroot's swift does not run or is not $SWIFT_VERSION ('$got'): rm -rf $chroot_dir and retry"

# --- 2. the Debian 12 arm64 sysroot ----------------------------------------------
"$here/make-sysroot.sh" >"$cache/sysroot.log" 2>&1 \
  || die "the arm64 sysroot: $(tail -n 1 "$cache/sysroot.log")"
say "sysroot: $(tail -n 1 "$cache/sysroot.log" | sed "s|$repo/||")"
glibc=$(awk '$1 == "libc6" {print $2}' "$sysroot/.edge-sysroot")
case $glibc in
  2.36-*) ;;
  *) die "the sysroot has libc6 '$glibc', not Debian 12's 2.36: it must match the Pi" ;;
esac

# --- 3. the Swift SDK -----------------------------------------------------------------
sdk_want="swiftlang:arm64=$SWIFTLANG_VERSION sysroot=$(sha256sum < "$sysroot/.edge-sysroot" | cut -c1-16) shim=$(sha256sum < "$here/glibc-compat.c" | cut -c1-16) layout=$SDK_LAYOUT"
variant="$SDK_ID/aarch64-unknown-linux-gnu"
sdkroot_rel="$variant/debian-bookworm.sdk"
if [ "$(cat "$bundle/.edge-sdk" 2>/dev/null)" = "$sdk_want" ]; then
  say "SDK: cached $bundle"
else
  check_sid
  need_space 4 "the Swift SDK"
  tmp_sdk=$(mktemp -d "$cache/.sdk.XXXXXX")
  cleanup+=("$tmp_sdk")
  say "SDK: downloading swiftlang:arm64 and libswiftlang:arm64 $SWIFTLANG_VERSION (about 530 MB)"
  mkdir -p "$tmp_sdk/debs"
  # shellcheck disable=SC2016 # the inner shell expands its own arguments
  progress "arm64 runtime" "$tmp_sdk/debs" "$tmp_sdk/download.log" \
    sh -c 'cd "$1" && shift && exec "$@"' sh "$tmp_sdk/debs" \
      apt-get "${sid_apt_opts[@]}" download "swiftlang:arm64=$SWIFTLANG_VERSION" "libswiftlang:arm64=$SWIFTLANG_VERSION" \
    || die "downloading swiftlang:arm64 $SWIFTLANG_VERSION failed: $(grep -m1 -E '^(E|W):' "$tmp_sdk/download.log" || tail -n 1 "$tmp_sdk/download.log")"
  b="$tmp_sdk/$SDK_ID.artifactbundle"
  sdk="$b/$sdkroot_rel"
  mkdir -p "$sdk" "$tmp_sdk/x"
  cp -a "$sysroot/." "$sdk/"
  for deb in "$tmp_sdk"/debs/*.deb; do
    dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp_sdk/x" \
      --wildcards './usr/libexec/swift/lib/*' --exclude='./usr/libexec/swift/lib/lib*' \
      --exclude='./usr/libexec/swift/lib/swift/host/*' --exclude='./usr/libexec/swift/lib/swift/embedded/*' \
      --exclude='./usr/libexec/swift/lib/swift/pm/*' --exclude='./usr/libexec/swift/lib/swift/migrator/*' \
      --exclude='./usr/libexec/swift/lib/swift/FrameworkABIBaseline/*' \
      || die "unpacking $(basename "$deb") failed"
  done
  rm -rf "$tmp_sdk/debs"
  src="$tmp_sdk/x/usr/libexec/swift/lib"
  [ -f "$src/swift/linux/aarch64/swiftrt.o" ] || die "swiftlang:arm64 has no usr/libexec/swift/lib/swift/linux/aarch64/swiftrt.o: the package layout changed"
  [ -f "$src/swift_static/linux/static-stdlib-args.lnk" ] || die "swiftlang:arm64 has no static runtime (swift_static/linux/static-stdlib-args.lnk)"
  # swift/clang and swift_static/clang are relative links to clang/<major>:
  # keep them working inside the SDK.
  mkdir -p "$sdk/usr/lib"
  cp -a "$src/swift" "$src/swift_static" "$src/clang" "$sdk/usr/lib/"

  # The compatibility shim (cross/glibc-compat.c): every symbol it defines must
  # still be wanted by some static archive, or it is dead weight.
  static_dir="$sdk/usr/lib/swift_static/linux"
  shim_syms=$(sed -n 's/^[a-z_ ]*[ *]\([_a-z0-9]*\)(.*) {$/\1/p' "$here/glibc-compat.c" | sort -u)
  [ -n "$shim_syms" ] || die "found no functions in cross/glibc-compat.c"
  wanted=$(for a in "$static_dir"/*.a; do readelf -sW "$a" 2>/dev/null | awk '$7 == "UND" {print $8}'; done | sort -u)
  for sym in $shim_syms; do
    grep -qx "$sym" <<< "$wanted" || die "cross/glibc-compat.c defines $sym but no archive of swiftlang:arm64 $SWIFTLANG_VERSION references it: drop it from the shim"
  done
  for sym in $(grep -E '^(__isoc23_|strlcpy$|strlcat$)' <<< "$wanted" || true); do
    grep -qx "$sym" <<< "$shim_syms" || die "the static archives reference $sym (glibc 2.38) and cross/glibc-compat.c does not define it: add it to the shim"
  done
  # Everything under the repository has the same path inside the chroot.
  mkdir -p "$tmp_sdk/shim"
  cp "$here/glibc-compat.c" "$tmp_sdk/shim/"
  # shellcheck disable=SC2016 # the inner shell expands its own arguments
  in_chroot /bin/sh -c 'cd "$1" && /usr/libexec/swift/bin/clang --target=aarch64-linux-gnu --sysroot="$2" -std=gnu11 -O2 -fPIC -Wall -Wextra -Werror -c glibc-compat.c -o glibc-compat.o && /usr/libexec/swift/bin/llvm-ar rcs libedge_glibc236_compat.a glibc-compat.o' \
    sh "$tmp_sdk/shim" "$sdk" >"$tmp_sdk/shim.log" 2>&1 \
    || die "compiling cross/glibc-compat.c failed: $(grep -m1 error "$tmp_sdk/shim.log" || head -n 1 "$tmp_sdk/shim.log")"
  # In the sysroot's library directory (clang's --sysroot search path); the
  # toolset adds -Xlinker -ledge_glibc236_compat to every swiftc link. lld
  # takes what it needs from an archive wherever it is on the command line.
  cp "$tmp_sdk/shim/libedge_glibc236_compat.a" "$sdk/usr/lib/aarch64-linux-gnu/"

  cat > "$b/info.json" <<EOF
{
  "schemaVersion": "1.0",
  "artifacts": {
    "$SDK_ID": {
      "type": "swiftSDK",
      "version": "$SWIFTLANG_VERSION",
      "variants": [
        { "path": "$variant", "supportedTriples": ["x86_64-pc-linux-gnu", "x86_64-unknown-linux-gnu"] }
      ]
    }
  }
}
EOF
  cat > "$b/$variant/swift-sdk.json" <<'EOF'
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
  cat > "$b/$variant/toolset.json" <<'EOF'
{
  "schemaVersion": "1.0",
  "swiftCompiler": { "extraCLIOptions": ["-use-ld=lld", "-Xlinker", "-ledge_glibc236_compat"] }
}
EOF
  echo "$sdk_want" > "$b/.edge-sdk"
  mkdir -p "$sdks"
  rm -rf "$bundle"
  mv "$b" "$bundle"
  say "SDK: assembled $bundle ($(du -sh "$bundle" | cut -f1))"
fi

# locked CMD...: CMD under flock $EDGE_BUILD_LOCK when that is set.
locked() {
  if [ -z "${EDGE_BUILD_LOCK:-}" ]; then "$@"; return; fi
  ( flock 9 && "$@" ) 9>"$EDGE_BUILD_LOCK"
}

# --- 4. build ---------------------------------------------------------------------
sdk_root="$bundle/$sdkroot_rel"
export PKG_CONFIG_SYSROOT_DIR="$sdk_root"
export PKG_CONFIG_PATH="$sdk_root/usr/lib/aarch64-linux-gnu/pkgconfig:$sdk_root/usr/share/pkgconfig"
export PKG_CONFIG_LIBDIR="$PKG_CONFIG_PATH"
need_space 3 "the build"
package=${EDGE_ARM64_PACKAGE:-$repo}
package=$(cd "$package" && pwd)
case $package/ in "$repo"/*) ;; *) die "EDGE_ARM64_PACKAGE=$package is not inside $repo (the chroot sees only the repository)" ;; esac
[ -f "$package/Package.swift" ] || die "no Package.swift in $package"
build_args=(--package-path "$package" --scratch-path "$scratch" -c release --static-swift-stdlib
  --swift-sdks-path "$sdks" --swift-sdk "$SDK_ID")
if [ -n "${EDGE_ARM64_TESTS:-}" ]; then
  # The test bundle (cross/test-arm64.sh): debug, Swift runtime shared (there
  # is no static Testing/XCTest for aarch64). sid's shared runtime needs glibc
  # 2.38+, so it runs only on a sid root; link without checking the shared
  # libraries' own undefined symbols against the bookworm libc.
  test_args=(--package-path "$package" --scratch-path "$scratch" -c debug
    --swift-sdks-path "$sdks" --swift-sdk "$SDK_ID" -Xlinker --allow-shlib-undefined)
  # swiftlang ships the _Testing_Foundation module but not its library, and
  # the module asks the linker for it: an empty archive answers (the tests
  # use none of its symbols).
  stub="$bundle/$sdkroot_rel/usr/lib/aarch64-linux-gnu/lib_Testing_Foundation.a"
  [ -f "$stub" ] || printf '!<arch>\n' > "$stub"
  say "building the test bundle (debug, aarch64) with Swift $SWIFT_VERSION; log: .build-arm64/build-tests.log"
  mkdir -p "$scratch"
  build_started=$SECONDS
  progress "build tests" "$scratch" "$scratch/build-tests.log" \
    locked in_chroot swift build "${test_args[@]}" --build-tests \
    || die "swift build --build-tests for aarch64 failed: $(grep -m1 -E 'error:' "$scratch/build-tests.log" || tail -n 1 "$scratch/build-tests.log") (full log: $scratch/build-tests.log)"
  bin=$(in_chroot swift build "${test_args[@]}" --show-bin-path 2>/dev/null | tail -n 1)
  say "test bundle built in $((SECONDS - build_started)) s: $bin"
  echo "$bin" > "$scratch/tests-bin-path"
  exit 0
fi
say "building edge-agent and edge-central (release, aarch64, static Swift runtime) with Swift $SWIFT_VERSION; log: .build-arm64/build.log"
mkdir -p "$scratch"
build_started=$SECONDS
for product in edge-agent edge-central; do
  if ! progress "build $product" "$scratch" "$scratch/build-$product.log" \
       locked in_chroot swift build "${build_args[@]}" --product "$product"; then
    cat "$scratch"/build-*.log > "$scratch/build.log" 2>/dev/null || true
    die "swift build --product $product for aarch64 failed: $(grep -m1 -E 'error:' "$scratch/build-$product.log" || tail -n 1 "$scratch/build-$product.log") (full log: $scratch/build-$product.log)"
  fi
done
cat "$scratch"/build-*.log > "$scratch/build.log"
build_secs=$((SECONDS - build_started))
bin=$(in_chroot swift build "${build_args[@]}" --show-bin-path 2>/dev/null | tail -n 1)
[ -n "$bin" ] || die "swift build --show-bin-path printed nothing"

# --- 5. check, strip, install ----------------------------------------------------------
mkdir -p "$outdir"
outdir=$(cd "$outdir" && pwd)
tmp_out=$(mktemp -d "$outdir/.tmp.XXXXXX")
cleanup+=("$tmp_out")
for exe in edge-agent edge-central; do
  [ -x "$bin/$exe" ] || die "the build produced no $bin/$exe"
  machine=$(od -An -tx1 -j18 -N2 "$bin/$exe" | tr -d ' \n')
  [ "$machine" = "b700" ] || die "$bin/$exe is not an aarch64 executable (ELF machine $machine)"
  # glibc symbol versions: none above MAX_GLIBC.
  too_new=$(readelf -W --dyn-syms "$bin/$exe" | grep -o 'GLIBC_[0-9.]*' | sort -uV \
    | awk -F_ -v max="$MAX_GLIBC" '{ split($2, a, "."); split(max, m, "."); if (a[1] > m[1] || (a[1] == m[1] && a[2] > m[2])) print }' | paste -sd' ' -)
  [ -z "$too_new" ] || die "$exe needs $too_new, newer than Debian 12's glibc $MAX_GLIBC: a symbol is missing from cross/glibc-compat.c"
  for lib in $(readelf -d "$bin/$exe" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
    stem=${lib%%.so*}
    case " $ALLOWED_LIBS " in
      *" $stem "*) ;;
      *) die "$exe loads $lib, which is not among the allowed libraries ($ALLOWED_LIBS)" ;;
    esac
  done
  if [ -n "${EDGE_ARM64_DEBUG:-}" ]; then cp "$bin/$exe" "$tmp_out/$exe.debug"; fi
  # Stripped inside the scratch directory (OUTDIR may be outside what the chroot sees).
  in_chroot /usr/libexec/swift/bin/llvm-objcopy --strip-all "$bin/$exe" "$scratch/$exe.stripped" 2>"$tmp_out/strip.log" \
    || die "stripping $exe failed: $(head -n 1 "$tmp_out/strip.log")"
  mv -f "$scratch/$exe.stripped" "$tmp_out/$exe"
  rm -f "$tmp_out/strip.log"
done
max_glibc_used=$(readelf -W --dyn-syms "$tmp_out/edge-agent" "$tmp_out/edge-central" | grep -o 'GLIBC_[0-9.]*' | sort -uV | tail -n 1)
{
  echo "swiftlang $SWIFTLANG_VERSION (sid) -> aarch64-unknown-linux-gnu, Debian 12 sysroot (libc6 $glibc)"
  echo "build time: ${build_secs} s (whole script: $((SECONDS - started)) s)"
  for exe in edge-agent edge-central; do
    echo "$exe: $(stat -c %s "$tmp_out/$exe") bytes stripped ($(( $(stat -c %s "$tmp_out/$exe") / 1048576 )) MiB), unstripped $(( $(stat -c %s "$bin/$exe") / 1048576 )) MiB; needs $(readelf -d "$tmp_out/$exe" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | paste -sd' ' -)"
  done
  echo "highest glibc symbol version: $max_glibc_used (Debian 12: $MAX_GLIBC)"
} > "$tmp_out/build-summary.txt"
for f in "$tmp_out"/*; do
  mv -f "$f" "$outdir/"
done
sed 's/^/  /' "$outdir/build-summary.txt"
say "done in $((SECONDS - started)) s: $outdir/edge-agent, $outdir/edge-central"
