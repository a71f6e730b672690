-- LearningDB bootstrap: run once by instance.sh on the first primary, as the superuser over the local socket.
-- Passwords are read from the mounted Secrets by psql itself; none is on a command line or in this file.
\set ON_ERROR_STOP on
\set replication_password `cat "$SECRETS_DIR/replication/password"`
\set app_password `cat "$SECRETS_DIR/app/password"`
\set pooler_password `cat "$SECRETS_DIR/pooler-auth/password"`
\set maintenance_password `cat "$SECRETS_DIR/maintenance/password"`
\set app_owner `printf %s "$APP_OWNER"`
\set app_database `printf %s "$APP_DATABASE"`

SET password_encryption = 'scram-sha-256';
CREATE ROLE replicator WITH LOGIN REPLICATION PASSWORD :'replication_password';
CREATE ROLE pgbouncer_auth WITH LOGIN PASSWORD :'pooler_password';
CREATE ROLE :"app_owner" WITH LOGIN PASSWORD :'app_password';
-- the maintenance CronJobs' role: a member of the owner role (partition DDL, REFRESH and VACUUM need ownership)
CREATE ROLE learningdb_maintenance WITH LOGIN PASSWORD :'maintenance_password';
GRANT :"app_owner" TO learningdb_maintenance;

-- PgBouncer's auth_query function. PgBouncer looks users up in the database a client asks for, so it must
-- exist in every database: template1 first, so databases created later inherit it.
\connect template1
\ir pgbouncer-auth.sql
\connect postgres
\ir pgbouncer-auth.sql

CREATE DATABASE :"app_database" OWNER :"app_owner";
\connect :"app_database"
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT ALL ON SCHEMA public TO :"app_owner";
\ir insights.sql
