#!/usr/bin/env bash
# Prove that the arm64 sysroot links and runs: compile a small C program for
# aarch64 against SQLite and libgpiod (v1 API) from the sysroot, then run it
# under qemu-aarch64-static with the sysroot as its library root.
#
# Usage: cross/check-sysroot.sh [SYSROOT]
#   SYSROOT defaults to .build-cross/sysroot-debian12-arm64 (cross/make-sysroot.sh).
# Compiler: $CC if set; else clang with lld (any clang that targets aarch64:
# Debian's clang + lld, or the Swift toolchain's); else Debian's
# aarch64-linux-gnu-gcc (package gcc-aarch64-linux-gnu).
set -euo pipefail

die() { echo "check-sysroot.sh: $*" >&2; exit 1; }

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
sysroot=${1:-"$repo/.build-cross/sysroot-debian12-arm64"}

[ -f "$sysroot/.edge-sysroot" ] || die "no sysroot at $sysroot (run cross/make-sysroot.sh)"
sysroot=$(cd "$sysroot" && pwd)

qemu=$(command -v qemu-aarch64-static || command -v qemu-aarch64 || true)
[ -n "$qemu" ] || die "qemu-aarch64-static not found (apt-get install qemu-user-static)"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cat > "$work/probe.c" <<'EOF'
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sqlite3.h>
#include <gpiod.h>

int main(void) {
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    if (sqlite3_open(":memory:", &db) != SQLITE_OK) return 1;
    if (sqlite3_prepare_v2(db, "select sqlite_version(), 6*7", -1, &st, NULL) != SQLITE_OK) return 1;
    if (sqlite3_step(st) != SQLITE_ROW) return 1;
    printf("sqlite %s (library %s), query answered %d\n",
           (const char *)sqlite3_column_text(st, 0), sqlite3_libversion(), sqlite3_column_int(st, 1));
    sqlite3_finalize(st);
    sqlite3_close(db);

    /* libgpiod v1 API (Debian 12): gpiod_chip_open_lookup() and
       gpiod_version_string() do not exist in v2. */
    errno = 0;
    struct gpiod_chip *chip = gpiod_chip_open_lookup("pinctrl-bcm2711");
    printf("gpiod %s, v1 API linked; chip pinctrl-bcm2711: %s\n", gpiod_version_string(),
           chip ? gpiod_chip_label(chip) : strerror(errno));
    if (chip) gpiod_chip_close(chip);
    return 0;
}
EOF

compile_clang() {
  "$1" --target=aarch64-linux-gnu --sysroot="$sysroot" -fuse-ld=lld -O2 -Wall -Werror \
    -o "$work/probe" "$work/probe.c" -lsqlite3 -lgpiod 2>"$work/cc.log"
}
compile_gcc() {
  "$1" --sysroot="$sysroot" -O2 -Wall -Werror \
    -o "$work/probe" "$work/probe.c" -lsqlite3 -lgpiod 2>"$work/cc.log"
}

built=""
if [ -n "${CC:-}" ]; then
  case $CC in
    *gcc*) compile_gcc "$CC" ;;
    *) compile_clang "$CC" ;;
  esac || die "$CC failed: $(head -n 1 "$work/cc.log")"
  built=$CC
else
  for cc in clang clang-19 clang-16 clang-15 clang-14; do
    command -v "$cc" >/dev/null || continue
    if compile_clang "$cc"; then built="$cc (lld)"; break; fi
  done
  if [ -z "$built" ] && command -v aarch64-linux-gnu-gcc >/dev/null; then
    compile_gcc aarch64-linux-gnu-gcc || die "aarch64-linux-gnu-gcc failed: $(head -n 1 "$work/cc.log")"
    built=aarch64-linux-gnu-gcc
  fi
  [ -n "$built" ] || die "no working aarch64 C compiler (apt-get install clang lld, or gcc-aarch64-linux-gnu)${work:+; last error: $(head -n 1 "$work/cc.log" 2>/dev/null)}"
fi

machine=$(od -An -tx1 -j18 -N2 "$work/probe" | tr -d ' \n')
[ "$machine" = "b700" ] || die "compiled program is not aarch64 (ELF machine $machine)"

out=$(QEMU_LD_PREFIX="$sysroot" "$qemu" "$work/probe") || die "probe failed under $(basename "$qemu")"
echo "$out" | grep -q '^sqlite 3\.' || die "unexpected probe output: $out"
echo "$out" | grep -q '^gpiod 1\.' || die "unexpected probe output: $out"
echo "compiled with $built, ran under $(basename "$qemu"):"
while IFS= read -r line; do echo "  $line"; done <<< "$out"
