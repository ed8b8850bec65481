#!/bin/sh
# Run once by the postgres image on a new data volume (/docker-entrypoint-initdb.d), as the
# superuser. The app gets its own role: it owns its database and nothing else, cannot create
# databases or roles, and signs in with a password (scram-sha-256), so a flaw in the app
# cannot reach other databases or the server's settings (45 CFR 164.312(a)(1) access control).
set -eu
: "${APP_DB_PASSWORD:?set APP_DB_PASSWORD in .env}"
APP_DB_USER="${APP_DB_USER:-peersupport}"
APP_DB_NAME="${APP_DB_NAME:-peersupport}"

# psql's :'name' and :"name" quote the values, so a password with quotes cannot break out.
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
    -v app_user="$APP_DB_USER" -v app_db="$APP_DB_NAME" -v app_password="$APP_DB_PASSWORD" <<'SQL'
CREATE ROLE :"app_user" LOGIN PASSWORD :'app_password' NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION;
CREATE DATABASE :"app_db" OWNER :"app_user";
REVOKE ALL ON DATABASE :"app_db" FROM PUBLIC;
REVOKE CONNECT ON DATABASE postgres FROM PUBLIC;
SQL
