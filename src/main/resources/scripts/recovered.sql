-- LearningDB recovery: run once by instance.sh on a primary restored from another cluster's backups (bootstrap.recovery),
-- as the superuser over the local socket, after promotion and before any client can connect. The roles exist (they
-- came with the data); their passwords become this cluster's Secrets, so the source's credentials open nothing here.
\set ON_ERROR_STOP on
\set superuser_password `cat "$SECRETS_DIR/superuser/password"`
\set replication_password `cat "$SECRETS_DIR/replication/password"`
\set app_password `cat "$SECRETS_DIR/app/password"`
\set pooler_password `cat "$SECRETS_DIR/pooler-auth/password"`
\set maintenance_password `cat "$SECRETS_DIR/maintenance/password"`
\set app_owner `printf %s "$APP_OWNER"`
\set app_database `printf %s "$APP_DATABASE"`

SET password_encryption = 'scram-sha-256';
SELECT count(*) = 1 AS owner_exists FROM pg_roles WHERE rolname = :'app_owner' \gset
\if :owner_exists
\else
  \echo 'bootstrap.owner' :'app_owner' 'is not a role of the recovered database: set bootstrap.owner to the source cluster''s owner'
  SELECT 1/0 AS "bootstrap.owner is not a role of the recovered database";
\endif
SELECT count(*) = 1 AS database_exists FROM pg_database WHERE datname = :'app_database' \gset
\if :database_exists
\else
  \echo 'bootstrap.database' :'app_database' 'is not a database of the recovered cluster: set bootstrap.database to the source cluster''s'
  SELECT 1/0 AS "bootstrap.database is not a database of the recovered cluster";
\endif

ALTER ROLE postgres WITH PASSWORD :'superuser_password';
ALTER ROLE replicator WITH LOGIN REPLICATION PASSWORD :'replication_password';
ALTER ROLE pgbouncer_auth WITH LOGIN PASSWORD :'pooler_password';
ALTER ROLE :"app_owner" WITH LOGIN PASSWORD :'app_password';
ALTER ROLE learningdb_maintenance WITH LOGIN PASSWORD :'maintenance_password';
-- the source's replicas' slots came with the data: this cluster's replicas create their own
SELECT count(pg_drop_replication_slot(slot_name)) AS dropped_slots FROM pg_replication_slots WHERE NOT active;
