#!/usr/bin/env bash
# Build the edge-agent Debian package for a bare Pi (arm64) or a PC (amd64).
#
# Usage: cross/make-deb.sh VERSION ARCH BINARY [OUTDIR]
#   VERSION  Debian version, e.g. 0.1.0 or 0.1.0-1
#   ARCH     amd64 or arm64 (Debian names, not x86_64/aarch64)
#   BINARY   the edge-agent executable built for ARCH
#   OUTDIR   where edge-agent_VERSION_ARCH.deb goes (default: .build-cross/deb)
#
# Contents: /usr/bin/edge-agent, /lib/systemd/system/edge-agent.service,
# /etc/default/edge-agent (conffile), /etc/edge-agent/, the deployment notes,
# and maintainer scripts (cross/deb/) that enable and start the unit, create
# the gpio group and an empty /etc/edge-agent/central-token, and on purge
# delete the local store. Depends are read off the binary's ELF NEEDED list.
# An unstripped binary is packaged stripped (as Debian's dh_strip does): a
# symbol table is no use on a Pi, and xz of the unstripped x86_64 build took
# minutes.
set -euo pipefail

die() { echo "make-deb.sh: $*" >&2; exit 1; }

if [ $# -lt 3 ] || [ $# -gt 4 ]; then die "usage: make-deb.sh VERSION ARCH BINARY [OUTDIR]"; fi
version=$1 arch=$2 binary=$3

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
outdir=${4:-"$repo/.build-cross/deb"}

[[ $version =~ ^[0-9]([A-Za-z0-9.+~-]*[A-Za-z0-9.+~])?$ ]] \
  || die "bad version '$version' (want a Debian version such as 0.1.0 or 0.1.0-1)"
case $arch in
  amd64) elf_machine=3e00 ;;
  arm64) elf_machine=b700 ;;
  x86_64) die "architecture 'x86_64': use the Debian name amd64" ;;
  aarch64) die "architecture 'aarch64': use the Debian name arm64" ;;
  *) die "unsupported architecture '$arch' (amd64 or arm64)" ;;
esac
if [ ! -f "$binary" ] || [ ! -x "$binary" ]; then die "binary '$binary' is missing or not executable"; fi
command -v dpkg-deb >/dev/null || die "dpkg-deb not found (apt-get install dpkg)"

unit="$repo/systemd/edge-agent.service"
[ -f "$unit" ] || die "missing $unit"
for f in edge-agent.default postinst prerm postrm; do
  [ -f "$here/deb/$f" ] || die "missing $here/deb/$f"
done

# Runtime dependencies from the binary's NEEDED entries.
declare -A lib_pkg=(
  [libc.so.6]="libc6 (>= 2.36)" [libm.so.6]="libc6 (>= 2.36)" [libpthread.so.0]="libc6 (>= 2.36)"
  [libdl.so.2]="libc6 (>= 2.36)" [librt.so.1]="libc6 (>= 2.36)" [libutil.so.1]="libc6 (>= 2.36)"
  [ld-linux-aarch64.so.1]="libc6 (>= 2.36)" [ld-linux-x86-64.so.2]="libc6 (>= 2.36)"
  [libgcc_s.so.1]="libgcc-s1" [libstdc++.so.6]="libstdc++6" [libatomic.so.1]="libatomic1"
  [libsqlite3.so.0]="libsqlite3-0 (>= 3.40)" [libgpiod.so.2]="libgpiod2 (>= 1.6)"
  [libz.so.1]="zlib1g" [libcurl.so.4]="libcurl4" [libxml2.so.2]="libxml2"
)
# What the agent always needs, whatever the linker recorded (tzdata: the household time zone).
depends=("libc6 (>= 2.36)" "libsqlite3-0 (>= 3.40)" "libgpiod2 (>= 1.6)" "passwd" "tzdata")

