package io.learningdb.operator.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.learningdb.operator.model.LearningDatabase;
import io.learningdb.operator.resources.Fixtures;
import io.learningdb.operator.resources.MaintenanceTask;

/**
 * The maintenance SQL the operator renders, run by psql with each CronJob's exact command and environment against
 * a real primary, as the least-privileged maintenance role.
 */
class MaintenanceSqlTest {

    static LoopbackTopology topo;
    static final String OWNER = "learning_app";
    static final LocalDate THIS_MONTH = LocalDate.now(ZoneOffset.UTC).withDayOfMonth(1);

    @BeforeAll
    static void up() throws Exception {
        RealPostgres.assumeAvailable();
        topo = LoopbackTopology.create(spec("""
                partitioning:
                  tables:
                    - table: public.analytics_events
                      column: ts
                      retention: 18
                    - table: activity_logs
                      column: ts
                      premake: 2
                      retention: 2
                      retentionPolicy: drop
                    - table: public.page_views
                      column: day
                      interval: daily
                      premake: 7
                      retention: 3
                materializedViews: {}
                maintenance:
                  vacuum:
                    deadTupleRatio: 0.2
                    minDeadTuples: 500
                  report: {}
                """));
        topo.startPrimary("mnt-0");
    }

    static LearningDatabase spec(String extra) {
        return Fixtures.ldb("mnt", "replicas: 0\nbootstrap:\n  database: learning\n  owner: " + OWNER + "\n" + extra);
    }

    @AfterAll
    static void down() {
        if (topo != null) {
            topo.close();
        }
    }

    static Connection owner() throws SQLException {
        return topo.connect("mnt-0", OWNER, topo.password("app"), "learning");
    }

    static void exec(Connection c, String... sql) throws SQLException {
        for (String s : sql) {
            c.createStatement().execute(s);
        }
    }

    static List<String> strings(Connection c, String sql) throws SQLException {
        var result = new ArrayList<String>();
        try (ResultSet rs = c.createStatement().executeQuery(sql)) {
            while (rs.next()) {
                result.add(rs.getString(1));
            }
        }
        return result;
    }

    static long count(Connection c, String sql) throws SQLException {
        return Long.parseLong(strings(c, sql).get(0));
    }

    static String month(LocalDate d) {
        return String.format("%d_%02d", d.getYear(), d.getMonthValue());
    }

