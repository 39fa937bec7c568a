#!/usr/bin/env bash
# Prove the aarch64 binaries from cross/build-arm64.sh work, under emulation
# (qemu-aarch64-static with the Debian 12 arm64 sysroot as library root).
# Part of `make test`. One line per check:
#   1. file(1) says ARM aarch64, for edge-agent and edge-central
#   2. objdump -T: no GLIBC_2.x above 2.36; NEEDED only libc, libm, libstdc++,
#      libgcc_s, libsqlite3, libgpiod, libz (and the dynamic loader)
#   3. edge-agent --version and edge-central --version run
#   4. edge-agent hw --host-root on every fixture tree (Tests/Fixtures), in
#      text, json and prometheus: byte-identical (but for the JSON's
#      "taken_at" time, and the values of the Prometheus samples that are
#      clocks: collector durations, node_time_seconds, the kernel's
#      adjtimex figures node_timex_*; and uname(2)'s machine, which qemu
#      answers as aarch64) to the x86_64 edge-agent's
#      output for the same tree (the x86_64 binary is the reference; its
#      output is what GoldenTests pins, up to the stubbed filesystem sizes)
#   5. edge-agent run on a free port answers /readiness (start-to-ready timed)
#   6. a task round trip: added through the API, seen and completed by the
#      CLI, the completion seen through the API; SIGTERM exits 0
#   7. edge-central serve against a throwaway PostgreSQL answers /readiness
#   8. the arm64 .deb (cross/make-deb.sh): inspected, installed with dpkg into
#      a throwaway Debian 12 arm64 root holding the packages it depends on
#      (mmdebstrap), and the installed edge-agent --version run from that root
#   9. OCI archives of both (cross/make-image.sh): skopeo inspect says
#      linux/arm64, a non-root user, the binary as entrypoint
#
# Usage: cross/check-arm64.sh [ARM64_DIR [X86_64_EDGE_AGENT]]
#   ARM64_DIR          edge-agent and edge-central for aarch64 (default .build-cross/out/arm64)
#   X86_64_EDGE_AGENT  reference binary (default .build/release/edge-agent, else .build/debug/edge-agent)
# Without EDGE_TEST_DATABASE_URL it runs itself under scripts/with-postgres.sh.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)

if [ -z "${EDGE_TEST_DATABASE_URL:-}" ]; then
  exec "$repo/scripts/with-postgres.sh" "${BASH_SOURCE[0]}" "$@"
fi

in_step=""
die() { [ -z "$in_step" ] || echo; echo "check-arm64: FAIL: $*" >&2; exit 1; }
step() { printf 'check-arm64: %-46s ' "$1"; step_started=$SECONDS; in_step=1; }
ok() { echo "ok ($((SECONDS - step_started)) s)${1:+ - $1}"; in_step=""; }

arm=${1:-"$repo/.build-cross/out/arm64"}
ref=${2:-}
if [ -z "$ref" ]; then
  for c in "$repo/.build/release/edge-agent" "$repo/.build/debug/edge-agent"; do
    if [ -x "$c" ]; then ref=$c; break; fi
  done
fi
sysroot="$repo/.build-cross/sysroot-debian12-arm64"
agent="$arm/edge-agent"
central="$arm/edge-central"
for f in "$agent" "$central"; do
  [ -x "$f" ] || die "$f is missing: run cross/build-arm64.sh (make arm64) first"
done
{ [ -n "$ref" ] && [ -x "$ref" ]; } || die "no x86_64 edge-agent to compare with: swift build -c release --product edge-agent"
[ -f "$sysroot/.edge-sysroot" ] || die "no arm64 sysroot at $sysroot: run cross/make-sysroot.sh"
declare -A tool_pkg=([qemu-aarch64-static]=qemu-user-static [file]=file [objdump]=binutils
  [curl]=curl [dpkg-deb]=dpkg [python3]=python3 [mmdebstrap]=mmdebstrap [umoci]=umoci [skopeo]=skopeo)
missing=()
for tool in "${!tool_pkg[@]}"; do
  command -v "$tool" >/dev/null || missing+=("${tool_pkg[$tool]}")