magic=$(od -An -tx1 -N4 "$binary" | tr -d ' \n')
if [ "$magic" = 7f454c46 ]; then
  machine=$(od -An -tx1 -j18 -N2 "$binary" | tr -d ' \n')
  [ "$machine" = "$elf_machine" ] || die "$binary is not an $arch executable (ELF machine $machine)"
  command -v readelf >/dev/null || die "readelf not found (apt-get install binutils)"
  while read -r lib; do
    case $lib in
      libswift*|libFoundation*|lib_Foundation*|libdispatch*|libBlocksRuntime*)
        die "$binary loads the Swift runtime ($lib) from the toolchain: build it with --static-swift-stdlib" ;;
    esac
    pkg=${lib_pkg[$lib]:-}
    [ -n "$pkg" ] || die "$binary needs $lib: add its package to lib_pkg in cross/make-deb.sh"
    depends+=("$pkg")
  done < <(readelf -d "$binary" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
else
  echo "make-deb.sh: warning: $binary is not an ELF file (a stand-in?); Depends not checked" >&2
fi
depends_line=$(printf '%s\n' "${depends[@]}" | sort -u | paste -sd, - | sed 's/,/, /g')

mkdir -p "$outdir"
outdir=$(cd "$outdir" && pwd)
deb="$outdir/edge-agent_${version}_${arch}.deb"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
root="$stage/root"

install -D -m 0755 "$binary" "$root/usr/bin/edge-agent"
sections=""
[ "$magic" != 7f454c46 ] || sections=$(readelf -S "$binary")  # not piped into grep -q: pipefail and SIGPIPE
if grep -qE ' \.(symtab|debug_info) ' <<< "$sections"; then
  # strip(1) from binutils knows the host's architecture; a foreign one needs its cross strip.
  strip_tool="strip"
  if [ "$arch" = arm64 ] && [ "$(uname -m)" != aarch64 ]; then strip_tool=aarch64-linux-gnu-strip; fi
  command -v "$strip_tool" >/dev/null \
    || die "$binary is not stripped and $strip_tool is missing (apt-get install binutils-aarch64-linux-gnu, or strip it first)"
  "$strip_tool" --strip-all "$root/usr/bin/edge-agent" || die "$strip_tool failed on $binary"
fi
install -D -m 0644 "$unit" "$root/lib/systemd/system/edge-agent.service"
install -D -m 0644 "$here/deb/edge-agent.default" "$root/etc/default/edge-agent"
install -d -m 0755 "$root/etc/edge-agent"
if [ -f "$repo/docs/deployment.md" ]; then
  install -D -m 0644 "$repo/docs/deployment.md" "$root/usr/share/doc/edge-agent/deployment.md"
fi
install -d -m 0755 "$root/DEBIAN"
for f in postinst prerm postrm; do
  install -m 0755 "$here/deb/$f" "$root/DEBIAN/$f"
done
echo /etc/default/edge-agent > "$root/DEBIAN/conffiles"

installed_size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
cat > "$root/DEBIAN/control" <<EOF
Package: edge-agent
Version: $version
Architecture: $arch
Maintainer: ${DEB_MAINTAINER:-edge-agent maintainers <edge-agent@localhost>}
Installed-Size: $installed_size
Depends: $depends_line
Section: admin
Priority: optional
Description: household Raspberry Pi node agent
 edge-agent keeps the household task list on every Pi (usable offline from
 a phone browser on the LAN), samples the node's hardware (temperatures,
 throttling, GPIO) into a local SQLite store, serves Prometheus /metrics, and
 syncs tasks and samples with the central API when one is configured.
 .
 Runs as the systemd service edge-agent (DynamicUser, state in
 /var/lib/edge-agent). Settings: /etc/default/edge-agent. Node token:
 /etc/edge-agent/central-token.
EOF
if [ -n "${DEB_HOMEPAGE:-}" ]; then
  echo "Homepage: $DEB_HOMEPAGE" >> "$root/DEBIAN/control"
fi

dpkg-deb --root-owner-group -Zxz --build "$root" "$stage/out.deb" >/dev/null
mv -f "$stage/out.deb" "$deb"
echo "$deb"
