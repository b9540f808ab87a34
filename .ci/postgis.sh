#!/usr/bin/env bash
# Install (Debian) and start a PostgreSQL + PostGIS server on loopback for the publish tests,
# then print its URL on stdout.  Idempotent: an installed, running server is reused.
# Usage: export LEUVEN_ATLAS_TEST_POSTGIS="$(bash .ci/postgis.sh)"
set -euo pipefail
DB=atlas_test
ROLE=atlas
PASSWORD=atlas-ci
PORT=5432

if ! ls /usr/share/postgresql/*/extension/postgis.control >/dev/null 2>&1; then
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql postgis >&2
fi
version=$(ls /usr/lib/postgresql | sort -V | tail -1)
if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -qx "$version main"; then
  pg_createcluster "$version" main --port "$PORT" >&2
fi
if ! pg_lsclusters -h | awk -v v="$version" '$1==v && $2=="main" {print $4}' | grep -qx online; then
  pg_ctlcluster "$version" main start >&2
fi
port=$(pg_lsclusters -h | awk -v v="$version" '$1==v && $2=="main" {print $3}')
as_postgres() { runuser -u postgres -- "$@"; }
as_postgres psql -p "$port" -qtAc "SELECT 1 FROM pg_roles WHERE rolname='$ROLE'" | grep -q 1 ||
  as_postgres psql -p "$port" -qc "CREATE ROLE $ROLE LOGIN SUPERUSER PASSWORD '$PASSWORD'" >&2
as_postgres psql -p "$port" -qc "ALTER ROLE $ROLE PASSWORD '$PASSWORD'" >&2
as_postgres psql -p "$port" -qtAc "SELECT 1 FROM pg_database WHERE datname='$DB'" | grep -q 1 ||
  as_postgres createdb -p "$port" -O "$ROLE" "$DB" >&2
as_postgres psql -p "$port" -d "$DB" -qc "CREATE EXTENSION IF NOT EXISTS postgis" >&2
echo "postgresql://$ROLE:$PASSWORD@127.0.0.1:$port/$DB"
