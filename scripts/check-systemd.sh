#!/usr/bin/env bash
# The edge-agent unit under a real systemd: boots a Debian 12 root with
# `systemd-nspawn -b` (private network), installs the amd64 .deb there with
# dpkg (its postinst enables and starts the unit) and checks, inside:
#   1. the unit reaches active through Type=notify (READY=1) and answers
#      /readiness on 127.0.0.1:8080
#   2. the hardening still lets it read /proc and /sys (a hardware reading
#      with load and network figures) and write its state directory
#   3. `systemctl kill -s KILL` -> restarted by systemd, the task written
#      before the kill still there
#   4. SIGSTOP -> the watchdog (WatchdogSec=30s) aborts it and systemd
#      restarts it, data intact
# then powers the container off. One line per check.
#
# Usage: scripts/check-systemd.sh EDGE_AGENT_BINARY     (as root)
#   EDGE_AGENT_BINARY: an amd64 build with the Swift runtime linked statically
# The booted root (mmdebstrap minbase bookworm + systemd, dbus, curl and the
# package's dependencies) is cached in .build-cross/systemd-root-bookworm-amd64;
# each run boots a throwaway copy.
set -euo pipefail

die() { echo "check-systemd: FAIL: $*" >&2; exit 1; }
say() { echo "check-systemd: $*"; }

