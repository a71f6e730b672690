-- LearningDB vacuum for LearningDatabase {{CLUSTER}}, rendered by the operator from spec.maintenance.vacuum and
-- run by CronJob {{CRONJOB}} as: psql -X -f vacuum.sql
--
-- VACUUM (ANALYZE) of every table owned by the application owner whose dead tuples exceed
-- {{RATIO}} x live tuples and number at least {{MIN_DEAD}}, worst first. VACUUM cannot run inside a function,
-- a transaction or a multi-statement string: each is its own statement (psql \gexec).
\set ON_ERROR_STOP on
\set owner '{{OWNER}}'
SET lock_timeout = '10s';
SET ROLE :"owner";

CREATE TEMP TABLE vacuum_plan AS
SELECT s.relid::regclass AS tbl, s.n_live_tup, s.n_dead_tup
FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
WHERE pg_has_role(c.relowner, 'USAGE')
  AND s.n_dead_tup >= {{MIN_DEAD}}
  AND s.n_dead_tup > {{RATIO}} * greatest(s.n_live_tup, 1);

\echo 'tables to vacuum:'
SELECT tbl, n_live_tup, n_dead_tup FROM vacuum_plan ORDER BY n_dead_tup DESC;
SELECT format('VACUUM (ANALYZE) %s', tbl) FROM vacuum_plan ORDER BY n_dead_tup DESC \gexec
SELECT format('vacuumed %s table(s)', count(*)) AS result FROM vacuum_plan;
