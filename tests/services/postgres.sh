#!/usr/bin/env bash
# A throw-away PostgreSQL server for tests: Debian's packages (installed if missing), a cluster in
# a temporary folder owned by an unprivileged user, listening on loopback only.
#   tests/services/postgres.sh start DIR PORT   → prints the server's URL (postgres://…)
#   tests/services/postgres.sh stop DIR          → stops it and deletes DIR
set -euo pipefail

command=${1:?start or stop}
dir=${2:?folder}

bin_dir() {
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

# Runs a command as the cluster's owner: root runs it as the `postgres` user the Debian package
# creates; anyone else as themselves.
as_owner() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

case "$command" in
  start)
    port=${3:?port}
    if [ -z "$(bin_dir)" ]; then
      sudo=$([ "$(id -u)" = 0 ] || echo sudo)
      echo "Installing PostgreSQL from Debian (once)" >&2
      $sudo apt-get update >&2
      DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends postgresql >&2
    fi
    bin=$(bin_dir)
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres: "$dir"
    as_owner "$bin/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 \
      --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    # Durability is not what these tests are about: no fsync keeps them fast.
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-h 127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off \
          -c full_page_writes=off -c max_connections=400" start >&2 \
      || { cat "$dir/server.log" >&2; exit 1; }
    echo "postgres://postgres@127.0.0.1:$port"
    ;;
  stop)
    bin=$(bin_dir)
    if [ -n "$bin" ] && [ -f "$dir/data/postmaster.pid" ]; then
      as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >&2 || true
    fi
    rm -rf "$dir"
    ;;
  *)
    echo "usage: $0 start DIR PORT | stop DIR" >&2
    exit 2
    ;;
esac