done
if [ ${#missing[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || die "missing ${missing[*]} and not root: apt-get install ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/tmp/check-arm64-apt.log 2>&1 \
    || die "apt-get install ${missing[*]} failed: $(tail -n 1 /tmp/check-arm64-apt.log)"
fi
qemu=$(command -v qemu-aarch64-static)
# The glibc and libraries the binaries may need.
max_glibc=2.36
allowed="libc.so.6 libm.so.6 libstdc++.so.6 libgcc_s.so.1 libsqlite3.so.0 libgpiod.so.2 libz.so.1 ld-linux-aarch64.so.1"

work=$(mktemp -d)
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
started=$SECONDS
# arm CMD...: run an aarch64 program under qemu with the sysroot's libraries
# (in the foreground: a background job gets qemu's own PID by calling it directly).
arm() { "$qemu" -L "$sysroot" "$@"; }

# --- 1. file ------------------------------------------------------------------
step "file: ARM aarch64"
for f in "$agent" "$central"; do
  desc=$(file -b "$f")
  [[ $desc == *"ARM aarch64"* ]] || die "file says $(basename "$f") is: $desc"
  [[ $desc == *"stripped"* && $desc != *"not stripped"* ]] || die "$(basename "$f") is not stripped: $desc"
done
ok "$(file -b "$agent" | cut -d, -f1-2), stripped"

# --- 2. objdump -T -----------------------------------------------------------
step "objdump -T: glibc <= $max_glibc, allowed libraries"
highest=""
for f in "$agent" "$central"; do
  objdump -T "$f" >"$work/dynsyms" 2>"$work/objdump.err" || die "objdump -T $(basename "$f"): $(head -n 1 "$work/objdump.err")"
  versions=$(grep -o 'GLIBC_[0-9][0-9.]*' "$work/dynsyms" | sort -uV)
  [ -n "$versions" ] || die "objdump -T $(basename "$f") shows no GLIBC symbol versions"
  top=$(tail -n 1 <<< "$versions")
  if [ "$(printf '%s\n' "GLIBC_$max_glibc" "$top" | sort -V | tail -n 1)" != "GLIBC_$max_glibc" ]; then
    die "$(basename "$f") needs $top ($(grep -m3 "$top" "$work/dynsyms" | awk '{print $NF}' | paste -sd' ' -)), Debian 12 has glibc $max_glibc"
  fi
  [ -z "$highest" ] || top=$(printf '%s\n' "$highest" "$top" | sort -V | tail -n 1)
  highest=$top
  objdump -p "$f" | awk '$1 == "NEEDED" {print $2}' > "$work/needed"
  [ "$f" != "$agent" ] || cp "$work/needed" "$work/needed-agent"
  while read -r lib; do
    case " $allowed " in
      *" $lib "*) ;;
      *) die "$(basename "$f") needs $lib, which is outside libc, libm, libstdc++, libgcc_s, libsqlite3, libgpiod, libz" ;;
    esac
  done < "$work/needed"
done
ok "highest $highest; edge-agent needs $(paste -sd' ' "$work/needed-agent")"

# --- 3. --version -----------------------------------------------------------------
step "qemu: --version"
v_agent=$(arm "$agent" --version 2>&1) || die "edge-agent --version under qemu: $v_agent"
v_central=$(arm "$central" --version 2>&1) || die "edge-central --version under qemu: $v_central"
[[ $v_agent == "edge-agent "* ]] || die "edge-agent --version printed: $v_agent"
[[ $v_central == "edge-central "* ]] || die "edge-central --version printed: $v_central"
v_ref=$("$ref" --version 2>&1 | head -n 1)
[ "$(head -n 1 <<< "$v_agent")" = "$v_ref" ] || die "aarch64 '$(head -n 1 <<< "$v_agent")' differs from x86_64 '$v_ref'"
ok "$(head -n 1 <<< "$v_agent" | cut -c1-60)"

