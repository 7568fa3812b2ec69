#!/bin/sh
# Creates the database Metabase keeps its own settings in (its users, questions, dashboards), once.
# Run by the compose service `metabase-db` with PGHOST/PGUSER/PGPASSWORD/PGDATABASE set.
set -eu
if [ "$(psql -tAc "SELECT 1 FROM pg_database WHERE datname = 'metabase'")" != "1" ]; then
    psql -v ON_ERROR_STOP=1 -c "CREATE DATABASE metabase"
    echo "metabase-db: created database metabase"
else
    echo "metabase-db: database metabase exists"
fi
