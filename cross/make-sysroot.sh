#!/usr/bin/env bash
# Assemble a Debian 12 (bookworm) arm64 sysroot from Debian's own arm64
# packages: the C library, GCC 12's runtime and headers, SQLite and libgpiod
# (v1 API) with their -dev files. It is what a Swift SDK for aarch64 Debian 12
# is built on (cross/build-arm64.sh), and what cross/check-sysroot.sh links a
# C program against.
#
# Usage: cross/make-sysroot.sh [DEST]
#   DEST defaults to .build-cross/sysroot-debian12-arm64 in the repository.
# Needs apt-get and dpkg-deb, and Debian's package mirror (as configured in
# /etc/apt). The host's apt configuration is not changed: the arm64 package
# lists live in a private apt state under .build-cross/apt-arm64.
# Re-running with the same package set is a no-op; the sysroot is built in a
# temporary directory and moved into place only when complete.
set -euo pipefail

die() { echo "make-sysroot.sh: $*" >&2; exit 1; }

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
cache="$repo/.build-cross"
dest=${1:-"$cache/sysroot-debian12-arm64"}
arch=arm64

# Runtime and development packages. libgcc-12-dev and libstdc++-12-dev give
# crt*.o, libgcc and the C++ runtime that the Swift runtime links against.
packages=(
  libc6 libc6-dev linux-libc-dev libcrypt1 libcrypt-dev
  libgcc-s1 libgcc-12-dev libstdc++6 libstdc++-12-dev libatomic1
  libsqlite3-0 libsqlite3-dev
  libgpiod2 libgpiod-dev
  zlib1g zlib1g-dev
)

for tool in apt-get dpkg-deb; do
  command -v "$tool" >/dev/null || die "$tool not found: this needs a Debian host"
done
[ -r /etc/debian_version ] || die "not a Debian host (/etc/debian_version missing)"

stamp="$dest/.edge-sysroot"
want="debian12 $arch ${packages[*]}"
if [ -f "$stamp" ] && [ "$(head -n 1 "$stamp")" = "$want" ]; then
  echo "sysroot up to date: $dest"
  exit 0
fi

mkdir -p "$cache" "$(dirname "$dest")"
work=$(mktemp -d "$cache/.sysroot-work.XXXXXX")
trap 'rm -rf "$work"' EXIT

# Private apt state: arm64 as the only architecture, the host's sources.
aptdir="$cache/apt-$arch"
mkdir -p "$aptdir/lists/partial" "$aptdir/archives/partial"
[ -f "$aptdir/status" ] || : > "$aptdir/status"
apt_opts=(
  -o "Dir::State::Lists=$aptdir/lists"
  -o "Dir::State::status=$aptdir/status"
  -o "Dir::Cache=$aptdir"
  -o "Dir::Cache::archives=$aptdir/archives"
  -o "APT::Architecture=$arch"
  -o "APT::Architectures::=$arch"
  -o "APT::Sandbox::User=root"
  -o "Debug::NoLocking=1"
  -q=2
)
apt-get "${apt_opts[@]}" update >"$work/update.log" 2>&1 \
  || die "apt-get update for $arch failed: $(tail -n 1 "$work/update.log")"

mkdir -p "$work/debs" "$work/root"
(cd "$work/debs" && apt-get "${apt_opts[@]}" download "${packages[@]/%/:$arch}") \
  >"$work/download.log" 2>&1 \
  || die "downloading $arch packages failed: $(grep -m 1 -E '^(E|W):' "$work/download.log" || tail -n 1 "$work/download.log")"

: > "$work/manifest"
for deb in "$work"/debs/*.deb; do
  dpkg-deb -x "$deb" "$work/root"
  # shellcheck disable=SC2016 # dpkg-deb expands ${Package} etc. itself
  dpkg-deb -W --showformat='${Package} ${Version} ${Architecture}\n' "$deb" >> "$work/manifest"
done
[ -e "$work/root/usr/include/sqlite3.h" ] || die "sqlite3.h missing after extraction"
[ -e "$work/root/usr/include/gpiod.h" ] || die "gpiod.h missing after extraction"

# Absolute symlinks would point into the host: make them relative.
while IFS= read -r -d '' link; do
  target=$(readlink "$link")
  case $target in
    /*) ln -sfr "$work/root$target" "$link" ;;
  esac
done < <(find "$work/root" -type l -print0)

# Drop what a sysroot does not need.
rm -rf "$work/root/usr/share/doc" "$work/root/usr/share/man" "$work/root/usr/share/lintian" \
  "$work/root/usr/share/locale"

{ echo "$want"; cat "$work/manifest"; } > "$work/root/.edge-sysroot"

rm -rf "$dest"
mv "$work/root" "$dest"
echo "sysroot ready: $dest ($(wc -l < "$work/manifest") packages)"