# --- 4. hw on every fixture tree -------------------------------------------------------
step "qemu: hw --host-root on every fixture"
compared=0
blank_time='s/^(  *"taken_at" : ")[0-9TZ:.-]*"/\1(time)"/
s/^((node_scrape_collector_duration_seconds|node_time_seconds|node_timex_[a-z_]+)([{][^}]*[}])?) .*$/\1 (clock)/
s/^(node_uname_info[{].*machine=")(x86_64|aarch64)"/\1(uname machine)"/'
for tree in "$repo"/Tests/Fixtures/*/; do
  tree=${tree%/}
  name=$(basename "$tree")
  for format in text json prometheus; do
    # The JSON reading carries the time it was taken, and /metrics has samples that
    # are clocks (how long a collector took, the time, adjtimex): those values blanked, and
    # uname(2)'s machine, which under qemu is rightly aarch64.
    "$ref" hw --format "$format" --host-root "$tree" 2>"$work/x86.err" | sed -E "$blank_time" >"$work/x86.out" || true
    arm "$agent" hw --format "$format" --host-root "$tree" 2>"$work/arm.err" | sed -E "$blank_time" >"$work/arm.out" || true
    if ! cmp -s "$work/x86.out" "$work/arm.out" || ! cmp -s "$work/x86.err" "$work/arm.err"; then
      diff -u "$work/x86.out" "$work/arm.out" | head -n 20 >&2 || true
      diff -u "$work/x86.err" "$work/arm.err" | head -n 10 >&2 || true
      die "hw --format $format on $name differs between x86_64 and aarch64"
    fi
    [ -s "$work/x86.out" ] || [ "$name" = empty ] || die "hw --format $format on $name printed nothing"
    compared=$((compared + 1))
  done
done
[ "$compared" -ge 12 ] || die "only $compared fixture outputs compared (expected 4 trees x 3 formats)"
ok "$compared outputs byte-identical to x86_64"

# --- 5. run: /readiness -----------------------------------------------------------------
# wait_listening LOG PID WHAT: the port from the 'listening' log line.
wait_listening() {
  local log=$1 pid=$2 what=$3 port="" i
  for i in $(seq 1 1200); do
    port=$(sed -n '/\] listening$/s/.*address=[0-9.]*:\([0-9][0-9]*\).*/\1/p' "$log" | head -n 1)
    [ -z "$port" ] || break
    kill -0 "$pid" 2>/dev/null || { tail -n 5 "$log" >&2; die "$what exited before listening"; }
    sleep 0.05
    [ "$i" -lt 1200 ] || { tail -n 5 "$log" >&2; die "$what did not listen within 60 s"; }
  done
  echo "$port"
}
step "qemu: edge-agent run answers /readiness"
data="$work/agent-data"
mkdir -p "$data"
t0=$(date +%s%N)
"$qemu" -L "$sysroot" "$agent" run --data-dir "$data" --node-name rpi-arm64 --listen 127.0.0.1:0 \
  --host-root "$repo/Tests/Fixtures/rpi4" --sample-interval 1s 2>"$work/agent.log" &
agent_pid=$!
pids+=("$agent_pid")
port=$(wait_listening "$work/agent.log" "$agent_pid" "edge-agent run")
ready=""
for _ in $(seq 1 200); do
  if curl -sf "http://127.0.0.1:$port/readiness" >/dev/null; then ready=1; break; fi
  sleep 0.05
done
t1=$(date +%s%N)
[ -n "$ready" ] || die "edge-agent run on port $port never answered /readiness with 2xx"
start_ms=$(( (t1 - t0) / 1000000 ))
ok "port $port, start-to-ready ${start_ms} ms under qemu"
echo "$start_ms" > "$work/start-to-ready-ms"

# --- 6. task round trip --------------------------------------------------------------------
step "qemu: task round trip (API -> CLI -> API)"
api="http://127.0.0.1:$port/v1/tasks"
curl -sf -X POST -H 'Content-Type: application/json' -d '{"title": "Feed the cat (arm64)"}' "$api" >"$work/created.json" \
  || die "POST /v1/tasks failed"
id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$work/created.json") \
  || die "POST /v1/tasks answered no id: $(head -c 200 "$work/created.json")"
arm "$agent" tasks list --data-dir "$data" --json >"$work/list.json" 2>"$work/cli.err" \
  || die "edge-agent tasks list under qemu: $(head -n 1 "$work/cli.err")"
grep -q "\"$id\"" "$work/list.json" || die "the CLI does not list the task $id added through the API"
arm "$agent" tasks "done" "${id:0:8}" --data-dir "$data" >"$work/done.out" 2>"$work/cli.err" \
  || die "edge-agent tasks done under qemu: $(head -n 1 "$work/cli.err")"
arm "$agent" tasks add "Water the plants (arm64 CLI)" --data-dir "$data" >"$work/add.out" 2>"$work/cli.err" \
  || die "edge-agent tasks add under qemu: $(head -n 1 "$work/cli.err")"
curl -sf "$api/$id" >"$work/task.json" || die "GET /v1/tasks/$id failed"
python3 - "$work/task.json" <<'PY' || die "the API does not show the task done by the CLI"
import json, sys
t = json.load(open(sys.argv[1]))
sys.exit(0 if t.get("done") is True or t.get("done_at") else 1)
PY
curl -sf "$api" | grep -q 'Water the plants (arm64 CLI)' || die "the API does not list the task added by the CLI"
kill -TERM "$agent_pid"
status=0
wait "$agent_pid" || status=$?
[ "$status" = 0 ] || die "edge-agent run exited $status on SIGTERM (log: $(tail -n 1 "$work/agent.log"))"
ok "${id:0:8} added by API, done by CLI; CLI task seen by API; SIGTERM exit 0"

# --- 7. edge-central ------------------------------------------------------------------------
step "qemu: edge-central serve answers /readiness"
EDGE_CENTRAL_DATABASE_URL="$EDGE_TEST_DATABASE_URL" "$qemu" -L "$sysroot" "$central" serve --listen 127.0.0.1:0 2>"$work/central.log" &
central_pid=$!
pids+=("$central_pid")
cport=$(wait_listening "$work/central.log" "$central_pid" "edge-central serve")
ready=""
for _ in $(seq 1 600); do
  if curl -sf "http://127.0.0.1:$cport/readiness" >/dev/null; then ready=1; break; fi
  sleep 0.1
done
[ -n "$ready" ] || { tail -n 5 "$work/central.log" >&2; die "edge-central on port $cport never answered /readiness with 2xx"; }
kill -TERM "$central_pid"
wait "$central_pid" || true
ok "port $cport, PostgreSQL at ${EDGE_TEST_DATABASE_URL##*@}"

# --- 8. the arm64 .deb ----------------------------------------------------------------------
step "deb: build + inspect arm64"
version=$(sed -n 's/^edge-agent \([0-9][^ ]*\).*/\1/p' <<< "$v_agent" | head -n 1)
[ -n "$version" ] || die "cannot read the version from '$v_agent'"
deb=$("$here/make-deb.sh" "$version" arm64 "$agent" "$work/deb" 2>"$work/deb.err") || die "make-deb.sh: $(tail -n 1 "$work/deb.err")"
dpkg-deb -c "$deb" > "$work/deb-contents"
for path in ./usr/bin/edge-agent ./lib/systemd/system/edge-agent.service ./etc/default/edge-agent; do
  grep -q " $path\$" "$work/deb-contents" || die "the arm64 package lacks $path"
done
[ "$(dpkg-deb -f "$deb" Architecture)" = arm64 ] || die "the package's Architecture is $(dpkg-deb -f "$deb" Architecture)"
depends=$(dpkg-deb -f "$deb" Depends)
for pkg in libc6 libsqlite3-0 libgpiod2; do
  grep -q "$pkg" <<< "$depends" || die "Depends lacks $pkg: $depends"
done
ok "$(basename "$deb") ($(du -k "$deb" | cut -f1) KiB); Depends: $depends"

step "deb: install into a Debian 12 arm64 root"
# The throwaway root: Debian 12 arm64 packages for everything the .deb
# depends on (and what they depend on), extracted by mmdebstrap and
# registered as installed (the extract variant runs no maintainer scripts:
# that would need binfmt_misc). dpkg --root then installs the .deb with its
# maintainer scripts and must find every dependency satisfied. Cached in
# .build-cross/deb-root-bookworm-arm64 by dependency list.
deps=$(sed 's/([^)]*)//g; s/[[:space:]]//g' <<< "$depends")
droot="$repo/.build-cross/deb-root-bookworm-arm64"
if [ "$(cat "$droot/.edge-deps" 2>/dev/null)" != "$deps" ]; then
  command -v mmdebstrap >/dev/null || die "mmdebstrap not found: apt-get install mmdebstrap"
  mmdebstrap --arch=arm64 --variant=extract --include="$deps" --skip=cleanup/apt/cache \
    bookworm "$work/droot" http://deb.debian.org/debian >"$work/mmdebstrap.log" 2>&1 \
    || die "mmdebstrap of the arm64 root: $(grep -m1 -E '^E:' "$work/mmdebstrap.log" || tail -n 1 "$work/mmdebstrap.log")"
  status_file="$work/droot/var/lib/dpkg/status"
  : > "$status_file"
  for d in "$work"/droot/var/cache/apt/archives/*.deb; do
    dpkg-deb -f "$d" Package Version Architecture Multi-Arch Provides Depends Pre-Depends \
      | sed '/^[^:]*: *$/d' >> "$status_file"
    printf 'Status: install ok installed\nMaintainer: x\nDescription: extracted\n\n' >> "$status_file"
  done
  rm -rf "$work/droot/var/cache/apt/archives"
  mkdir -p "$work/droot/var/lib/dpkg/info" "$work/droot/var/lib/dpkg/updates"
  echo "$deps" > "$work/droot/.edge-deps"
  rm -rf "$droot"
  mv "$work/droot" "$droot"
fi
root="$work/root"
cp -a "$droot" "$root"
echo arm64 > "$root/var/lib/dpkg/arch"
[ -f "$root/etc/group" ] || printf 'root:x:0:\n' > "$root/etc/group"
[ -f "$root/etc/gshadow" ] || printf 'root:*::\n' > "$root/etc/gshadow"
dpkg --root="$root" --force-script-chrootless --log=/dev/null -i "$deb" >"$work/dpkg.log" 2>&1 \
  || { sed 's/^/  /' "$work/dpkg.log" >&2; die "dpkg -i of the arm64 package into the throwaway root (dependencies unmet?)"; }
got=$("$qemu" -L "$root" "$root/usr/bin/edge-agent" --version 2>&1) || die "the installed edge-agent --version under qemu: $got"
[[ $got == "edge-agent $version"* ]] || die "the installed edge-agent --version printed '$got'"
[ -L "$root/etc/systemd/system/multi-user.target.wants/edge-agent.service" ] || die "postinst did not enable edge-agent.service"
ok "installed; $(head -n 1 <<< "$got" | cut -c1-50)"

# --- 9. OCI images -------------------------------------------------------------------
step "images: edge-agent, edge-central (OCI, arm64)"
images="$repo/.build-cross/images"
summary=""
for product in edge-agent edge-central; do
  line=$("$here/make-image.sh" "$product" arm64 "$arm/$product" "$images/$product-arm64.tar" 2>"$work/image.err") \
    || die "make-image.sh $product: $(tail -n 1 "$work/image.err")"
  skopeo inspect --config "oci-archive:$images/$product-arm64.tar" >"$work/config.json" 2>"$work/inspect.err" \
    || die "skopeo inspect of $product-arm64.tar: $(tail -n 1 "$work/inspect.err")"
  python3 - "$work/config.json" "$product" <<'PY' || die "the $product image config is wrong (see above)"
import json, sys
c = json.load(open(sys.argv[1]))
product = sys.argv[2]
problems = []
if c.get("architecture") != "arm64" or c.get("os") != "linux":
    problems.append(f"platform {c.get('os')}/{c.get('architecture')}")
user = c.get("config", {}).get("User", "")
if user in ("", "0", "root") or user.startswith("0:"):
    problems.append(f"runs as '{user}'")
if c.get("config", {}).get("Entrypoint") != [f"/usr/bin/{product}"]:
    problems.append(f"entrypoint {c.get('config', {}).get('Entrypoint')}")
if problems:
    sys.exit(", ".join(problems))
PY
  summary+="$product $(sed 's/.*compressed=\([0-9]*\)KiB uncompressed=\([0-9]*\)KiB/\1\/\2/' <<< "$line") KiB; "
done
ok "${summary% }  (compressed/uncompressed; user 10001, zoneinfo)"

if [ -n "${EDGE_ARM64_FIGURES:-}" ]; then
  cp "$work/start-to-ready-ms" "$EDGE_ARM64_FIGURES"
fi
echo "check-arm64: all checks passed in $((SECONDS - started)) s"
