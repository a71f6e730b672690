package io.learningdb.operator.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.learningdb.operator.resources.Fixtures;
import io.learningdb.operator.resources.InstanceStatefulSet;
import io.learningdb.operator.resources.Names;

/**
 * The exporter sidecar as the pod runs it — postgres_exporter 0.11.1 (Debian's package of the image's release) with
 * the operator's arguments, environment and exporter-queries.yaml, over the instance's Unix socket as
 * learningdb_monitor with the password the operator sets — against real PostgreSQL. Fails when a metric that an
 * alert rule of the chart names is not emitted.
 */
class ExporterTest {

    static final Path EXPORTER = Path.of("/usr/bin/prometheus-postgres-exporter");
    static LoopbackTopology topo;
    static Process exporter;
    static int port;

    @BeforeAll
    static void up() throws Exception {
        RealPostgres.assumeAvailable();
        if (!Files.isExecutable(EXPORTER)) {
            if ("true".equals(System.getenv("CI"))) {
                throw new IllegalStateException("CI must run the exporter test: apt-get install prometheus-postgres-exporter");
            }
            org.junit.jupiter.api.Assumptions.assumeTrue(false, "prometheus-postgres-exporter not installed: see .ci/run");
        }
        topo = LoopbackTopology.create(Fixtures.ldb("mon", """
                replicas: 0
                bootstrap:
                  database: learning
                  owner: learning_app
                """));
        topo.startPrimary("mon-0");
        // what the operator does once the primary answers: the insights objects, the monitor role's password
        try (Connection c = topo.connect("mon-0", "postgres", topo.password("superuser"), "learning")) {
            Insights.ensure(c, "learning_app", new Login(Names.MONITOR_USER, "monitor-secret-password"));
        }
        Path passFile = topo.base().resolve("monitor-password");
        Files.writeString(passFile, "monitor-secret-password");
        try (var s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        // the container's arguments and environment, with the pod's paths and port pointed at the fixture's
        Path scripts = topo.base().resolve("scripts");
        var args = new ArrayList<String>(List.of(EXPORTER.toString()));
        for (String a : InstanceStatefulSet.exporterArgs()) {
            args.add(a.replace("=:" + InstanceStatefulSet.EXPORTER_PORT, "=127.0.0.1:" + port)
                    .replace(InstanceStatefulSet.SCRIPTS_MOUNT, scripts.toString()));
        }
        var env = new LinkedHashMap<String, String>();
        for (var e : InstanceStatefulSet.exporterEnv(topo.ldb())) {
            env.put(e.getName(), e.getValue()
                    .replace(":" + Names.POSTGRES_PORT + "/", ":" + topo.instance("mon-0").port() + "/")
                    .replace("host=" + InstanceStatefulSet.SOCKET_DIR, "host=" + topo.instance("mon-0").dir().resolve("sock"))
                    .replace(InstanceStatefulSet.SECRETS_MOUNT + "/monitor/password", passFile.toString()));
        }
        var pb = new ProcessBuilder(args).redirectErrorStream(true)
                .redirectOutput(topo.base().resolve("exporter.log").toFile());
        pb.environment().putAll(env);
        exporter = pb.start();
    }

    @AfterAll
    static void down() {
        if (exporter != null) {
            exporter.destroy();
        }
        if (topo != null) {
            topo.close();
        }
    }

    static String scrape() throws Exception {
        var response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        return response.body();
    }

    static Set<String> names(String body) {
        var names = new TreeSet<String>();
        for (String line : body.split("\n")) {
            if (!line.startsWith("#") && !line.isBlank()) {
                names.add(line.split("[{ ]", 2)[0]);
            }
        }
        return names;
    }

    /** The database metric names the chart's alert rules and its Grafana dashboard use. */
    static Set<String> alertMetrics() throws Exception {
        return io.learningdb.operator.install.ChartMetrics.named("\\b(learningdb_pg_[a-z_]+|pg_[a-z_]+)\\b");
    }

    @Test
    void everyMetricTheAlertsAndTheIssueNameIsEmittedFromRealStatistics() throws Exception {
        try (Connection c = topo.connect("mon-0", "learning_app", topo.password("app"), "learning")) {
            c.createStatement().execute("CREATE TABLE course_events (id bigint PRIMARY KEY, learner int, kind text)");
            c.createStatement().execute("CREATE INDEX course_events_kind ON course_events (kind)");
            c.createStatement().execute("INSERT INTO course_events SELECT g, g % 100, 'view' FROM generate_series(1, 4000) g");
            c.createStatement().execute("DELETE FROM course_events WHERE id <= 3000");
            for (int i = 0; i < 3; i++) {
                c.createStatement().executeQuery("SELECT pg_sleep(0.1) /* slow report */").close();
            }
        }
        try (Connection su = topo.superuser("mon-0")) {
            su.createStatement().executeQuery("SELECT pg_stat_force_next_flush()").close();
        }
        var expected = new TreeSet<>(alertMetrics());
        assertThat(expected).as("the chart's database alerts and dashboard").contains("learningdb_pg_table_total_bytes",
                "pg_stat_database_blks_hit", "learningdb_pg_connections_used",
                "learningdb_pg_xid_wraparound_remaining", "learningdb_pg_table_dead_ratio", "learningdb_pg_statement_calls");
        // the issue's list: connections by state and the limit, transactions and rollbacks, cache hits, deadlocks,
        // temp bytes, checkpoint timing, WAL, the oldest transaction, wraparound, dead tuples, unused indexes
        expected.addAll(List.of("pg_up", "pg_stat_activity_count", "pg_settings_max_connections",
                "pg_stat_database_xact_commit", "pg_stat_database_xact_rollback", "pg_stat_database_blks_hit",
                "pg_stat_database_blks_read", "pg_stat_database_deadlocks", "pg_stat_database_temp_bytes",
                "pg_stat_bgwriter_checkpoint_write_time_total", "pg_stat_bgwriter_checkpoints_timed_total",
                "learningdb_pg_wal_position_bytes", "learningdb_pg_oldest_transaction_age_seconds",
                "learningdb_pg_table_dead_tuples", "learningdb_pg_unused_indexes_count", "learningdb_pg_unused_index_size_bytes",
                "learningdb_pg_statement_mean_seconds"));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            String body = scrape();
            assertThat(body).as("connected as learningdb_monitor").containsPattern("(?m)^pg_up(\\{[^}]*\\})? 1$");
            assertThat(names(body)).containsAll(expected);
            assertThat(body).containsPattern("(?m)^learningdb_pg_table_dead_ratio\\{[^}]*table_name=\"course_events\"[^}]*\\} 0\\.75$");
            assertThat(body).containsPattern("(?m)^learningdb_pg_unused_index_size_bytes\\{[^}]*index_name=\"course_events_kind\"");
        });
        assertThat(Files.readString(topo.base().resolve("exporter.log"))).doesNotContain("level=error");
    }

    @Test
    void theMonitorRoleReadsStatisticsNotData() throws Exception {
        try (Connection c = topo.connect("mon-0", "learning_app", topo.password("app"), "learning")) {
            c.createStatement().execute("CREATE TABLE IF NOT EXISTS grades (learner int, grade int)");
        }
        try (Connection m = topo.connect("mon-0", Names.MONITOR_USER, "monitor-secret-password", "learning")) {
            m.createStatement().executeQuery("SELECT count(*) FROM learningdb.table_stats").close();
            m.createStatement().executeQuery("SELECT count(*) FROM pg_stat_statements").close();
            assertThatThrownBy(() -> m.createStatement().executeQuery("SELECT * FROM grades").close())
                    .isInstanceOf(SQLException.class).hasMessageContaining("permission denied");
        }
    }
}