[ $# -eq 1 ] || die "usage: scripts/check-systemd.sh EDGE_AGENT_BINARY"
binary=$1
{ [ -f "$binary" ] && [ -x "$binary" ]; } || die "edge-agent binary '$binary' is missing or not executable"
[ "$(id -u)" = 0 ] || die "needs root (systemd-nspawn): run it with sudo"
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache="$repo/.build-cross"
for t in systemd-nspawn:systemd-container mmdebstrap:mmdebstrap dpkg-deb:dpkg; do
  command -v "${t%%:*}" >/dev/null || die "missing ${t%%:*}: apt-get install ${t#*:}"
done
started=$SECONDS

base="$cache/systemd-root-bookworm-amd64"
packages="systemd,systemd-sysv,dbus,curl,ca-certificates,libsqlite3-0,libgpiod2,passwd"
mkdir -p "$cache"
work=$(mktemp -d "$cache/.systemd.XXXXXX")
trap 'rm -rf "$work"' EXIT
if [ "$(cat "$base/.edge-root" 2>/dev/null)" != "$packages" ]; then
  say "making a Debian 12 root with systemd (mmdebstrap, about 1 minute)"
  mmdebstrap --variant=minbase --include="$packages" bookworm "$work/base" http://deb.debian.org/debian \
    >"$work/mmdebstrap.log" 2>&1 || die "mmdebstrap: $(grep -m1 -E '^E:' "$work/mmdebstrap.log" || tail -n 1 "$work/mmdebstrap.log")"
  echo "$packages" > "$work/base/.edge-root"
  rm -rf "$base"
  mv "$work/base" "$base"
fi

version=$("$binary" --version | sed -n 's/^edge-agent \([0-9][^ ]*\).*/\1/p' | head -n 1)
[ -n "$version" ] || die "'$binary --version' printed no version"
deb=$("$repo/cross/make-deb.sh" "$version" amd64 "$binary" "$work/deb" 2>"$work/deb.err") || die "make-deb.sh: $(tail -n 1 "$work/deb.err")"

root="$work/root"
cp -a "$base" "$root"
mkdir -p "$root/check" "$work/out"
cp "$deb" "$root/check/edge-agent.deb"
: > "$root/etc/machine-id"
cat > "$root/check/run.sh" <<'EOF'
#!/bin/sh
# Runs inside the booted container; one "ok|FAIL <check>: <detail>" line each.
out=/out/result
pass() { echo "ok $1: $2" >> "$out"; }
fail() { echo "FAIL $1: $2" >> "$out"; systemctl status edge-agent --no-pager -n 20 > /out/status.txt 2>&1; journalctl -u edge-agent --no-pager -n 40 > /out/journal.txt 2>&1; systemctl poweroff; exit 1; }
prop() { systemctl show -p "$1" --value edge-agent; }
# wait_active OLDPID SECONDS: until active with a main PID other than OLDPID.
wait_active() {
  i=0
  while [ "$i" -lt "$2" ]; do
    if [ "$(prop ActiveState)" = active ] && [ "$(prop MainPID)" != 0 ] && [ "$(prop MainPID)" != "$1" ]; then return 0; fi
    sleep 1; i=$((i + 1))
  done
  return 1
}
url=http://127.0.0.1:8080
: > "$out"

t0=$(date +%s)
DEBIAN_FRONTEND=noninteractive dpkg -i /check/edge-agent.deb > /out/dpkg.log 2>&1 || fail install "dpkg -i: $(tail -n 1 /out/dpkg.log)"
systemctl is-enabled edge-agent >/dev/null 2>&1 || fail install "postinst did not enable the unit"
wait_active 0 60 || fail notify "not active after 60 s: $(prop ActiveState)/$(prop SubState), result $(prop Result)"
[ "$(prop Type)" = notify ] || fail notify "Type is $(prop Type)"
pid1=$(prop MainPID)
curl -sf "$url/readiness" >/dev/null || fail notify "active but /readiness does not answer 2xx"
pass notify "dpkg -i started it; active via Type=notify in $(( $(date +%s) - t0 )) s, PID $pid1, /readiness 200"

node=$(curl -sf "$url/v1/node") || fail hardening "GET /v1/node failed"
echo "$node" > /out/node.json
echo "$node" | grep -q 'load' || fail hardening "no load average read from /proc: $(echo "$node" | head -c 200)"
echo "$node" | grep -q 'network' || fail hardening "no network figures read from /sys and /proc"
state=/var/lib/private/edge-agent
ls "$state"/*.db >/dev/null 2>&1 || ls "$state" > /out/state.txt 2>&1
[ -n "$(find "$state" -name '*.db' -size +0)" ] || fail hardening "nothing written in the state directory $state"
pass hardening "read /proc and /sys ($(echo "$node" | wc -c) bytes of /v1/node), database in $state owned by UID $(stat -c %u "$state")"

created=$(curl -sf -X POST -H 'Content-Type: application/json' -d '{"title":"survives SIGKILL"}' "$url/v1/tasks") || fail sigkill "POST /v1/tasks failed"
id=$(echo "$created" | sed -n 's/.*"id" *: *"\([^"]*\)".*/\1/p')
[ -n "$id" ] || fail sigkill "no task id in $created"
systemctl kill -s KILL edge-agent
wait_active "$pid1" 30 || fail sigkill "not restarted within 30 s: $(prop ActiveState)/$(prop SubState)"
pid2=$(prop MainPID)
curl -sf "$url/v1/tasks/$id" | grep -q 'survives SIGKILL' || fail sigkill "the task written before SIGKILL is gone"
pass sigkill "restarted (PID $pid1 -> $pid2, NRestarts $(prop NRestarts)); the task written before the kill is there"

t1=$(date +%s)
kill -STOP "$pid2"
wait_active "$pid2" 120 || fail watchdog "a SIGSTOPped agent was not restarted within 120 s: $(prop ActiveState)/$(prop SubState)"
curl -sf "$url/v1/tasks/$id" | grep -q 'survives SIGKILL' || fail watchdog "the task is gone after the watchdog restart"
pass watchdog "SIGSTOPped PID $pid2 restarted by the watchdog in $(( $(date +%s) - t1 )) s (WatchdogSec $(prop WatchdogUSec)), PID $(prop MainPID)"
journalctl -u edge-agent --no-pager > /out/journal.txt 2>&1
echo done >> "$out"
systemctl poweroff
EOF
chmod 0755 "$root/check/run.sh"
cat > "$root/etc/systemd/system/edge-check.service" <<'EOF'
[Unit]
Description=edge-agent unit checks (scripts/check-systemd.sh)
After=multi-user.target
[Service]
Type=oneshot
ExecStart=/check/run.sh
StandardOutput=journal+console
[Install]
WantedBy=multi-user.target
EOF
ln -s /etc/systemd/system/edge-check.service "$root/etc/systemd/system/multi-user.target.wants/edge-check.service"

say "booting the root with systemd-nspawn -b (private network)"
# --keep-unit/--register=no: this host may have no systemd of its own.
status=0
timeout 420 systemd-nspawn --quiet -D "$root" -b --register=no --keep-unit --private-network \
  --bind="$work/out:/out" --console=pipe >"$work/boot.log" 2>&1 || status=$?
[ -s "$work/out/result" ] || { tail -n 20 "$work/boot.log" >&2; die "systemd-nspawn -b exited $status before the checks ran (boot log above)"; }
while read -r verdict rest; do
  case $verdict in
    ok) say "$rest" ;;
    FAIL) sed 's/^/  /' "$work/out/status.txt" "$work/out/journal.txt" >&2 2>/dev/null || true; die "$rest" ;;
    done) ;;
  esac
done < "$work/out/result"
grep -qx 'done' "$work/out/result" || { tail -n 20 "$work/boot.log" >&2; die "the checks did not finish (systemd-nspawn exit $status)"; }
say "all checks passed in $((SECONDS - started)) s"
