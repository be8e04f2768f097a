#!/usr/bin/env bash
# Run a command with a throwaway PostgreSQL cluster; exports DATABASE_URL_PG and PG* for it.
# Usage: packaging/with-postgres.sh COMMAND [ARGS...]   (PG_BIN overrides the binaries folder)
set -euo pipefail

pg_bin=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
if [ -z "$pg_bin" ] || [ ! -x "$pg_bin/initdb" ]; then
  echo "with-postgres: no PostgreSQL server binaries (apt-get install -y postgresql-15)" >&2
  exit 2
fi

as_pg=()
if [ "$(id -u)" = 0 ]; then
  id postgres >/dev/null 2>&1 || useradd --system postgres
  as_pg=(runuser -u postgres --)
fi

dir=$(mktemp -d -t pgrt.XXXXXX)
mkdir "$dir/sock"
[ "$(id -u)" = 0 ] && chown -R postgres: "$dir"
chmod 700 "$dir"

cleanup() {
  ( cd / && "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 \
    || "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true )
  rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 143' TERM INT

( cd / && "${as_pg[@]}" "$pg_bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync >/dev/null )

started=
for _ in 1 2 3 4 5; do
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  if ( cd / && "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w -t 60 start \
        -o "-p $port -k $dir/sock -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" >/dev/null ); then
    started=1; break
  fi
done
if [ -z "$started" ]; then
  echo "with-postgres: PostgreSQL did not start; server log:" >&2
  cat "$dir/log" >&2 || true
  exit 2
fi

"$pg_bin/createdb" -h 127.0.0.1 -p "$port" -U postgres racetrace_test
export PGHOST=127.0.0.1 PGPORT=$port PGUSER=postgres PGDATABASE=racetrace_test
export DATABASE_URL_PG="postgresql+psycopg://postgres@127.0.0.1:$port/racetrace_test"
export PG_BIN=$pg_bin

"$@" &
child=$!
wait "$child"
