package io.learningdb.operator.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;


import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.learningdb.operator.model.InstanceStatus;
import io.learningdb.operator.model.LearningDatabase;
import io.learningdb.operator.model.LearningDatabaseStatus.Phase;
import io.learningdb.operator.postgres.LoopbackTopology;
import io.learningdb.operator.postgres.RealPostgresAccess;
import io.learningdb.operator.reconciler.FakeStatefulSetControllerAccess;
import io.learningdb.operator.resources.Credentials;
import io.learningdb.operator.resources.Fixtures;
import io.learningdb.operator.status.Conditions;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusMock;
import io.quarkus.test.junit.QuarkusTest;
import io.learningdb.operator.rbac.OperatorRequests;
import io.learningdb.operator.rbac.OperatorTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;

/**
 * The operator (on the mock API server) measuring a real loopback topology: lag in status and in the printer
 * column, the ReplicationHealthy condition flipping with its events, stale values when the primary is gone, and the
 * Prometheus gauges on /q/metrics.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true, setup = OperatorRequests.TestApiServer.class)
class ReplicationStatusTest extends OperatorTest {

    static final String NS = "lag";
    static final String NAME = "lagit";
    static final Duration TIMEOUT = Duration.ofSeconds(60);
    static LoopbackTopology topo;

    @TestHTTPResource("/q/metrics")
    URL metrics;

    @BeforeEach
    void topology() {
        RealPostgresAccess.assumeAvailable();
        if (topo == null) {
            topo = LoopbackTopology.create(Fixtures.ldb(NAME, "replicas: 2\n"));
            topo.startPrimary(NAME + "-0");
            topo.startReplica(NAME + "-1", NAME + "-0");
            topo.startReplica(NAME + "-2", NAME + "-0");
            // a cluster bootstrapped before the insights objects existed: the operator sets them up
            try (Connection c = topo.connect(NAME + "-0", "postgres", topo.password("superuser"), "app")) {
                c.createStatement().execute("DROP SCHEMA learningdb CASCADE");
                c.createStatement().execute("DROP EXTENSION pg_stat_statements");
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException(e);
            }
        }
        QuarkusMock.installMockForType(new LoopbackAddresses(() -> topo), InstanceAddresses.class);
    }

    @AfterAll
    static void down() {
        if (topo != null) {
            topo.close();
        }
    }

    LearningDatabase ldb() {
        return client.resources(LearningDatabase.class).inNamespace(NS).withName(NAME).get();
    }

    Optional<Condition> replicationHealthy() {
        var l = ldb();
        return l == null || l.getStatus() == null ? Optional.empty()
                : Conditions.find(l.getStatus().getConditions(), Conditions.REPLICATION_HEALTHY);
    }

    InstanceStatus instance(String name) {
        return ldb().getStatus().getInstances().stream().filter(i -> i.getName().equals(name)).findFirst().orElseThrow();
    }

    List<String> eventReasons() {
        return client.v1().events().inNamespace(NS).list().getItems().stream()
                .filter(e -> NAME.equals(e.getInvolvedObject().getName())).map(Event::getReason).toList();
    }

    String scrape() throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(metrics.toString())).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    static double metric(String body, String name, String instance) {
        var m = Pattern.compile("^" + name + "\\{([^}]*)\\} ([0-9.eE+-]+)$", Pattern.MULTILINE).matcher(body);
        while (m.find()) {
            if (m.group(1).contains("cluster=\"" + NAME + "\"") && m.group(1).contains("namespace=\"" + NS + "\"")
                    && (instance == null || m.group(1).contains("replica=\"" + instance + "\""))) {
                return Double.parseDouble(m.group(2));
            }
        }
        return Double.NaN;
    }

    static void write(int rows) throws Exception {
        try (Connection c = topo.superuser(NAME + "-0")) {
            c.createStatement().execute("CREATE TABLE IF NOT EXISTS ticks (id bigserial PRIMARY KEY, payload text)");
            c.createStatement().execute("INSERT INTO ticks (payload) SELECT repeat('x', 200) FROM generate_series(1, " + rows + ")");
        }
    }

    @Test
    void lagIsMeasuredReportedAlertedAndExported() throws Exception {
        // the operator must use the topology's superuser password: a pre-existing Secret is adopted, never overwritten
        var ldb = Fixtures.ldb(NAME, """
                replicas: 2
                failover:
                  enabled: false   # this test reads what is reported while the primary stays down
                replicationLag:
                  pollInterval: 1s
                  maxLagSeconds: 2
                  maxLagBytes: 1Mi
                maintenance:
                  report: {}
                """);
        ldb.getMetadata().setNamespace(NS);
        ldb.getMetadata().setUid(null);
        ldb.getMetadata().setGeneration(null);
        var secret = Credentials.superuser(ldb, topo.password("superuser"));
        secret.getMetadata().getLabels().clear(); // as a user would create it
        client.resource(secret).create();
        client.resource(ldb).create();
        var sts = FakeStatefulSetControllerAccess.create(client);
        await().atMost(TIMEOUT).until(() -> client.apps().statefulSets().inNamespace(NS).withName(NAME + "-pooler").get() != null
                && client.apps().statefulSets().inNamespace(NS).withName(NAME).get() != null);
        sts.run(NS, NAME, true);
        sts.run(NS, NAME + "-pooler", true);
        await().atMost(TIMEOUT).untilAsserted(() -> {
            var adopted = client.secrets().inNamespace(NS).withName(NAME + "-superuser").get();
            assertThat(adopted.getMetadata().getOwnerReferences()).singleElement()
                    .satisfies(o -> assertThat(o.getName()).isEqualTo(NAME));
            assertThat(Credentials.decode(adopted, Credentials.PASSWORD)).isEqualTo(topo.password("superuser"));
        });

        // streaming, no lag, healthy
        await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(replicationHealthy()).get().satisfies(c -> {
                assertThat(c.getStatus()).isEqualTo("True");
                assertThat(c.getReason()).isEqualTo("ReplicasStreaming");
            });
            assertThat(instance(NAME + "-1").getState()).isEqualTo("streaming");
            assertThat(instance(NAME + "-1").getSlot()).isEqualTo("lagit_1");
            assertThat(instance(NAME + "-2").getLagBytes()).isZero();
            assertThat(ldb().getStatus().getMaxLag()).isEqualTo("0s / 0B");
            // the version each instance runs, as it answers (issue 14: instances on different nodes can drift)
            assertThat(ldb().getStatus().getInstances()).extracting(InstanceStatus::getVersion)
                    .hasSize(3).allSatisfy(v -> assertThat(v).matches("1[4-7]\\.[0-9]+.*"));
            assertThat(ldb().getStatus().getPhase()).isEqualTo(Phase.Ready);
        });
        await().atMost(TIMEOUT).untilAsserted(() -> {
            String body = scrape();
            assertThat(metric(body, "learningdb_replication_lag_bytes", NAME + "-1")).isZero();
            assertThat(metric(body, "learningdb_replicas_streaming", null)).isEqualTo(2.0);
            assertThat(metric(body, "learningdb_replicas_desired", null)).isEqualTo(2.0);
            // JOSDK's reconcile metrics, which the chart's example alert rules use
            assertThat(body).containsPattern("(?m)^reconciliations_started_total\\{.*controller_name=\"learningdatabase\".*\\} [0-9.eE+]+$");
            assertThat(body).contains("reconciliations_execution_duration_seconds");
        });

        // the insights objects of a cluster bootstrapped without them are created once the primary answers
        await().atMost(TIMEOUT).untilAsserted(() -> {
            try (Connection c = topo.connect(NAME + "-0", "app", topo.password("app"), "app");
                    var rs = c.createStatement().executeQuery("SELECT count(*) FROM learningdb.slow_queries")) {
                rs.next();
                assertThat(rs.getLong(1)).isPositive();
            }
        });

        // status.insights: an index nothing uses, a table of mostly dead tuples and a slow statement show up in
        // kubectl describe, rounded
        try (Connection c = topo.connect(NAME + "-0", "app", topo.password("app"), "app")) {
            c.createStatement().execute("CREATE TABLE course_events (id bigint PRIMARY KEY, learner int, kind text)");
            c.createStatement().execute("CREATE INDEX course_events_kind ON course_events (kind)");
            c.createStatement().execute("INSERT INTO course_events SELECT g, g % 100, 'view' FROM generate_series(1, 4000) g");
            c.createStatement().execute("DELETE FROM course_events WHERE id <= 3000");
            for (int i = 0; i < 5; i++) {
                c.createStatement().executeQuery("SELECT pg_sleep(0.2) /* slow report */").close();
            }
        }
        // slower still, but the operator's own (it reads as the superuser) or a monitoring role's: not what a
        // user is looking for
        try (Connection su = topo.connect(NAME + "-0", "postgres", topo.password("superuser"), "app")) {
            for (int i = 0; i < 5; i++) {
                su.createStatement().executeQuery("SELECT pg_sleep(0.3) /* the operator's */").close();
            }
        }
        try (Connection su = topo.superuser(NAME + "-0")) {
            su.createStatement().executeQuery("SELECT pg_stat_force_next_flush()").close();
        }
        await().atMost(TIMEOUT).untilAsserted(() -> {
            var insights = ldb().getStatus().getInsights();
            assertThat(insights).isNotNull();
            assertThat(insights.getUnusedIndexes()).isPositive();
            assertThat(insights.getUnusedIndexNames()).anySatisfy(n -> assertThat(n).startsWith("course_events_kind (course_events, "));
            assertThat(insights.getMostDeadTuples()).isEqualTo("course_events: 75% dead (3000 dead tuples)");
            assertThat(insights.getSlowestQuery()).matches("queryid -?[0-9]+: mean 2[0-9]0 ms, 5\\+ calls");
        });

        // the weekly report: its CronJob, and the report its job keeps in the database copied into <name>-report
        assertThat(client.batch().v1().cronjobs().inNamespace(NS).withName(NAME + "-report").get().getSpec().getSchedule())
                .isEqualTo("0 6 * * 1");
        var run = topo.runMaintenance(io.learningdb.operator.resources.MaintenanceTask.REPORT, NAME + "-0");
        assertThat(run.exitCode()).as(run.output()).isZero();
        await().atMost(TIMEOUT).untilAsserted(() -> {
            var report = client.configMaps().inNamespace(NS).withName(NAME + "-report").get();
            assertThat(report).isNotNull();
            assertThat(report.getData().get("report.txt")).startsWith("LearningDB report: ")
                    .contains("course_events_kind").contains("slow report");
            assertThat(report.getMetadata().getOwnerReferences()).singleElement()
                    .satisfies(o -> assertThat(o.getName()).isEqualTo(NAME));
            assertThat(eventReasons()).contains("ReportPublished");
        });
        // written once per report: two more insights readings later it is the same object, and the cluster's status
        // was not written either (insights are read every 3 s here, lag every second; nothing changed). The report
        // job's own statements and writes are a change (statement statistics, WAL the replicas replay): the window
        // starts once they have settled
        String version = client.configMaps().inNamespace(NS).withName(NAME + "-report").get().getMetadata().getResourceVersion();
        await().atMost(TIMEOUT).until(() -> {
            String rv = ldb().getMetadata().getResourceVersion();
            Thread.sleep(3_500);
            return rv.equals(ldb().getMetadata().getResourceVersion());
        });
        var steady = ldb();
        Thread.sleep(7_000);
        assertThat(client.configMaps().inNamespace(NS).withName(NAME + "-report").get().getMetadata().getResourceVersion())
                .isEqualTo(version);
        var later = ldb();
        assertThat(later.getMetadata().getResourceVersion()).as("no status write at steady state; status was%n%s%nand is%n%s",
                client.getKubernetesSerialization().asYaml(steady.getStatus()),
                client.getKubernetesSerialization().asYaml(later.getStatus()))
                .isEqualTo(steady.getMetadata().getResourceVersion());

        // replica 1 stops replaying while the primary writes: lagging, Degraded, a Warning event, the gauge
        try (Connection r = topo.superuser(NAME + "-1")) {
            r.createStatement().execute("SELECT pg_wal_replay_pause()");
            write(30_000);
            await().atMost(TIMEOUT).untilAsserted(() -> {
                assertThat(replicationHealthy()).get().satisfies(c -> {
                    assertThat(c.getStatus()).isEqualTo("False");
                    assertThat(c.getReason()).isEqualTo("ReplicaLagging");
                    assertThat(c.getMessage()).contains(NAME + "-1").doesNotContain(NAME + "-2");
                });
                assertThat(instance(NAME + "-1").getLagging()).isTrue();
                assertThat(instance(NAME + "-1").getLagBytes()).isGreaterThan(1024 * 1024);
                assertThat(instance(NAME + "-2").getLagging()).isFalse();
                assertThat(ldb().getStatus().getMaxLagBytes()).isGreaterThan(1024 * 1024);
                assertThat(ldb().getStatus().getPhase()).isEqualTo(Phase.Degraded);
                assertThat(eventReasons()).contains("ReplicaLagging");
                assertThat(metric(scrape(), "learningdb_replication_lag_bytes", NAME + "-1")).isGreaterThan(1024 * 1024);
            });
            r.createStatement().execute("SELECT pg_wal_replay_resume()");
        }
        await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(replicationHealthy()).get().satisfies(c -> assertThat(c.getStatus()).isEqualTo("True"));
            assertThat(instance(NAME + "-1").getLagBytes()).isZero();
            assertThat(eventReasons()).contains("ReplicaRecovered");
            assertThat(ldb().getStatus().getPhase()).isEqualTo(Phase.Ready);
        });

        // replica 2 stops: disconnected, with an event
        topo.stop(NAME + "-2", "fast");
        write(100);
        await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(replicationHealthy()).get().satisfies(c -> {
                assertThat(c.getReason()).isEqualTo("ReplicaDisconnected");
                assertThat(c.getMessage()).contains(NAME + "-2");
            });
            assertThat(instance(NAME + "-2").getState()).isEqualTo("disconnected");
            assertThat(eventReasons()).contains("ReplicaDisconnected");
        });

        // the primary dies: DatabaseUnreachable with the error, last known lag kept and marked stale
        topo.stop(NAME + "-0", "immediate");
        await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(replicationHealthy()).get().satisfies(c -> {
                assertThat(c.getStatus()).isEqualTo("Unknown");
                assertThat(c.getReason()).isEqualTo("DatabaseUnreachable");
                assertThat(c.getMessage()).contains(NAME + "-0").contains("refused");
            });
            assertThat(instance(NAME + "-1").getLagStale()).isTrue();
            assertThat(instance(NAME + "-1").getLagBytes()).isNotNull();
            assertThat(ldb().getStatus().getMaxLag()).isEqualTo("unknown");
            assertThat(eventReasons()).contains("DatabaseUnreachable");
        });
    }
}
