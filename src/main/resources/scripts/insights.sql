-- LearningDB insights, in the application database: pg_stat_statements (preloaded by the operator) and the views
-- the operator owns in schema learningdb. Idempotent: run by bootstrap.sql on a new cluster, and safe to run again.
-- Run as the superuser; the views are read by the application owner and the maintenance role.
CREATE EXTENSION IF NOT EXISTS pg_stat_statements;
CREATE SCHEMA IF NOT EXISTS learningdb;
REVOKE ALL ON SCHEMA learningdb FROM PUBLIC;

-- Statements of this database by mean time; the text cut to 500 characters.
CREATE OR REPLACE VIEW learningdb.slow_queries AS
SELECT s.queryid,
       r.rolname AS role,
       s.calls,
       round(s.total_exec_time::numeric, 1) AS total_ms,
       round(s.mean_exec_time::numeric, 2) AS mean_ms,
       round(s.max_exec_time::numeric, 2) AS max_ms,
       s.rows,
       left(regexp_replace(s.query, '\s+', ' ', 'g'), 500) AS query
FROM pg_stat_statements s
JOIN pg_database d ON d.oid = s.dbid AND d.datname = current_database()
LEFT JOIN pg_roles r ON r.oid = s.userid
ORDER BY s.mean_exec_time DESC;

-- Every index with its scans since the statistics were reset; unused = never scanned and not enforcing a
-- constraint (primary key, unique, exclusion), so dropping it is worth a look.
CREATE OR REPLACE VIEW learningdb.index_usage_stats AS
SELECT i.schemaname,
       i.relname AS table_name,
       i.indexrelname AS index_name,
       i.idx_scan AS scans,
       pg_relation_size(i.indexrelid) AS size_bytes,
       pg_size_pretty(pg_relation_size(i.indexrelid)) AS size,
       (i.idx_scan = 0 AND NOT x.indisunique AND NOT x.indisprimary AND NOT x.indisexclusion) AS unused
FROM pg_stat_user_indexes i
JOIN pg_index x ON x.indexrelid = i.indexrelid
ORDER BY (i.idx_scan = 0) DESC, pg_relation_size(i.indexrelid) DESC;

-- Tables and partitions: size, live and dead tuples, the dead-tuple ratio, the last (auto)vacuum and analyze.
CREATE OR REPLACE VIEW learningdb.table_stats AS
SELECT t.schemaname,
       t.relname AS table_name,
       (SELECT p.relname FROM pg_inherits h JOIN pg_class p ON p.oid = h.inhparent WHERE h.inhrelid = t.relid) AS partition_of,
       pg_total_relation_size(t.relid) AS total_bytes,
       pg_size_pretty(pg_total_relation_size(t.relid)) AS total_size,
       t.n_live_tup AS live_tuples,
       t.n_dead_tup AS dead_tuples,
       round(t.n_dead_tup::numeric / greatest(t.n_live_tup + t.n_dead_tup, 1), 3) AS dead_ratio,
       greatest(t.last_vacuum, t.last_autovacuum) AS last_vacuum,
       greatest(t.last_analyze, t.last_autoanalyze) AS last_analyze
FROM pg_stat_user_tables t
ORDER BY pg_total_relation_size(t.relid) DESC;

-- The performance reports of the report task (maintenance/report.sql, run by the maintenance role): the last 12;
-- the operator copies the newest into ConfigMap <name>-report.
CREATE TABLE IF NOT EXISTS learningdb.reports (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  created_at timestamptz NOT NULL DEFAULT now(),
  body text NOT NULL
);

-- Reading other roles' statement texts needs pg_read_all_stats: the cluster has one application, so its owner and
-- the maintenance role get it (they see statistics, never data of other databases).
GRANT pg_read_all_stats TO :"app_owner", learningdb_maintenance;
GRANT USAGE ON SCHEMA learningdb TO :"app_owner", learningdb_maintenance;
GRANT SELECT ON ALL TABLES IN SCHEMA learningdb TO :"app_owner", learningdb_maintenance;
GRANT INSERT, DELETE ON learningdb.reports TO learningdb_maintenance;

-- The exporter sidecar's login: pg_monitor (statistics, settings, pg_stat_statements of every role) and these
-- views, nothing else. Created without a password; the operator sets it from Secret <name>-monitor (as a SCRAM
-- verifier computed on its side, so the password never appears in a statement or a log).
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'learningdb_monitor') THEN
    CREATE ROLE learningdb_monitor LOGIN CONNECTION LIMIT 3;
  END IF;
END
$$;
GRANT pg_monitor TO learningdb_monitor;
GRANT USAGE ON SCHEMA learningdb TO learningdb_monitor;
GRANT SELECT ON ALL TABLES IN SCHEMA learningdb TO learningdb_monitor;
