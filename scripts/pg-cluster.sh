#!/usr/bin/env bash
# Manages one throwaway PostgreSQL 15 cluster (Debian's package) for the tests.
#   scripts/pg-cluster.sh start   DIR [--durable]  initdb DIR/data if needed, start it on a free
#                                                   loopback port, print its URL on stdout
#   scripts/pg-cluster.sh restart DIR [--durable]  stop with -m immediate (a crash), start again
#                                                   on the same port (recovery runs), print the URL
#   scripts/pg-cluster.sh stop    DIR              stop with -m fast
# Without --durable the server runs with fsync=off and full_page_writes=off: fast, and an
# immediate stop still loses nothing (only an OS crash would). The URL is
# postgres://edge@127.0.0.1:PORT/postgres (superuser edge, trust auth); the port is kept in
# DIR/port, the server log in DIR/log, the Unix socket in DIR.
# As root, the cluster belongs to and runs as the `postgres` user (PostgreSQL refuses root).
set -euo pipefail

PG_BIN=/usr/lib/postgresql/15/bin
here="$(cd "$(dirname "$0")" && pwd)"

die() { echo "pg-cluster: $*" >&2; exit 1; }
usage() { echo "usage: pg-cluster.sh start|stop|restart DIR [--durable]" >&2; exit 2; }

action="" dir="" durable=0
for arg in "$@"; do
  case "$arg" in
    --durable) durable=1 ;;
    -*) usage ;;
    *) if [ -z "$action" ]; then action="$arg"; elif [ -z "$dir" ]; then dir="$arg"; else usage; fi ;;
  esac
done
case "$action" in start|stop|restart) ;; *) usage ;; esac
[ -n "$dir" ] || usage

if [ ! -x "$PG_BIN/initdb" ]; then
  echo "pg-cluster: $PG_BIN/initdb is missing; running scripts/install-deps.sh test" >&2
  "$here/install-deps.sh" test >&2 || die "installing PostgreSQL 15 failed"
  [ -x "$PG_BIN/initdb" ] || die "$PG_BIN/initdb is still missing after install-deps.sh test"
fi

# Server commands run as `postgres` when we are root, from / (a cwd such as /root is not
# readable by postgres, and initdb/postgres complain about it).
as_owner=()
if [ "$(id -u)" -eq 0 ]; then
  id -u postgres >/dev/null 2>&1 || die "running as root but there is no 'postgres' user (install Debian's postgresql package)"
  as_owner=(runuser -u postgres --)
fi
run() { (cd / && "${as_owner[@]}" "$@"); }

case "$action" in
  start) mkdir -p "$dir" || die "cannot create $dir" ;;
  *) [ -d "$dir/data" ] || die "$dir/data does not exist (nothing to $action)" ;;
esac
dir="$(cd "$dir" && pwd -P)"
case "$dir" in *[\'\"\\]*) die "the directory path must not contain quotes or backslashes: $dir" ;; esac
# The Unix socket DIR/.s.PGSQL.NNNNN must fit in sun_path (107 bytes).
[ $(( ${#dir} + 16 )) -le 107 ] || die "path too long for the server's Unix socket (keep it under 91 bytes): $dir"
data="$dir/data" log="$dir/log" portfile="$dir/port"

if [ ${#as_owner[@]} -gt 0 ]; then
  { chown postgres: "$dir" && chmod 0755 "$dir"; } || die "cannot hand $dir to the postgres user"
  "${as_owner[@]}" test -w "$dir" -a -x "$dir" \
    || die "the postgres user cannot reach $dir (a parent directory is not traversable); use a directory under /tmp"
fi

url() { echo "postgres://edge@127.0.0.1:$1/postgres"; }
running() { run "$PG_BIN/pg_ctl" -D "$data" status >/dev/null 2>&1; }
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}
fail_with_log() {
  echo "pg-cluster: $1" >&2
  if [ -s "$log" ]; then
    echo "pg-cluster: last lines of $log:" >&2
    tail -n 15 "$log" >&2
  fi
  exit 1
}

# start_on PORT: one attempt; leaves no half-started server behind.
start_on() {
  local opts="-c listen_addresses=127.0.0.1 -p $1 -k '$dir' -c max_connections=300"
  [ "$durable" -eq 1 ] || opts+=" -c fsync=off -c full_page_writes=off"
  if run "$PG_BIN/pg_ctl" -D "$data" -l "$log" -w -t 30 -o "$opts" start >"$dir/pg_ctl.out" 2>&1; then
    rm -f "$dir/pg_ctl.out"
    return 0
  fi
  cat "$dir/pg_ctl.out" >>"$log" 2>/dev/null || true
  run "$PG_BIN/pg_ctl" -D "$data" -w -t 10 stop -m immediate >/dev/null 2>&1 || true
  return 1
}

case "$action" in
  start)
    if [ ! -d "$data" ]; then
      run "$PG_BIN/initdb" -D "$data" -U edge -A trust -E UTF8 --locale=C.UTF-8 -N >"$dir/initdb.log" 2>&1 \
        || { tail -n 15 "$dir/initdb.log" >&2; die "initdb failed (full output in $dir/initdb.log)"; }
    fi
    if running; then
      [ -s "$portfile" ] || die "a server is already running on $data but $portfile is missing"
      url "$(cat "$portfile")"
      exit 0
    fi
    for _ in 1 2 3; do
      port="$(free_port)" || die "cannot find a free loopback port (python3 failed)"
      if start_on "$port"; then
        echo "$port" >"$portfile"
        url "$port"
        exit 0
      fi
    done
    fail_with_log "the server on $data did not start (3 attempts, each on a new port)"
    ;;
  restart)
    [ -s "$portfile" ] || die "$portfile is missing; use start"
    port="$(cat "$portfile")"
    if running; then
      run "$PG_BIN/pg_ctl" -D "$data" -w -t 30 stop -m immediate >/dev/null 2>&1 || die "immediate stop of $data failed"
    fi
    # Same port on every attempt: clients keep their URL.
    for _ in 1 2 3; do
      if start_on "$port"; then
        url "$port"
        exit 0
      fi
      sleep 1
    done
    fail_with_log "the server on $data did not restart on port $port (3 attempts)"
    ;;
  stop)
    if ! running; then
      echo "pg-cluster: no server running on $data" >&2
      exit 0
    fi
    run "$PG_BIN/pg_ctl" -D "$data" -w -t 60 stop -m fast >/dev/null 2>&1 || fail_with_log "fast stop of $data failed"
    ;;
esac
