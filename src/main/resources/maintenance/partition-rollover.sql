-- LearningDB partition rollover for LearningDatabase {{CLUSTER}}, rendered by the operator from
-- spec.partitioning and run by CronJob {{CRONJOB}} as: psql -X -f partition-rollover.sql
--
-- For each table: create the current and the next `premake` partitions, retire partitions that ended more than
-- `retention` intervals before the current one (DETACH, and DROP only when retentionPolicy is drop). Partition
-- boundaries are UTC. Idempotent: a second run plans nothing. Every change is a statement of its own (psql
-- \gexec), outside any function or long transaction; lock_timeout keeps it from queueing behind the platform.
-- A missing or unpartitioned table, or rows in a DEFAULT partition that a new partition would cover, are
-- reported and make the job fail after the other tables were handled; nothing is moved or deleted for them.
\set ON_ERROR_STOP on
\set owner '{{OWNER}}'
SET lock_timeout = '10s';
SET TIME ZONE 'UTC';
SET ROLE :"owner";

CREATE TEMP TABLE rollover_spec (tbl text, col text, unit text, premake int, retention int, policy text);
INSERT INTO rollover_spec (tbl, col, unit, premake, retention, policy) VALUES
{{TABLES}};

CREATE FUNCTION pg_temp.rollover_plan() RETURNS TABLE (step int, statement text, note text)
LANGUAGE plpgsql AS $fn$
DECLARE
  s record; p record;
  rel regclass; kind "char"; strat "char"; natts int; keyname text; deflt regclass; relname text; nsp text;
  period interval; fmt text; cur timestamptz; lo timestamptz; hi timestamptz; cutoff timestamptz;
  pname text; n bigint;