    /** Partitions of a table with their row counts. */
    static Map<String, Long> partitions(Connection c, String table) throws SQLException {
        var result = new LinkedHashMap<String, Long>();
        for (String p : strings(c, "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                + "WHERE i.inhparent = '" + table + "'::regclass ORDER BY 1")) {
            result.put(p, count(c, "SELECT count(*) FROM " + p));
        }
        return result;
    }

    @Test
    void partitionRolloverCreatesFuturePartitionsRetiresExpiredOnesLosesNoRowAndIsIdempotent() throws Exception {
        try (Connection c = owner()) {
            exec(c, "CREATE TABLE analytics_events (ts timestamptz NOT NULL, user_id bigint, v int) PARTITION BY RANGE (ts)",
                    "CREATE TABLE analytics_events_default PARTITION OF analytics_events DEFAULT",
                    "CREATE TABLE activity_logs (ts timestamptz NOT NULL, what text) PARTITION BY RANGE (ts)",
                    "CREATE TABLE page_views (day date NOT NULL, n int) PARTITION BY RANGE (day)");
            // 24 past months of analytics with 100 rows each, 5 past months of activity logs, 10 past days of page views
            for (int i = 24; i >= 0; i--) {
                LocalDate m = THIS_MONTH.minusMonths(i);
                exec(c, "CREATE TABLE analytics_events_" + month(m) + " PARTITION OF analytics_events FOR VALUES FROM ('"
                        + m + " 00:00+00') TO ('" + m.plusMonths(1) + " 00:00+00')",
                        "INSERT INTO analytics_events SELECT '" + m + " 12:00+00'::timestamptz + g * interval '1 minute', g, g "
                                + "FROM generate_series(1, 100) g");
            }
            for (int i = 5; i >= 0; i--) {
                LocalDate m = THIS_MONTH.minusMonths(i);
                exec(c, "CREATE TABLE activity_logs_" + month(m) + " PARTITION OF activity_logs FOR VALUES FROM ('"
                        + m + " 00:00+00') TO ('" + m.plusMonths(1) + " 00:00+00')",
                        "INSERT INTO activity_logs VALUES ('" + m + " 08:00+00', 'login')");
            }
            LocalDate today = LocalDate.now(ZoneOffset.UTC);
            for (int i = 10; i >= 0; i--) {
                LocalDate d = today.minusDays(i);
                exec(c, "CREATE TABLE page_views_" + d.toString().replace('-', '_') + " PARTITION OF page_views FOR VALUES FROM ('"
                        + d + "') TO ('" + d.plusDays(1) + "')", "INSERT INTO page_views VALUES ('" + d + "', 1)");
            }
            long totalBefore = count(c, "SELECT count(*) FROM analytics_events");

            var run = topo.runMaintenance(MaintenanceTask.PARTITION_ROLLOVER, "mnt-0");
            assertThat(run.exitCode()).as(run.output()).isZero();

            var analytics = partitions(c, "analytics_events");
            // current + 3 future months exist; the 18 previous months are kept; older ones are detached
            for (int i = 1; i <= 3; i++) {
                assertThat(analytics).containsKey("analytics_events_" + month(THIS_MONTH.plusMonths(i)));
            }
            for (int i = 0; i <= 18; i++) {
                assertThat(analytics).as("kept month -%d", i).containsEntry("analytics_events_" + month(THIS_MONTH.minusMonths(i)), 100L);
            }
            for (int i = 19; i <= 24; i++) {
                String expired = "analytics_events_" + month(THIS_MONTH.minusMonths(i));
                assertThat(analytics).doesNotContainKey(expired);
                assertThat(count(c, "SELECT count(*) FROM " + expired)).as("detached, not deleted").isEqualTo(100);
            }
            assertThat(count(c, "SELECT count(*) FROM analytics_events") + 6 * 100).isEqualTo(totalBefore);
            // new partitions belong to the application owner, not the maintenance role
            assertThat(strings(c, "SELECT pg_get_userbyid(relowner) FROM pg_class WHERE relname = 'analytics_events_"
                    + month(THIS_MONTH.plusMonths(3)) + "'")).containsExactly(OWNER);

            var logs = partitions(c, "activity_logs");
            assertThat(logs).containsKeys("activity_logs_" + month(THIS_MONTH.plusMonths(2)),
                    "activity_logs_" + month(THIS_MONTH.minusMonths(2)));
            assertThat(strings(c, "SELECT relname FROM pg_class WHERE relname = 'activity_logs_" + month(THIS_MONTH.minusMonths(3)) + "'"))
                    .as("retentionPolicy drop removes the table").isEmpty();

            var views = partitions(c, "page_views");
            assertThat(views).containsKey("page_views_" + today.plusDays(7).toString().replace('-', '_'));
            assertThat(views).doesNotContainKey("page_views_" + today.minusDays(4).toString().replace('-', '_'));
            assertThat(count(c, "SELECT count(*) FROM page_views_" + today.minusDays(4).toString().replace('-', '_')))
                    .as("detached CONCURRENTLY (no default partition), rows kept").isEqualTo(1);

            // a second run changes nothing
            var before = List.of(partitions(c, "analytics_events"), partitions(c, "activity_logs"), partitions(c, "page_views"));
            var again = topo.runMaintenance(MaintenanceTask.PARTITION_ROLLOVER, "mnt-0");
            assertThat(again.exitCode()).as(again.output()).isZero();
            assertThat(again.output()).contains("partition rollover done: 0 change(s)");
            assertThat(List.of(partitions(c, "analytics_events"), partitions(c, "activity_logs"), partitions(c, "page_views")))
                    .isEqualTo(before);
        }
    }

    @Test
    void aDetachInterruptedByATimeoutIsFinalizedByTheNextRunInsteadOfWedgingEveryLaterOne() throws Exception {
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        String stuck = "lesson_events_" + today.minusDays(9).toString().replace('-', '_');
        try (Connection c = owner()) {
            exec(c, "CREATE TABLE lesson_events (day date NOT NULL, n int) PARTITION BY RANGE (day)");
            for (int i = 10; i >= 0; i--) {
                LocalDate d = today.minusDays(i);
                exec(c, "CREATE TABLE lesson_events_" + d.toString().replace('-', '_') + " PARTITION OF lesson_events FOR VALUES FROM ('"
                        + d + "') TO ('" + d.plusDays(1) + "')", "INSERT INTO lesson_events VALUES ('" + d + "', 1)");
            }
            // a reader holds the partition while DETACH ... CONCURRENTLY waits for it; the detach times out between
            // its two transactions and leaves the partition "pending detach"
            try (Connection reader = owner()) {
                reader.setAutoCommit(false);
                exec(reader, "SELECT count(*) FROM lesson_events"); // a snapshot that has seen the partition
                exec(c, "SET statement_timeout = '1s'");
                assertThatThrownBy(() -> exec(c, "ALTER TABLE lesson_events DETACH PARTITION " + stuck + " CONCURRENTLY"))
                        .hasMessageContaining("statement timeout");
                exec(c, "RESET statement_timeout");
                reader.rollback();
            }
            assertThat(strings(c, "SELECT inhdetachpending::text FROM pg_inherits WHERE inhrelid = '" + stuck + "'::regclass"))
                    .containsExactly("true");
        }
        var spec = LoopbackTopologyAccess.withSpec(topo, spec("""
                partitioning:
                  tables:
                    - {table: lesson_events, column: day, interval: daily, premake: 2, retention: 3}
                """));
        var run = spec.runMaintenance(MaintenanceTask.PARTITION_ROLLOVER, "mnt-0");
        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output()).contains("finish the interrupted detach of partition " + stuck);
        try (Connection c = owner()) {
            var left = partitions(c, "lesson_events");
            assertThat(left).doesNotContainKey(stuck);
            // the other expired days were detached in the same run; every row is still there
            assertThat(left).doesNotContainKey("lesson_events_" + today.minusDays(4).toString().replace('-', '_'))
                    .containsKey("lesson_events_" + today.minusDays(3).toString().replace('-', '_'))
                    .containsKey("lesson_events_" + today.plusDays(2).toString().replace('-', '_'));
            assertThat(count(c, "SELECT count(*) FROM " + stuck)).isEqualTo(1);
            var again = spec.runMaintenance(MaintenanceTask.PARTITION_ROLLOVER, "mnt-0");
            assertThat(again.exitCode()).as(again.output()).isZero();
            assertThat(again.output()).contains("partition rollover done: 0 change(s)");
        }
    }

