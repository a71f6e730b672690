package io.learningdb.operator.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.learningdb.operator.postgres.LoopbackTopology;
import io.learningdb.operator.resources.Fixtures;

/**
 * Benchmark (not a test: Surefire does not pick up *Benchmark classes): the learning-platform sample's schema
 * (its init SQL, run by instance.sh as at bootstrap) on a real PostgreSQL, with ROWS analytics events spread over
 * 18 monthly partitions, and an unpartitioned copy with the same indexes. Measures one-month range queries,
 * the dashboard query on the materialized view vs the raw aggregation, and REFRESH (CONCURRENTLY or not).
 * Each timing is the median of 5 runs after a warm-up. Run with bench/partitioning.sh; results go to
 * bench/results/partitioning.md.
 */
public class PartitioningBenchmark {

    static final int ROWS = Integer.getInteger("bench.rows", 3_000_000);

    record Line(String what, String partitioned, String baseline, String note) {
    }

    @Test
    void partitionedVersusFlatAndViewVersusRaw() throws Exception {
        String initSql = sampleInitSql();
        var ldb = Fixtures.ldb("part", """
                replicas: 0
                bootstrap:
                  database: learning
                  owner: learning_app
                  initSQL:
                    name: learning-platform-schema
                    key: init.sql
                postgres:
                  parameters:
                    shared_buffers: 256MB
                    work_mem: 16MB
                    max_parallel_workers_per_gather: "2"
                """);
        try (var topo = LoopbackTopology.create(ldb)) {
            topo.initSql(initSql);
            topo.startPrimary("part-0");
            try (Connection c = topo.connect("part-0", "learning_app", topo.password("app"), "learning");
                    Statement s = c.createStatement()) {
                long t0 = System.nanoTime();
                load(s);
                double loadSeconds = (System.nanoTime() - t0) / 1e9;
                var lines = new ArrayList<Line>();
                String month = "ts >= date_trunc('month', now()) - interval '6 months' AND ts < date_trunc('month', now()) - interval '5 months'";
                lines.add(new Line("one-month count + avg (range on ts)",
                        ms(s, "SELECT count(*), avg(value) FROM analytics_events WHERE " + month),
                        ms(s, "SELECT count(*), avg(value) FROM analytics_events_flat WHERE " + month),
                        "flat table has the same btree on ts"));
                lines.add(new Line("one-month events of one user",
                        ms(s, "SELECT count(*) FROM analytics_events WHERE user_id = 4242 AND " + month),
                        ms(s, "SELECT count(*) FROM analytics_events_flat WHERE user_id = 4242 AND " + month),
                        "(user_id, ts) index on both"));
                lines.add(new Line("one-month count, date_trunc() on the key (no pruning)",
                        ms(s, "SELECT count(*) FROM analytics_events WHERE date_trunc('month', ts) = date_trunc('month', now()) - interval '6 months'"),
                        ms(s, "SELECT count(*) FROM analytics_events_flat WHERE date_trunc('month', ts) = date_trunc('month', now()) - interval '6 months'"),
                        "what not to write: every partition is scanned"));
                String dashboardView = "SELECT course_id, sum(events) AS events, max(users) AS peak_daily_users FROM daily_course_activity "
                        + "WHERE day >= current_date - 30 GROUP BY course_id ORDER BY events DESC LIMIT 10";
                String dashboardRaw = "SELECT course_id, sum(events), max(users) FROM (SELECT ts::date AS day, course_id, count(*) AS events, "
                        + "count(DISTINCT user_id) AS users FROM analytics_events WHERE ts >= current_date - 30 GROUP BY 1, 2) d "
                        + "GROUP BY course_id ORDER BY 2 DESC LIMIT 10";
                lines.add(new Line("dashboard: top courses, last 30 days (view vs raw aggregation)",
                        ms(s, dashboardView), ms(s, dashboardRaw), "view: daily_course_activity"));
                String refreshConcurrent = once(s, "REFRESH MATERIALIZED VIEW CONCURRENTLY daily_course_activity");
                String refreshPlain = once(s, "REFRESH MATERIALIZED VIEW daily_course_activity");
                lines.add(new Line("refresh daily_course_activity (CONCURRENTLY vs plain)", refreshConcurrent, refreshPlain,
                        "CONCURRENTLY keeps readers reading; plain takes an exclusive lock"));
                // what partitioning is for: retiring the oldest month (partition rollover's retention)
                String oldest = "date_trunc('month', now()) - interval '17 months'";
                String partition;
                try (var rs = s.executeQuery("SELECT 'analytics_events_' || to_char(" + oldest + ", 'YYYY_MM')")) {
                    rs.next();
                    partition = rs.getString(1);
                }
                String parts = partitions(s);
                String detach = once(s, "ALTER TABLE analytics_events DETACH PARTITION " + partition) ;
                String drop = once(s, "DROP TABLE " + partition);
                String delete = once(s, "DELETE FROM analytics_events_flat WHERE ts < " + oldest + " + interval '1 month'");
                lines.add(new Line("retire the oldest month (DETACH + DROP vs DELETE)", detach + " + " + drop, delete,
                        "DELETE also leaves dead tuples for VACUUM and bloats indexes"));
                write(lines, loadSeconds, parts);
            }
        }
    }

