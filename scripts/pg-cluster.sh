#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for tests (docs/contract.md §9): Debian's postgresql binaries,
# initdb and pg_ctl in a temporary folder owned by an unprivileged user (the server refuses to run
# as root, and CI runs as root), listening on 127.0.0.1 on a free port, trust authentication.
#
#   scripts/pg-cluster.sh start DIR   makes the cluster in DIR (created), prints its postgresql:// URL
#   scripts/pg-cluster.sh stop DIR    stops it and removes DIR
set -euo pipefail

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [[ -z "$bin" || ! -x "$bin/initdb" ]]; then
  echo "pg-cluster: PostgreSQL's server binaries are missing (apt-get install postgresql)." >&2
  exit 2
fi

# The user that owns and runs the cluster: ourselves unless root; then Debian's postgres, or nobody.
as_owner() {
  if [[ $(id -u) -ne 0 ]]; then
    "$@"
  elif id -u postgres >/dev/null 2>&1; then
    runuser -u postgres -- "$@"
  else
    runuser -u nobody -- "$@"
  fi
}
owner() {
  if [[ $(id -u) -ne 0 ]]; then id -un
  elif id -u postgres >/dev/null 2>&1; then echo postgres
  else echo nobody
  fi
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

cmd=${1:-}
dir=${2:-}
if [[ -z "$cmd" || -z "$dir" ]]; then
  echo "usage: $0 start|stop DIR" >&2
  exit 2
fi

case "$cmd" in
  start)
    mkdir -p "$dir"
    chown "$(owner)" "$dir"
    chmod 700 "$dir"
    as_owner "$bin/initdb" -D "$dir/data" -U ems --auth=trust --encoding=UTF8 --locale=C.UTF-8 \
      --no-sync >"$dir/initdb.log" 2>&1 ||
      { cat "$dir/initdb.log" >&2; exit 1; }
    port=$(free_port)
    # fsync off: a test cluster that a crash loses is thrown away anyway. Enough connections for
    # parallel tests, each a stack of processes with a pool of connections.
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
      -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir \
          -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300 \
          -c shared_buffers=64MB" start >/dev/null ||
      { cat "$dir/server.log" >&2; exit 1; }
    echo "$port" >"$dir/port"
    echo "postgresql://ems@127.0.0.1:$port/postgres"
    ;;
  stop)
    if [[ -f "$dir/data/postmaster.pid" ]]; then
      as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
  *)
    echo "usage: $0 start|stop DIR" >&2
    exit 2
    ;;
esac
