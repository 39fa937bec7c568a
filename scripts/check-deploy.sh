#!/usr/bin/env bash
# Check everything that deploys edge-agent (what CI runs):
#   1. systemd unit: systemd-analyze verify is clean; exposure <= 2.0
#   2. k8s: render base, household overlay and the restore Job k8s/restore
#      (`kubectl kustomize`; kubectl must be installed), validate every object against the Kubernetes schemas
#      (kubernetes-validate, strict, two Kubernetes versions), checkov with no
#      failed check
#   3. shellcheck on every shell script in the repository
#   4. the amd64 .deb: build, inspect, install/remove/purge in a throwaway
#      root (dpkg --root), run the installed edge-agent --version
#   5. the arm64 sysroot (cross/make-sysroot.sh, cached in .build-cross/) and
#      a C program linked against it, run under qemu-aarch64-static
#
# Usage: scripts/check-deploy.sh EDGE_AGENT_BINARY
#   EDGE_AGENT_BINARY: an amd64 edge-agent build (e.g. .build/release/edge-agent).
# Installs what is missing (apt: systemd, shellcheck, qemu-user-static, clang,
# lld, binutils; PyPI: kubernetes-validate, checkov into .build-deploy/venv).
# Needs root for apt-get when something is missing. One line per step.
set -euo pipefail

in_step=""
die() { [ -z "$in_step" ] || echo; echo "check-deploy: FAIL: $*" >&2; exit 1; }
step() { printf 'check-deploy: %-42s ' "$1"; step_started=$SECONDS; in_step=1; }
ok() { echo "ok ($((SECONDS - step_started)) s)${1:+ - $1}"; in_step=""; }
# fail_log FILE MESSAGE: show FILE (indented), then fail with MESSAGE.
fail_log() { [ -z "$in_step" ] || echo; in_step=""; sed 's/^/  /' "$1" >&2; die "$2"; }

