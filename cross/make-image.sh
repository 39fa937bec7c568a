#!/usr/bin/env bash
# Build an OCI image of edge-agent or edge-central without a Docker daemon,
# from Debian tools only: mmdebstrap extracts a minimal Debian 12 root for the
# target architecture holding only the runtime libraries (libc, libstdc++,
# libgcc, SQLite, libgpiod, zlib), the time zone database and the CA
# certificates; umoci turns it plus the binary into an OCI image; skopeo
# writes it as an OCI archive (docs/deployment.md: importing it on k3s).
# The image runs as UID/GID 10001 (no shell, no package manager inside).
#
# Usage: cross/make-image.sh PRODUCT ARCH BINARY OUT.tar [TAG]
#   PRODUCT  edge-agent or edge-central
#   ARCH     arm64 or amd64 (Debian/OCI names)
#   BINARY   the statically-Swift-linked executable built for ARCH
#   TAG      image reference stored in the archive (default PRODUCT:VERSION,
#            VERSION from `BINARY --version`, run under qemu for arm64)
# The runtime root is cached in .build-cross/runtime-bookworm-ARCH (made under
# a temporary name, renamed when complete).
set -euo pipefail

die() { echo "make-image.sh: $*" >&2; exit 1; }

{ [ $# -ge 4 ] && [ $# -le 5 ]; } || die "usage: make-image.sh PRODUCT ARCH BINARY OUT.tar [TAG]"
product=$1 arch=$2 binary=$3 out=$4 tag=${5:-}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
cache="$repo/.build-cross"

case $product in edge-agent|edge-central) ;; *) die "PRODUCT must be edge-agent or edge-central, not '$product'" ;; esac
case $arch in
  arm64) machine=b700 ;;
  amd64) machine=3e00 ;;
  *) die "ARCH must be arm64 or amd64, not '$arch'" ;;
esac
{ [ -f "$binary" ] && [ -x "$binary" ]; } || die "binary '$binary' is missing or not executable"
[ "$(od -An -tx1 -j18 -N2 "$binary" | tr -d ' \n')" = "$machine" ] || die "$binary is not an $arch executable"
[ "$(id -u)" = 0 ] || die "needs root (files owned by UID 10001 in the image): run it with sudo"
missing=()
for t in mmdebstrap:mmdebstrap umoci:umoci skopeo:skopeo; do
  command -v "${t%%:*}" >/dev/null || missing+=("${t#*:}")