BEGIN
  FOR s IN SELECT * FROM rollover_spec ORDER BY tbl LOOP
    rel := to_regclass(s.tbl);
    IF rel IS NULL THEN
      step := 0; statement := NULL;
      note := format('%s: table does not exist in database %s', s.tbl, current_database());
      RETURN NEXT; CONTINUE;
    END IF;
    SELECT c.relkind, c.relname, n.nspname INTO kind, relname, nsp
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = rel;
    IF kind <> 'p' THEN
      step := 0; statement := NULL;
      note := format('%s: table is not partitioned (it must be created with PARTITION BY RANGE (%I))', s.tbl, s.col);
      RETURN NEXT; CONTINUE;
    END IF;
    SELECT pt.partstrat, pt.partnatts, a.attname INTO strat, natts, keyname
      FROM pg_partitioned_table pt
      LEFT JOIN pg_attribute a ON a.attrelid = pt.partrelid AND a.attnum = pt.partattrs[0]
      WHERE pt.partrelid = rel;
    IF strat <> 'r' OR natts <> 1 OR keyname IS DISTINCT FROM s.col THEN
      step := 0; statement := NULL;
      note := format('%s: table is not range-partitioned on column %s alone', s.tbl, s.col);
      RETURN NEXT; CONTINUE;
    END IF;

    -- existing partitions and their bounds
    CREATE TEMP TABLE IF NOT EXISTS rollover_parts (part regclass, lower_bound timestamptz, upper_bound timestamptz,
                                                    is_default boolean, detach_pending boolean);
    TRUNCATE rollover_parts;
    INSERT INTO rollover_parts
      SELECT c.oid::regclass,
             (substring(pg_get_expr(c.relpartbound, c.oid) FROM $re$FROM \('([^']*)'\)$re$))::timestamptz,
             (substring(pg_get_expr(c.relpartbound, c.oid) FROM $re$TO \('([^']*)'\)$re$))::timestamptz,
             pg_get_expr(c.relpartbound, c.oid) = 'DEFAULT',
             i.inhdetachpending
      FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
      WHERE i.inhparent = rel;
    SELECT part INTO deflt FROM rollover_parts WHERE is_default;

    period := CASE s.unit WHEN 'daily' THEN interval '1 day' ELSE interval '1 month' END;
    fmt := CASE s.unit WHEN 'daily' THEN 'YYYY_MM_DD' ELSE 'YYYY_MM' END;
    cur := date_trunc(CASE s.unit WHEN 'daily' THEN 'day' ELSE 'month' END, now());

    FOR k IN 0 .. s.premake LOOP
      lo := cur + k * period;
      hi := lo + period;
      CONTINUE WHEN EXISTS (SELECT 1 FROM rollover_parts
                            WHERE NOT is_default
                              AND coalesce(lower_bound, '-infinity') < hi AND coalesce(upper_bound, 'infinity') > lo);
      pname := relname || '_' || to_char(lo, fmt);
      IF deflt IS NOT NULL THEN
        EXECUTE format('SELECT count(*) FROM %s WHERE %I >= %L AND %I < %L', deflt, s.col, lo, s.col, hi) INTO n;
        IF n > 0 THEN
          step := 0; statement := NULL;
          note := format('%s: %s rows in default partition %s fall into [%s, %s): move them into partition %I.%I '
                         '(create it detached, move the rows, attach it) so rollover can continue',
                         s.tbl, n, deflt, lo, hi, nsp, pname);
          RETURN NEXT; CONTINUE;
        END IF;
      END IF;
      step := 1;
      statement := format('CREATE TABLE IF NOT EXISTS %I.%I PARTITION OF %s FOR VALUES FROM (%L) TO (%L)',
                          nsp, pname, rel, lo, hi);
      note := format('%s: create partition %I.%I for [%s, %s)', s.tbl, nsp, pname, lo, hi);
      RETURN NEXT;
    END LOOP;

    -- A DETACH ... CONCURRENTLY interrupted in its second transaction (lock_timeout, a cancelled job, a restart)
    -- leaves the partition "pending detach": every later DETACH of that table fails until it is finalized. Finish
    -- it first, whatever its age: detaching it was already decided.
    FOR p IN SELECT * FROM rollover_parts WHERE detach_pending ORDER BY upper_bound LOOP
      step := 2;
      statement := format('ALTER TABLE %s DETACH PARTITION %s FINALIZE', rel, p.part);
      note := format('%s: finish the interrupted detach of partition %s', s.tbl, p.part);
      RETURN NEXT;
      IF s.policy = 'drop' AND s.retention IS NOT NULL AND p.upper_bound IS NOT NULL
         AND p.upper_bound <= cur - s.retention * period THEN
        step := 4;
        statement := format('DROP TABLE %s', p.part);
        note := format('%s: drop detached partition %s (retentionPolicy drop)', s.tbl, p.part);
        RETURN NEXT;
      END IF;
    END LOOP;

    IF s.retention IS NOT NULL THEN
      cutoff := cur - s.retention * period;
      FOR p IN SELECT * FROM rollover_parts WHERE NOT is_default AND NOT detach_pending AND upper_bound IS NOT NULL
                 AND upper_bound <= cutoff
               ORDER BY upper_bound LOOP
        step := 3;
        -- CONCURRENTLY does not block the platform's queries, but PostgreSQL refuses it next to a DEFAULT partition
        statement := format('ALTER TABLE %s DETACH PARTITION %s%s', rel, p.part,
                            CASE WHEN deflt IS NULL THEN ' CONCURRENTLY' ELSE '' END);
        note := format('%s: detach partition %s (ended %s, retention %s)', s.tbl, p.part, p.upper_bound, s.retention);
        RETURN NEXT;
        IF s.policy = 'drop' THEN
          step := 4;
          statement := format('DROP TABLE %s', p.part);
          note := format('%s: drop detached partition %s (retentionPolicy drop)', s.tbl, p.part);
          RETURN NEXT;
        END IF;
      END LOOP;
    END IF;
  END LOOP;
END
$fn$;

CREATE TEMP TABLE rollover AS SELECT * FROM pg_temp.rollover_plan();
\echo 'partition rollover plan (empty when everything is in place):'
SELECT note AS planned FROM rollover WHERE statement IS NOT NULL ORDER BY step, note;
SELECT statement FROM rollover WHERE statement IS NOT NULL ORDER BY step, note \gexec

CREATE FUNCTION pg_temp.report() RETURNS text LANGUAGE plpgsql AS $fn$
DECLARE problems text;
BEGIN
  SELECT string_agg(note, E'\n' ORDER BY note) INTO problems FROM rollover WHERE statement IS NULL;
  IF problems IS NOT NULL THEN
    RAISE EXCEPTION E'partition rollover could not handle every table:\n%', problems;
  END IF;
  RETURN format('partition rollover done: %s change(s)', (SELECT count(*) FROM rollover));
END
$fn$;
SELECT pg_temp.report() AS result;
