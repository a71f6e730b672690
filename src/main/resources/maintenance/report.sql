-- LearningDB performance report for LearningDatabase {{CLUSTER}}, rendered by the operator from
-- spec.maintenance.report and run by CronJob {{CRONJOB}} as: psql -X -f report.sql
--
-- A compact text report of the application database — the statements with the most total time, indexes never
-- scanned, the biggest tables and partitions, and the tables with the most dead tuples — kept in
-- learningdb.reports (the last 12; the operator copies the newest into ConfigMap <name>-report) and printed to
-- this job's log. Statistics only: the maintenance role reads them through pg_read_all_stats and the views of
-- schema learningdb, never a row of the application's tables.
\set ON_ERROR_STOP on
\pset pager off
SET lock_timeout = '10s';
SET statement_timeout = '5min';

WITH statements AS (
  SELECT calls, total_ms, mean_ms, rows, left(query, 160) AS query
  FROM learningdb.slow_queries
  ORDER BY total_ms DESC
  LIMIT 10
), unused AS (
  SELECT schemaname, table_name, index_name, size, size_bytes
  FROM learningdb.index_usage_stats
  WHERE unused
  ORDER BY size_bytes DESC
  LIMIT 10
), biggest AS (
  SELECT schemaname, table_name, partition_of, total_size, total_bytes
  FROM learningdb.table_stats
  ORDER BY total_bytes DESC
  LIMIT 10
), bloated AS (
  SELECT schemaname, table_name, dead_tuples, dead_ratio, last_vacuum
  FROM learningdb.table_stats
  WHERE dead_tuples >= 1000
  ORDER BY dead_ratio DESC, dead_tuples DESC
  LIMIT 10
)
INSERT INTO learningdb.reports (body)
SELECT concat_ws(E'\n',
  format('LearningDB report: %s, database %s, %s', '{{CLUSTER}}', current_database(),
         to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI "UTC"')),
  '',
  format('Top statements by total time (statistics since %s):',
         coalesce((SELECT to_char(stats_reset AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI "UTC"') FROM pg_stat_statements_info),
                  'the server started')),
  coalesce((SELECT string_agg(format('  %s ms total, %s calls, %s ms mean, %s rows: %s', total_ms, calls, mean_ms, rows, query),
                              E'\n' ORDER BY total_ms DESC) FROM statements), '  none recorded'),
  '',
  'Indexes never scanned (not enforcing a constraint; check the replicas too before dropping one):',
  coalesce((SELECT string_agg(format('  %s (%s) on %I.%I', index_name, size, schemaname, table_name),
                              E'\n' ORDER BY size_bytes DESC) FROM unused), '  none'),
  '',
  'Biggest tables and partitions:',
  coalesce((SELECT string_agg(format('  %I.%I%s: %s', schemaname, table_name,
                                     coalesce(' (partition of ' || partition_of || ')', ''), total_size),
                              E'\n' ORDER BY total_bytes DESC) FROM biggest), '  none'),
  '',
  'Most dead tuples (at least 1,000):',
  coalesce((SELECT string_agg(format('  %I.%I: %s dead (%s%%), last vacuum %s', schemaname, table_name, dead_tuples,
                                     round(dead_ratio * 100, 1),
                                     coalesce(to_char(last_vacuum AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI "UTC"'), 'never')),
                              E'\n' ORDER BY dead_ratio DESC, dead_tuples DESC) FROM bloated), '  none')
)
RETURNING id AS report_id \gset

DELETE FROM learningdb.reports WHERE id <= :report_id - 12;

\pset format unaligned
\pset tuples_only on
SELECT body FROM learningdb.reports WHERE id = :report_id;
