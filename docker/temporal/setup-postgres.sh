#!/bin/sh
# Creates and upgrades Temporal's two PostgreSQL schemas (the persistence store and the SQL visibility store)
# with temporal-sql-tool, as temporalio/samples-server's compose setup does. Safe to run on every start:
# setup-schema on an existing database and update-schema to the current version are both no-ops.
set -eu

: "${POSTGRES_SEEDS:?}" "${POSTGRES_USER:?}" "${POSTGRES_PWD:?}"
DB_PORT="${DB_PORT:-5432}"
SCHEMA_DIR=/etc/temporal/schema/postgresql/v12

until nc -z "$POSTGRES_SEEDS" "$DB_PORT"; do
  echo "waiting for PostgreSQL at $POSTGRES_SEEDS:$DB_PORT"
  sleep 1
done

for db in temporal temporal_visibility; do
  if [ "$db" = temporal ]; then dir="$SCHEMA_DIR/temporal/versioned"; else dir="$SCHEMA_DIR/visibility/versioned"; fi
  temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "$DB_PORT" -u "$POSTGRES_USER" --pw "$POSTGRES_PWD" --db "$db" create-database || true
  temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "$DB_PORT" -u "$POSTGRES_USER" --pw "$POSTGRES_PWD" --db "$db" setup-schema -v 0.0
  temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "$DB_PORT" -u "$POSTGRES_USER" --pw "$POSTGRES_PWD" --db "$db" update-schema -d "$dir"
done
echo "PostgreSQL schemas are ready"
