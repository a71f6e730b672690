-- LearningDB materialized-view refresh for LearningDatabase {{CLUSTER}}, rendered by the operator from
-- spec.materializedViews and run by CronJob {{CRONJOB}} as: psql -X -f refresh-views.sql
--
-- Views are refreshed in dependency order (a view after every materialized view it reads, directly or through
-- plain views), CONCURRENTLY when the view is populated and has a unique index on plain columns (readers keep
-- reading), plainly otherwise. Each refresh is a statement of its own with lock_timeout, so it never waits long
-- behind the platform's locks.
\set ON_ERROR_STOP on
\set owner '{{OWNER}}'
SET lock_timeout = '{{LOCK_TIMEOUT}}';
SET ROLE :"owner";

CREATE TEMP TABLE refresh_requested (name text);
INSERT INTO refresh_requested (name) VALUES {{VIEWS}};

CREATE TEMP TABLE refresh_plan AS
WITH RECURSIVE
rel AS (
  SELECT c.oid, c.relkind, c.relispopulated
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('m', 'v') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
),
edge AS (  -- child reads parent
  SELECT DISTINCT r.ev_class AS child, d.refobjid AS parent
  FROM pg_rewrite r
  JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = r.oid AND d.refclassid = 'pg_class'::regclass
  JOIN rel p ON p.oid = d.refobjid
  WHERE d.refobjid <> r.ev_class
),
depth (oid, level) AS (
  SELECT oid, 0 FROM rel
  UNION ALL
  SELECT e.child, depth.level + 1 FROM depth JOIN edge e ON e.parent = depth.oid
)
SELECT rel.oid::regclass AS view,
       max(depth.level) AS level,
       rel.relispopulated AND EXISTS (
         SELECT 1 FROM pg_index i
         WHERE i.indrelid = rel.oid AND i.indisunique AND i.indisvalid AND i.indpred IS NULL AND i.indexprs IS NULL
       ) AS use_concurrently
FROM rel JOIN depth USING (oid)
WHERE rel.relkind = 'm'
  AND pg_has_role((SELECT relowner FROM pg_class WHERE oid = rel.oid), 'USAGE')
  AND (NOT EXISTS (SELECT 1 FROM refresh_requested WHERE name IS NOT NULL)
       OR rel.oid IN (SELECT to_regclass(name) FROM refresh_requested))
GROUP BY rel.oid, rel.relispopulated;

\echo 'refresh order:'
SELECT level, view, CASE WHEN use_concurrently THEN 'concurrently' ELSE 'plain (no usable unique index)' END AS mode
FROM refresh_plan ORDER BY level, view::text;
SELECT format('REFRESH MATERIALIZED VIEW %s%s', CASE WHEN use_concurrently THEN 'CONCURRENTLY ' ELSE '' END, view)
FROM refresh_plan ORDER BY level, view::text \gexec

CREATE FUNCTION pg_temp.report() RETURNS text LANGUAGE plpgsql AS $fn$
DECLARE missing text;
BEGIN
  SELECT string_agg(name, ', ' ORDER BY name) INTO missing FROM refresh_requested
  WHERE name IS NOT NULL AND (to_regclass(name) IS NULL
        OR NOT EXISTS (SELECT 1 FROM refresh_plan WHERE view = to_regclass(name)));
  IF missing IS NOT NULL THEN
    RAISE EXCEPTION 'materialized views not found (or not owned by %): %', current_user, missing;
  END IF;
  RETURN format('refreshed %s materialized view(s)', (SELECT count(*) FROM refresh_plan));
END
$fn$;
SELECT pg_temp.report() AS result;