    public static String sampleInitSql() throws Exception {
        var ser = new KubernetesSerialization();
        for (String doc : Files.readString(Path.of("samples/learning-platform.yaml")).split("(?m)^---\\s*$")) {
            HasMetadata o = ser.unmarshal(doc, HasMetadata.class);
            if (o instanceof ConfigMap cm) {
                return cm.getData().get("init.sql");
            }
        }
        throw new IllegalStateException("no ConfigMap in samples/learning-platform.yaml");
    }

    /** 18 past months of partitions (as partition rollover would have left them), ROWS events, a flat copy. */
    static void load(Statement s) throws Exception {
        s.execute("""
                DO $$
                DECLARE m date := date_trunc('month', now())::date;
                BEGIN
                  FOR i IN 1..17 LOOP
                    EXECUTE format('CREATE TABLE IF NOT EXISTS %I PARTITION OF analytics_events FOR VALUES FROM (%L) TO (%L)',
                                   'analytics_events_' || to_char(m - make_interval(months => i), 'YYYY_MM'),
                                   m - make_interval(months => i), m - make_interval(months => i - 1));
                  END LOOP;
                END $$""");
        s.execute("INSERT INTO courses (title) SELECT 'course ' || g FROM generate_series(1, 500) g");
        s.execute("INSERT INTO analytics_events (ts, user_id, course_id, event_type, value) "
                + "SELECT date_trunc('month', now()) - interval '17 months' + (random() * (interval '17 months' + (now() - date_trunc('month', now())))), "
                + "(random() * 100000)::bigint, 1 + (random() * 499)::bigint, "
                + "(ARRAY['view','quiz','video','complete'])[1 + (random() * 3)::int], random() * 100 "
                + "FROM generate_series(1, " + ROWS + ")");
        s.execute("CREATE TABLE analytics_events_flat AS SELECT * FROM analytics_events");
        s.execute("CREATE INDEX ON analytics_events_flat (ts)");
        s.execute("CREATE INDEX ON analytics_events_flat (user_id, ts)");
        s.execute("REFRESH MATERIALIZED VIEW daily_course_activity");
        s.execute("ANALYZE");
    }

    static String partitions(Statement s) throws Exception {
        try (var rs = s.executeQuery("SELECT count(*) FROM pg_inherits WHERE inhparent = 'analytics_events'::regclass")) {
            rs.next();
            return rs.getString(1);
        }
    }

    static String ms(Statement s, String sql) throws Exception {
        run(s, sql);
        List<Double> t = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            long start = System.nanoTime();
            run(s, sql);
            t.add((System.nanoTime() - start) / 1e6);
        }
        t.sort(Double::compare);
        return String.format("%.1f ms", t.get(2));
    }

    static String once(Statement s, String sql) throws Exception {
        long start = System.nanoTime();
        s.execute(sql);
        return String.format("%.0f ms", (System.nanoTime() - start) / 1e6);
    }

    static void run(Statement s, String sql) throws Exception {
        try (var rs = s.executeQuery(sql)) {
            while (rs.next()) {
                rs.getObject(1);
            }
        }
    }

    static void write(List<Line> lines, double loadSeconds, String partitions) throws Exception {
        var out = new StringBuilder("# Partitioning and materialized views\n\n");
        out.append("Recorded ").append(LocalDate.now()).append(" on ").append(Runtime.getRuntime().availableProcessors())
                .append(" cores, PostgreSQL 15 on loopback (shared_buffers 256MB). Command: `bench/partitioning.sh`. ")
                .append("Schema: `samples/learning-platform.yaml`'s init SQL, run by instance.sh at bootstrap. ")
                .append(String.format("%,d", ROWS)).append(" analytics events over ").append(partitions)
                .append(" partitions (monthly: 17 past, the current and the next; plus default), loaded in ").append(String.format("%.0f", loadSeconds))
                .append(" s, plus an unpartitioned copy with the same indexes. Median of 5 runs after a warm-up (data cached).\n\n");
        out.append("| query | partitioned / view | unpartitioned / raw | note |\n| --- | ---: | ---: | --- |\n");
        for (Line l : lines) {
            out.append("| ").append(l.what()).append(" | ").append(l.partitioned()).append(" | ").append(l.baseline())
                    .append(" | ").append(l.note()).append(" |\n");
        }
        Files.createDirectories(Path.of("bench/results"));
        Files.writeString(Path.of("bench/results/partitioning.md"), out.toString());
    }
}