done
[ ${#missing[@]} -eq 0 ] || die "missing ${missing[*]}: apt-get install ${missing[*]}"

if [ -z "$tag" ]; then
  if [ "$arch" = arm64 ]; then
    version=$(qemu-aarch64-static -L "$cache/sysroot-debian12-arm64" "$binary" --version 2>/dev/null | sed -n "s/^$product \([0-9][^ ]*\).*/\1/p" | head -n 1)
  else
    version=$("$binary" --version 2>/dev/null | sed -n "s/^$product \([0-9][^ ]*\).*/\1/p" | head -n 1)
  fi
  [ -n "$version" ] || die "cannot read the version from '$binary --version'"
  tag="$product:$version"
fi

# --- the runtime root (cached) ------------------------------------------------
runtime="$cache/runtime-bookworm-$arch"
packages="libc6,libgcc-s1,libstdc++6,libsqlite3-0,libgpiod2,zlib1g,tzdata,ca-certificates"
mkdir -p "$cache"
work=$(mktemp -d "$cache/.image.XXXXXX")
trap 'rm -rf "$work"' EXIT
if [ "$(cat "$runtime/.edge-runtime" 2>/dev/null)" != "$packages" ]; then
  echo "make-image.sh: extracting a Debian 12 $arch runtime root ($packages)"
  mmdebstrap --arch="$arch" --variant=extract --include="$packages" \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-exclude=/usr/share/lintian/*' \
    bookworm "$work/runtime" http://deb.debian.org/debian >"$work/mmdebstrap.log" 2>&1 \
    || die "mmdebstrap of the $arch runtime root failed: $(grep -m1 -E '^E:' "$work/mmdebstrap.log" || tail -n 1 "$work/mmdebstrap.log")"
  # What the extract variant does not do: apt's and dpkg's state is not
  # wanted in the image, and ca-certificates' bundle is made by its postinst.
  rm -rf "$work/runtime/var/lib/apt" "$work/runtime/var/cache/apt" "$work/runtime/var/lib/dpkg" \
    "$work/runtime/var/log" "$work/runtime/dev" "$work/runtime/proc" "$work/runtime/sys"
  mkdir -p "$work/runtime/etc/ssl/certs"
  find "$work/runtime/usr/share/ca-certificates" -name '*.crt' -print0 | sort -z \
    | xargs -0 cat > "$work/runtime/etc/ssl/certs/ca-certificates.crt"
  [ -s "$work/runtime/etc/ssl/certs/ca-certificates.crt" ] || die "no CA certificates in the runtime root"
  echo "$packages" > "$work/runtime/.edge-runtime"
  rm -rf "$runtime"
  mv "$work/runtime" "$runtime"
fi

# --- the image root ---------------------------------------------------------------
rootfs="$work/rootfs"
cp -a "$runtime" "$rootfs"
rm -f "$rootfs/.edge-runtime"
install -D -m 0755 "$binary" "$rootfs/usr/bin/$product"
# Images carry stripped binaries (cross/build-arm64.sh's already are).
sections=$(readelf -S "$binary")
if grep -qE '\.(symtab|debug_info)' <<< "$sections"; then
  if [ "$arch" = amd64 ] && command -v strip >/dev/null; then
    strip --strip-all "$rootfs/usr/bin/$product"
  else
    die "$binary is not stripped: strip it first (cross/build-arm64.sh's output is)"
  fi
fi
mkdir -p "$rootfs/etc" "$rootfs/tmp" "$rootfs/var/lib/edge-agent" "$rootfs/proc" "$rootfs/sys" "$rootfs/dev"
chmod 1777 "$rootfs/tmp"
cat > "$rootfs/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/usr/sbin/nologin
edge:x:10001:10001:edge-agent:/var/lib/edge-agent:/usr/sbin/nologin
EOF
cat > "$rootfs/etc/group" <<'EOF'
root:x:0:
edge:x:10001:
EOF
chown 10001:10001 "$rootfs/var/lib/edge-agent"
chmod 0700 "$rootfs/var/lib/edge-agent"
[ -f "$rootfs/usr/share/zoneinfo/Europe/London" ] || die "no /usr/share/zoneinfo in the runtime root"
# The binary must start with only the image's libraries.
if [ "$arch" = arm64 ]; then
  ran=$(qemu-aarch64-static -L "$rootfs" "$rootfs/usr/bin/$product" --version 2>&1) || die "$product --version with only the image's libraries (qemu): $ran"
else
  # With /proc mounted, as in a container: the Swift runtime reads its
  # arguments from /proc/self/cmdline.
  ran=$(unshare --mount --pid --fork --mount-proc="$rootfs/proc" chroot "$rootfs" "/usr/bin/$product" --version 2>&1) \
    || die "$product --version with only the image's libraries (chroot): $ran"
fi
[[ $ran == "$product "* ]] || die "$product --version in the image root printed: $(head -n 1 <<< "$ran")"

# --- OCI image (umoci), then an OCI archive (skopeo) --------------------------------
layout="$work/layout"
umoci init --layout "$layout"
umoci new --image "$layout:build"
umoci unpack --image "$layout:build" "$work/bundle" >/dev/null
rm -rf "$work/bundle/rootfs"
mv "$rootfs" "$work/bundle/rootfs"
umoci repack --image "$layout:build" "$work/bundle"
if [ "$product" = edge-agent ]; then
  env=(--config.env EDGE_DATA_DIR=/var/lib/edge-agent --config.env EDGE_LISTEN=0.0.0.0:8080)
  cmd=run
else
  env=(--config.env EDGE_CENTRAL_LISTEN=0.0.0.0:8080)
  cmd=serve
fi
umoci config --image "$layout:build" --architecture "$arch" --os linux \
  --config.user 10001:10001 --config.workingdir / \
  --config.entrypoint "/usr/bin/$product" --config.cmd "$cmd" "${env[@]}" \
  --config.exposedports 8080/tcp \
  --config.label "org.opencontainers.image.title=$product" \
  --config.label "org.opencontainers.image.version=${tag##*:}"
umoci gc --layout "$layout"
mkdir -p "$(dirname "$out")"
rm -f "$out.tmp"
skopeo copy --quiet "oci:$layout:build" "oci-archive:$out.tmp:$tag" 2>"$work/skopeo.log" \
  || die "skopeo copy to an OCI archive failed: $(tail -n 1 "$work/skopeo.log")"
mv -f "$out.tmp" "$out"
unpacked=$(du -sk --apparent-size "$work/bundle/rootfs" | cut -f1)
echo "$out $tag $arch compressed=$(( $(stat -c %s "$out") / 1024 ))KiB uncompressed=${unpacked}KiB"