    @Test
    void badTablesAreReportedClearlyWhileTheOthersAreStillHandledAndNoRowMoves() throws Exception {
        try (Connection c = owner()) {
            exec(c, "CREATE TABLE plain_table (ts timestamptz)",
                    "CREATE TABLE quiz_events (ts timestamptz NOT NULL) PARTITION BY RANGE (ts)",
                    "CREATE TABLE quiz_events_default PARTITION OF quiz_events DEFAULT",
                    "INSERT INTO quiz_events VALUES ('" + THIS_MONTH.plusMonths(1) + " 10:00+00')",
                    "CREATE TABLE good_events (ts timestamptz NOT NULL) PARTITION BY RANGE (ts)");
        }
        var bad = LoopbackTopologyAccess.withSpec(topo, spec("""
                partitioning:
                  tables:
                    - {table: public.no_such_table, column: ts}
                    - {table: plain_table, column: ts}
                    - {table: quiz_events, column: ts, premake: 1}
                    - {table: good_events, column: ts, premake: 1}
                """));
        var run = bad.runMaintenance(MaintenanceTask.PARTITION_ROLLOVER, "mnt-0");
        assertThat(run.exitCode()).as(run.output()).isNotZero();
        assertThat(run.output())
                .contains("public.no_such_table: table does not exist in database learning")
                .contains("plain_table: table is not partitioned")
                .contains("quiz_events: 1 rows in default partition quiz_events_default fall into");
        try (Connection c = owner()) {
            assertThat(partitions(c, "good_events")).hasSize(2);
            assertThat(partitions(c, "quiz_events")).containsEntry("quiz_events_default", 1L)
                    .containsKey("quiz_events_" + month(THIS_MONTH));
        }
    }

    @Test
    void viewsRefreshInDependencyOrderConcurrentlyWhereSupportedWhileReadersKeepReading() throws Exception {
        try (Connection c = owner()) {
            exec(c, "CREATE TABLE enrollments (user_id bigint, course_id int)",
                    "INSERT INTO enrollments SELECT g, g % 50 FROM generate_series(1, 200000) g",
                    "CREATE MATERIALIZED VIEW mv_course_counts AS SELECT course_id, count(*) AS n FROM enrollments GROUP BY 1",
                    "CREATE UNIQUE INDEX ON mv_course_counts (course_id)",
                    "CREATE MATERIALIZED VIEW mv_total AS SELECT 1 AS id, sum(n) AS total FROM mv_course_counts",
                    "CREATE UNIQUE INDEX ON mv_total (id)",
                    "CREATE VIEW v_total AS SELECT total FROM mv_total",
                    "CREATE MATERIALIZED VIEW mv_report AS SELECT total * 2 AS doubled FROM v_total", // no unique index
                    "INSERT INTO enrollments SELECT g, g % 50 FROM generate_series(200001, 200100) g");
        }
        var reading = new AtomicBoolean(true);
        var reads = new AtomicInteger();
        var readError = new AtomicReference<Throwable>();
        Thread reader = new Thread(() -> {
            try (Connection r = owner()) {
                while (reading.get()) {
                    count(r, "SELECT sum(n) FROM mv_course_counts");
                    reads.incrementAndGet();
                }
            } catch (Throwable t) {
                readError.set(t);
            }
        });
        reader.start();
        var run = topo.runMaintenance(MaintenanceTask.REFRESH_VIEWS, "mnt-0");
        reading.set(false);
        reader.join();
        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(readError.get()).isNull();
        assertThat(reads.get()).isPositive();
        assertThat(run.output()).containsPattern("mv_course_counts\\s*\\|\\s*concurrently")
                .containsPattern("mv_report\\s*\\|\\s*plain").contains("refreshed");
        try (Connection c = owner()) {
            // one run reached the end of the chain: every level saw its parent's fresh data
            assertThat(count(c, "SELECT doubled FROM mv_report")).isEqualTo(2 * 200100);
        }
        var missing = LoopbackTopologyAccess.withSpec(topo, spec("materializedViews:\n  views: [mv_total, mv_nope]\n"))
                .runMaintenance(MaintenanceTask.REFRESH_VIEWS, "mnt-0");
        assertThat(missing.exitCode()).isNotZero();
        assertThat(missing.output()).contains("materialized views not found").contains("mv_nope");
    }