[ $# -eq 1 ] || die "usage: scripts/check-deploy.sh EDGE_AGENT_BINARY"
binary=$1
if [ ! -f "$binary" ] || [ ! -x "$binary" ]; then
  die "edge-agent binary '$binary' is missing or not executable"
fi
binary=$(cd "$(dirname "$binary")" && pwd)/$(basename "$binary")

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
deploy="$repo/.build-deploy"
mkdir -p "$deploy"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
started=$SECONDS

# Versions of the PyPI checkers (bump deliberately).
pip_pkgs=(kubernetes-validate==1.37.0 checkov==3.3.30)
# Kubernetes versions to validate against: oldest supported, newest known.
k8s_versions=(1.28.0 1.37.0)
max_exposure=2.0

# --- tools ------------------------------------------------------------------
step "tools (apt)"
need_apt=()
command -v systemd-analyze >/dev/null || need_apt+=(systemd)
command -v shellcheck >/dev/null || need_apt+=(shellcheck)
command -v qemu-aarch64-static >/dev/null || need_apt+=(qemu-user-static)
command -v readelf >/dev/null || need_apt+=(binutils)
command -v dpkg-deb >/dev/null || need_apt+=(dpkg)
command -v python3 >/dev/null || need_apt+=(python3)
python3 -c 'import venv, ensurepip' 2>/dev/null || need_apt+=(python3-venv)
if ! command -v ld.lld >/dev/null || ! command -v clang >/dev/null; then
  command -v aarch64-linux-gnu-gcc >/dev/null || need_apt+=(clang lld)
fi
if [ ${#need_apt[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || die "missing ${need_apt[*]} and not root: apt-get install ${need_apt[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >"$work/apt.log" 2>&1 || die "apt-get update failed: $(tail -n 1 "$work/apt.log")"
  apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >>"$work/apt.log" 2>&1 \
    || die "apt-get install ${need_apt[*]} failed: $(tail -n 1 "$work/apt.log")"
  ok "installed ${need_apt[*]}"
else
  ok "present"
fi

step "tools (PyPI)"
venv="$deploy/venv"
# The marker is written last: a venv without it (an interrupted install) is
# thrown away and made again.
if [ "$(cat "$venv/.edge-pkgs" 2>/dev/null)" != "${pip_pkgs[*]}" ]; then
  rm -rf "$venv"
  python3 -m venv "$venv" >"$work/pip.log" 2>&1 || die "python3 -m venv failed: $(tail -n 1 "$work/pip.log")"
  "$venv/bin/pip" install -q --disable-pip-version-check "${pip_pkgs[@]}" >>"$work/pip.log" 2>&1 \
    || die "pip install ${pip_pkgs[*]} failed: $(tail -n 1 "$work/pip.log")"
  echo "${pip_pkgs[*]}" > "$venv/.edge-pkgs"
  ok "installed ${pip_pkgs[*]}"
else
  ok "cached ${pip_pkgs[*]}"
fi
py="$venv/bin/python"

# --- the agent binary links no PostgreSQL client ------------------------------
# Only edge-central talks to PostgreSQL; the agent on a Pi must not carry PostgresNIO.
step "edge-agent has no PostgresNIO"
if [ "$(nm "$binary" 2>/dev/null | grep -c PostgresNIO || true)" != 0 ]; then
  die "$binary contains PostgresNIO symbols; only edge-central may link it"
fi
ok

# --- 1. systemd unit ----------------------------------------------------------
unit="$repo/systemd/edge-agent.service"
step "systemd: systemd-analyze verify"
# verify needs ExecStart= to exist: check a copy that runs the given binary.
mkdir -p "$work/unit"
sed "s|^ExecStart=/usr/bin/edge-agent |ExecStart=$binary |" "$unit" > "$work/unit/edge-agent.service"
[ "$(diff "$unit" "$work/unit/edge-agent.service" | grep -c '^>')" = 1 ] || die "unit has no 'ExecStart=/usr/bin/edge-agent ...' line"
if ! systemd-analyze verify --man=no "$work/unit/edge-agent.service" >"$work/verify.log" 2>&1 \
   || [ -s "$work/verify.log" ]; then
  fail_log "$work/verify.log" "systemd-analyze verify is not clean"
fi
ok "clean"

step "systemd: security exposure <= $max_exposure"
systemd-analyze security --offline=yes --no-pager "$unit" >"$work/security.log" 2>&1 || true
exposure=$(sed -n 's/.*Overall exposure level for edge-agent.service: \([0-9.]*\).*/\1/p' "$work/security.log")
[ -n "$exposure" ] || fail_log "$work/security.log" "no exposure score from systemd-analyze security"
awk -v e="$exposure" -v m="$max_exposure" 'BEGIN { exit !(e <= m) }' \
  || { grep '✗' "$work/security.log" > "$work/security-bad.log"; fail_log "$work/security-bad.log" "exposure $exposure > $max_exposure"; }
ok "exposure $exposure"

# --- 2. Kubernetes manifests -------------------------------------------------
step "k8s: render base, household, restore"
# The overlay's PostgreSQL secret comes from a git-ignored postgres.env:
# render a copy that uses the committed example.
cp -r "$repo/k8s" "$work/k8s"
cp "$work/k8s/overlays/household/postgres.env.example" "$work/k8s/overlays/household/postgres.env"
k8s_targets="base overlays/household restore"
if ! { command -v kubectl >/dev/null && kubectl kustomize --help >/dev/null 2>&1; }; then
  die "kubectl is missing: it renders k8s/ (kubectl kustomize); install kubectl 1.27 or later"
fi
for target in $k8s_targets; do
  name=${target##*/}
  kubectl kustomize "$work/k8s/$target" >"$work/$name.yaml" 2>"$work/render.log" \
    || die "kubectl kustomize k8s/$target: $(tail -n 1 "$work/render.log")"
done
objects=$(grep -c '^kind:' "$work/household.yaml")
ok "$objects objects ($(kubectl version --client 2>/dev/null | sed -n 's/^Kustomize Version: //p' | head -n 1))"

step "k8s: one node's credential per agent pod"
"$py" "$repo/scripts/deploy/one-credential-per-pod.py" "$work/base.yaml" "$work/household.yaml" "$work/restore.yaml" \
  >"$work/credentials.log" 2>&1 || fail_log "$work/credentials.log" "an agent pod can read more than its own credential"
ok "agent pods mount only single-key Secrets"

step "repository stands on its own"
# Nothing in the repository may point outside it (a design folder beside the clone).
if grep -rn --exclude-dir=.git --exclude-dir='.build*' --exclude=check-deploy.sh -e '\.\./s[h]ared' -e 'PRODUCT\.md' "$repo" >"$work/shared.log"; then
  fail_log "$work/shared.log" "references to the sibling shared directory, which is not in a clone"
fi
ok "no references outside the repository"

step "k8s: kubernetes-validate --strict"
for v in "${k8s_versions[@]}"; do
  "$venv/bin/kubernetes-validate" --strict --quiet -k "$v" "$work/base.yaml" "$work/household.yaml" "$work/restore.yaml" \
    >"$work/validate.log" 2>&1 || fail_log "$work/validate.log" "schema validation failed for Kubernetes $v"
done
ok "Kubernetes ${k8s_versions[*]}"

step "k8s: checkov"
# No failed check; every skipped one carries its reason (checkov.io/skipN
# annotations on the object).
"$venv/bin/checkov" -f "$work/base.yaml" -f "$work/household.yaml" -f "$work/restore.yaml" --framework kubernetes \
  --skip-download -o json >"$work/checkov.json" 2>"$work/checkov.err" || true
summary=$("$py" - "$work/checkov.json" 2>"$work/checkov-problems.log" <<'PY'
import json, sys
try:
    reports = json.load(open(sys.argv[1]))
except ValueError:
    sys.exit("checkov printed no JSON report")
reports = reports if isinstance(reports, list) else [reports]
passed = failed = skipped = 0
problems = []
for r in reports:
    s = r.get("summary", {})
    passed += s.get("passed", 0)
    failed += s.get("failed", 0)
    skipped += s.get("skipped", 0)
    res = r.get("results", {})
    for c in res.get("failed_checks", []):
        problems.append(f"{c['check_id']} {c['check_name']}: {c['resource']} ({c['file_path']})")
    for c in res.get("skipped_checks", []):
        reason = (c.get("check_result", {}).get("suppress_comment") or "").strip()
        if not reason or reason == "No comment provided":
            problems.append(f"{c['check_id']} skipped without a reason: {c['resource']}")
if problems:
    sys.exit("\n".join(problems))
if passed == 0:
    sys.exit("checkov ran no check")
print(f"{passed} passed, {failed} failed, {skipped} skipped with reasons")
PY
) || { tail -n 5 "$work/checkov.err" >>"$work/checkov-problems.log"; fail_log "$work/checkov-problems.log" "checkov"; }
ok "$summary"

# --- 3. shellcheck -------------------------------------------------------------
step "shellcheck"
scripts=()
while IFS= read -r -d '' f; do
  case $f in
    *.sh) scripts+=("$f") ;;
    *) head -n 1 "$f" 2>/dev/null | grep -qE '^#!.*(/|env )(ba|da)?sh\b' && scripts+=("$f") ;;
  esac
done < <(find "$repo" \( -path "$repo/.git" -o -path "$repo/.build*" -o -path "$repo/.swiftpm" \) -prune \
           -o -type f \( -name '*.sh' -o -perm -u+x -o -path '*/cross/deb/*' \) -print0)
[ ${#scripts[@]} -gt 0 ] || die "no shell scripts found"
shellcheck -x "${scripts[@]}" >"$work/shellcheck.log" 2>&1 || fail_log "$work/shellcheck.log" "shellcheck"
ok "${#scripts[@]} scripts"

# --- 4. Debian package ---------------------------------------------------------
step "deb: build amd64"
version=$("$binary" --version 2>/dev/null | sed -n 's/^edge-agent \([0-9][^ ]*\).*/\1/p' | head -n 1)
[ -n "$version" ] || die "'$binary --version' does not print 'edge-agent <version>'"
deb=$("$repo/cross/make-deb.sh" "$version" amd64 "$binary" "$deploy/deb" 2>"$work/deb.err") \
  || die "$(tail -n 1 "$work/deb.err")"
ok "$(basename "$deb") ($(du -k "$deb" | cut -f1) KiB)"

step "deb: inspect"
dpkg-deb -I "$deb" >"$work/deb-info.log"
dpkg-deb -c "$deb" >"$work/deb-contents.log"
for path in ./usr/bin/edge-agent ./lib/systemd/system/edge-agent.service ./etc/default/edge-agent ./etc/edge-agent/; do
  grep -q " $path\$" "$work/deb-contents.log" || die "package lacks $path"
done
grep -q '^-rwxr-xr-x root/root .* ./usr/bin/edge-agent$' "$work/deb-contents.log" || die "/usr/bin/edge-agent is not root-owned 0755"
grep -qE '^ *Depends:.*libsqlite3-0.*' "$work/deb-info.log" || die "Depends lacks libsqlite3-0"
grep -qE '^ *Depends:.*libgpiod2' "$work/deb-info.log" || die "Depends lacks libgpiod2"
dpkg-deb -f "$deb" Architecture | grep -qx amd64 || die "Architecture is not amd64"
dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./conffiles | grep -qx /etc/default/edge-agent || die "/etc/default/edge-agent is not a conffile"
ok "$(dpkg-deb -f "$deb" Depends)"

step "deb: install/remove/purge (dpkg --root)"
root="$work/root"
mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates" "$root/var/log" "$root/etc"
: > "$root/var/lib/dpkg/status"
printf 'root:x:0:\n' > "$root/etc/group"
printf 'root:*::\n' > "$root/etc/gshadow"
dpkg_root=(dpkg --root="$root" --force-script-chrootless --force-depends --log=/dev/null)
"${dpkg_root[@]}" -i "$deb" >"$work/dpkg.log" 2>&1 || fail_log "$work/dpkg.log" "dpkg -i into the throwaway root"
got=$("$root/usr/bin/edge-agent" --version) || die "installed edge-agent --version failed"
[[ $got == "edge-agent $version"* ]] || die "installed edge-agent --version printed '$got'"
[ "$(stat -c %a "$root/etc/edge-agent/central-token")" = 600 ] || die "postinst did not create /etc/edge-agent/central-token 0600"
grep -q '^gpio:' "$root/etc/group" || die "postinst did not create the gpio group"
[ -L "$root/etc/systemd/system/multi-user.target.wants/edge-agent.service" ] || die "postinst did not enable edge-agent.service"
"${dpkg_root[@]}" -r edge-agent >>"$work/dpkg.log" 2>&1 || fail_log "$work/dpkg.log" "dpkg -r"
[ ! -e "$root/usr/bin/edge-agent" ] || die "remove left /usr/bin/edge-agent"
[ -f "$root/etc/default/edge-agent" ] || die "remove deleted the conffile"
mkdir -p "$root/var/lib/private/edge-agent" && : > "$root/var/lib/private/edge-agent/edge.sqlite"
ln -s private/edge-agent "$root/var/lib/edge-agent"
"${dpkg_root[@]}" -P edge-agent >>"$work/dpkg.log" 2>&1 || fail_log "$work/dpkg.log" "dpkg -P"
for gone in etc/default/edge-agent etc/edge-agent var/lib/private/edge-agent var/lib/edge-agent \
            etc/systemd/system/multi-user.target.wants/edge-agent.service; do
  if [ -e "$root/$gone" ] || [ -L "$root/$gone" ]; then die "purge left /$gone"; fi
done
ok "installed edge-agent --version: $got"

# --- 5. arm64 sysroot ----------------------------------------------------------
step "arm64: sysroot (cross/make-sysroot.sh)"
"$repo/cross/make-sysroot.sh" >"$work/sysroot.log" 2>&1 || fail_log "$work/sysroot.log" "make-sysroot.sh"
ok "$(tail -n 1 "$work/sysroot.log" | sed "s|$repo/||")"

step "arm64: link + run (cross/check-sysroot.sh)"
"$repo/cross/check-sysroot.sh" >"$work/check-sysroot.log" 2>&1 || fail_log "$work/check-sysroot.log" "check-sysroot.sh"
ok
sed 's/^/  /' "$work/check-sysroot.log"

echo "check-deploy: all checks passed in $((SECONDS - started)) s"
