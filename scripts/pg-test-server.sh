#!/usr/bin/env bash
# A throwaway PostgreSQL 15 server for tests and .ci/run, on 127.0.0.1 and a free port, fsync off.
#   scripts/pg-test-server.sh start   → creates a temp folder, prints `export HARVESTER_TEST_PG_URL=…` and
#                                        `export HARVESTER_TEST_PG_DIR=…` (eval it); fails loudly if it cannot start
#   scripts/pg-test-server.sh stop DIR → stops that server and removes its folder
# initdb refuses to run as root, so as root the server runs as the `postgres` user on a folder it owns.
set -euo pipefail
PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"

as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{process.stdout.write(String(s.address().port));s.close()})"
}

start() {
  [ -x "$PG_BIN/initdb" ] || { echo "pg-test-server: no PostgreSQL binaries in $PG_BIN" >&2; exit 1; }
  local dir port pass
  dir="$(mktemp -d "${TMPDIR:-/tmp}/hv-pg.XXXXXX")"
  chmod 755 "$dir"
  if [ "$(id -u)" = 0 ]; then chown postgres: "$dir"; fi
  pass="hv$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
  printf '%s\n' "$pass" > "$dir/pwfile"
  if [ "$(id -u)" = 0 ]; then chown postgres: "$dir/pwfile"; fi
  if ! as_pg "$PG_BIN/initdb" -D "$dir/data" -U harvester --pwfile="$dir/pwfile" --auth=scram-sha-256 -E UTF8 --no-locale >"$dir/initdb.log" 2>&1; then
    echo "pg-test-server: initdb failed:" >&2; cat "$dir/initdb.log" >&2; rm -rf "$dir"; exit 1
  fi
  port="$(free_port)"
  if ! as_pg "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
      -o "-c listen_addresses=127.0.0.1 -p $port -c fsync=off -c unix_socket_directories=$dir -c max_connections=60" start >/dev/null; then
    echo "pg-test-server: the server did not start:" >&2; cat "$dir/server.log" >&2; rm -rf "$dir"; exit 1
  fi
  if ! PGPASSWORD="$pass" "$PG_BIN/psql" -h 127.0.0.1 -p "$port" -U harvester -d postgres -qAtc 'CREATE DATABASE harvester' >/dev/null; then
    echo "pg-test-server: CREATE DATABASE failed" >&2; stop "$dir"; exit 1
  fi
  echo "export HARVESTER_TEST_PG_DIR='$dir'"
  echo "export HARVESTER_TEST_PG_URL='postgres://harvester:$pass@127.0.0.1:$port/harvester'"
}

stop() {
  local dir="${1:?usage: pg-test-server.sh stop DIR}"
  case "$dir" in */hv-pg.*) ;; *) echo "pg-test-server: refusing to remove $dir" >&2; exit 1 ;; esac
  if [ -f "$dir/data/postmaster.pid" ]; then as_pg "$PG_BIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true; fi
  rm -rf "$dir"
}

case "${1:-}" in
  start) start ;;
  stop) stop "${2:-}" ;;
  *) echo "usage: $0 start | stop DIR" >&2; exit 2 ;;
esac