    @Test
    void vacuumTakesOnlyTablesOverTheDeadTupleThreshold() throws Exception {
        try (Connection c = owner()) {
            exec(c, "CREATE TABLE bloated (id int PRIMARY KEY, v int) WITH (autovacuum_enabled = false)",
                    "CREATE TABLE healthy (id int PRIMARY KEY, v int) WITH (autovacuum_enabled = false)",
                    "INSERT INTO bloated SELECT g, 0 FROM generate_series(1, 20000) g",
                    "INSERT INTO healthy SELECT g, 0 FROM generate_series(1, 20000) g",
                    "UPDATE bloated SET v = 1",
                    "UPDATE healthy SET v = 1 WHERE id <= 1000",
                    "SELECT pg_stat_force_next_flush()");
        }
        Thread.sleep(1500);
        var run = topo.runMaintenance(MaintenanceTask.VACUUM, "mnt-0");
        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output()).contains("bloated").doesNotContain("healthy");
        Thread.sleep(1500);
        try (Connection c = owner()) {
            assertThat(count(c, "SELECT vacuum_count FROM pg_stat_user_tables WHERE relname = 'bloated'")).isEqualTo(1);
            assertThat(count(c, "SELECT vacuum_count FROM pg_stat_user_tables WHERE relname = 'healthy'")).isZero();
            assertThat(count(c, "SELECT n_dead_tup FROM pg_stat_user_tables WHERE relname = 'bloated'")).isZero();
        }
    }

    @Test
    void theReportNamesTheSlowestStatementTheUnusedIndexTheBiggestTablesAndTheBloatAndKeepsTheLastTwelve() throws Exception {
        try (Connection c = owner()) {
            exec(c, "CREATE TABLE course_progress (id int PRIMARY KEY, learner int, course int, pct int) "
                            + "WITH (autovacuum_enabled = false)",
                    "CREATE INDEX course_progress_by_course ON course_progress (course)",
                    "INSERT INTO course_progress SELECT g, g % 500, g % 40, 0 FROM generate_series(1, 30000) g",
                    "UPDATE course_progress SET pct = 10 WHERE id <= 20000",
                    "SELECT pg_sleep(0.4) AS learner_dashboard",
                    "SELECT pg_stat_force_next_flush()");
        }
        Thread.sleep(1500);
        var run = topo.runMaintenance(MaintenanceTask.REPORT, "mnt-0");
        assertThat(run.exitCode()).as(run.output()).isZero();
        String report = run.output();
        assertThat(report).contains("LearningDB report: " + topo.ldb().getMetadata().getNamespace() + "/mnt, database learning");
        assertThat(report).containsPattern("(?s)Top statements by total time.*learner_dashboard.*Indexes never scanned");
        assertThat(report).containsPattern("(?s)Indexes never scanned.*course_progress_by_course \\(\\d+ kB\\) on public.course_progress"
                + ".*Biggest tables");
        assertThat(report).containsPattern("(?s)Biggest tables and partitions:\\n  public.course_progress: \\d+ (kB|MB)");
        assertThat(report).containsPattern("(?s)Most dead tuples.*public.course_progress: 20000 dead \\(40.0%\\), last vacuum never");
        assertThat(report).as("statistics, never a row of the application's tables").doesNotContain("learner_id");
        try (Connection c = owner()) {
            String kept = strings(c, "SELECT body FROM learningdb.reports ORDER BY id DESC LIMIT 1").get(0);
            assertThat(report.strip()).as("the job's log ends with the report kept where the operator reads it").endsWith(kept);
            assertThat(kept).startsWith("LearningDB report: ");
        }
        for (int i = 0; i < 12; i++) {
            assertThat(topo.runMaintenance(MaintenanceTask.REPORT, "mnt-0").exitCode()).isZero();
        }
        try (Connection c = owner()) {
            assertThat(count(c, "SELECT count(*) FROM learningdb.reports")).as("the last twelve").isEqualTo(12);
        }
    }
}
