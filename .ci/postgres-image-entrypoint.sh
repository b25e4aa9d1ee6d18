#!/bin/sh
# Entry point of the locally built PostgreSQL 15 test image (.ci/containers.sh): honours POSTGRES_PASSWORD, PGPORT
# and POSTGRES_LISTEN like the official image's subset the tests use. The data directory lives and dies with the container.
set -e
PGDATA=/var/lib/postgresql/data
mkdir -p "$PGDATA" /var/run/postgresql
chown postgres:postgres "$PGDATA" /var/run/postgresql
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  printf '%s\n' "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD is required}" > /tmp/pwfile
  chown postgres /tmp/pwfile
  runuser -u postgres -- initdb -D "$PGDATA" -U postgres --pwfile=/tmp/pwfile --auth-host=scram-sha-256 --auth-local=trust >/dev/null
  rm -f /tmp/pwfile
  echo "host all all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
fi
exec runuser -u postgres -- postgres -D "$PGDATA" -p "${PGPORT:-5432}" -c "listen_addresses=${POSTGRES_LISTEN:-*}"
