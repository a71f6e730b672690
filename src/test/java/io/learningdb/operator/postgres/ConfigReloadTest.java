package io.learningdb.operator.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import io.learningdb.operator.model.LearningDatabase;
import io.learningdb.operator.resources.Fixtures;
import io.learningdb.operator.resources.PoolerConfig;
import io.learningdb.operator.resources.TlsSecrets;
import io.learningdb.operator.resources.PostgresConfig;

/**
 * Configuration changes applied the way instance.sh applies them, on real PostgreSQL: the operator replaces the
 * ConfigMap, kubelet replaces the mounted files, instance.sh reloads; the probe reads back what each instance loaded
 * and what waits for a restart. The tests run in order on one cluster, each changing the spec a little further.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConfigReloadTest {

    static final String SPEC = """
            replicas: 2
            postgres:
              parameters:
                max_connections: "100"
                work_mem: "%s"
                shared_buffers: "%s"
            pooler:
              instances: 1
              defaultPoolSize: %d
            bootstrap:
              database: learning
              owner: learning_app
            """;

    static LoopbackTopology topo;
    static final List<String> INSTANCES = List.of("lms-0", "lms-1", "lms-2");

    static LearningDatabase spec(String workMem, String sharedBuffers, int poolSize) {
        return Fixtures.ldb("lms", SPEC.formatted(workMem, sharedBuffers, poolSize));
    }

    @BeforeAll
    static void up() {
        RealPostgres.assumeAvailable();
        topo = LoopbackTopology.create(spec("4MB", "32MB", 20));
        topo.startPrimary("lms-0");
        topo.startReplica("lms-1", "lms-0");
        topo.startReplica("lms-2", "lms-0");
        topo.startPooler("lms-0");
    }

    @AfterAll
    static void down() {
        if (topo != null) {
            topo.close();
        }
    }

    static String one(Connection c, String sql) throws SQLException {
        try (ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** What the operator's probe reads from each instance. */
    static Map<String, InstanceSettings> probe() throws SQLException {
        var settings = new LinkedHashMap<String, InstanceSettings>();
        for (String name : INSTANCES) {
            try (Connection c = topo.superuser(name)) {
                settings.put(name, name.equals("lms-0") ? ReplicationProbe.readPrimary(c).settings()
                        : ReplicationProbe.readReplica(c).settings());
            }
        }
        return settings;
    }

    /**
     * Waits until every instance's probe reading satisfies {@code requirement}; on a timeout the failure carries what
     * each instance's instance.sh and postmaster logged about reloads (the watch loop's side of the story).
     */
    static void awaitEveryInstance(java.util.function.Consumer<InstanceSettings> requirement) {
        try {
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(probe().values()).allSatisfy(requirement));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            var logs = new StringBuilder();
            for (String name : INSTANCES) {
                logs.append("\n--- ").append(name).append(" (reload lines of server.log) ---\n");
                topo.serverLog(name).lines()
                        .filter(l -> l.contains("learningdb[") || l.contains("SIGHUP") || l.contains("configuration file"))
                        .skip(0).forEach(l -> logs.append(l).append('\n'));
            }
            throw new AssertionError(e.getMessage() + logs, e);
        }
    }

    static String postmasterPid(Connection c) throws SQLException {
        return one(c, "SELECT pid::text FROM pg_stat_activity WHERE backend_type = 'checkpointer'")
                + "/" + one(c, "SELECT pg_postmaster_start_time()::text");
    }

    @Test
    @Order(1)
    void everyInstanceReportsTheConfigurationVersionItLoadedAndNothingPending() throws Exception {
        var settings = probe();
        assertThat(settings.values()).allSatisfy(s -> {
            assertThat(s.configVersion()).isEqualTo(PostgresConfig.configVersion(topo.ldb()));
            assertThat(s.pendingRestart()).isEmpty();
            assertThat(s.refused()).isEmpty();
            assertThat(s.version()).startsWith("15.");
        });
    }

    @Test
    @Order(2)
    void aWorkMemChangeReachesEveryInstanceByReloadWithoutDroppingAConnectionOrRestarting() throws Exception {
        var sessions = new LinkedHashMap<String, Connection>();
        var before = new LinkedHashMap<String, String>();
        try {
            for (String name : INSTANCES) {
                Connection c = topo.connect(name, "learning_app", topo.password("app"), "learning");
                sessions.put(name, c);
                assertThat(one(c, "SHOW work_mem")).isEqualTo("4MB");
                try (Connection su = topo.superuser(name)) {
                    before.put(name, postmasterPid(su));
                }
            }
            // a replica streams throughout: its walreceiver must not be restarted either
            String receiverBefore;
            try (Connection su = topo.superuser("lms-1")) {
                receiverBefore = one(su, "SELECT pid::text FROM pg_stat_wal_receiver");
            }
            var next = spec("64MB", "32MB", 20);
            topo.reconfigure(next);

            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                for (var session : sessions.entrySet()) {
                    assertThat(one(session.getValue(), "SHOW work_mem")).as(session.getKey()).isEqualTo("64MB");
                }
            });
            var settings = probe();
            assertThat(settings.values()).allSatisfy(s -> {
                assertThat(s.configVersion()).isEqualTo(PostgresConfig.configVersion(next));
                assertThat(s.pendingRestart()).as("work_mem needs no restart").isEmpty();
            });
            for (String name : INSTANCES) {
                try (Connection su = topo.superuser(name)) {
                    assertThat(postmasterPid(su)).as(name + " was not restarted").isEqualTo(before.get(name));
                }
                assertThat(sessions.get(name).isValid(2)).as(name + ": the session opened before is still open").isTrue();
            }
            try (Connection su = topo.superuser("lms-1")) {
                assertThat(one(su, "SELECT pid::text FROM pg_stat_wal_receiver")).isEqualTo(receiverBefore);
            }
            assertThat(topo.serverLog("lms-1")).contains("configuration changed: reloaded (" + PostgresConfig.configVersion(next));
        } finally {
            for (Connection c : sessions.values()) {
                c.close();
            }
        }
    }

    @Test
    @Order(3)
    void aValuePostgresRefusesIsReportedAndTheInstancesKeepServingWithTheRest() throws Exception {
        var next = spec("a lot", "32MB", 20);
        topo.reconfigure(next);
        awaitEveryInstance(s -> {
            assertThat(s.configVersion()).isEqualTo(PostgresConfig.configVersion(next));
            assertThat(s.refused()).containsExactly("work_mem = 'a lot'");
            assertThat(s.pendingRestart()).isEmpty();
        });
        try (Connection c = topo.superuser("lms-0")) {
            assertThat(one(c, "SHOW work_mem")).as("the last valid value stays").isEqualTo("64MB");
        }
        topo.reconfigure(spec("64MB", "32MB", 20));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(probe().values()).allSatisfy(s -> assertThat(s.refused()).isEmpty()));
    }

    @Test
    @Order(4)
    void aSharedBuffersChangeIsPendingRestartUntilTheInstanceRestartsAndTheRestartAppliesIt() throws Exception {
        var next = spec("64MB", "48MB", 20);
        topo.reconfigure(next);
        awaitEveryInstance(s -> {
            assertThat(s.configVersion()).isEqualTo(PostgresConfig.configVersion(next));
            assertThat(s.pendingRestart()).containsExactly("shared_buffers");
            assertThat(s.refused()).as("a value waiting for a restart is not refused").isEmpty();
        });
        try (Connection c = topo.superuser("lms-1")) {
            assertThat(one(c, "SHOW shared_buffers")).isEqualTo("32MB");
        }
        // the pod restarts (the operator deletes it; kubelet starts the container again)
        Instant containerStarted = Instant.now();
        var reading = probe().get("lms-1");
        assertThat(reading.pendingRestartSince(containerStarted))
                .as("a reading from before the restart says nothing about the restarted instance").isEmpty();
        topo.terminate("lms-1");
        topo.instance("lms-1").process().waitFor();
        topo.start("lms-1", "replica", topo.instance("lms-0"));
        try (Connection c = topo.superuser("lms-1")) {
            assertThat(one(c, "SHOW shared_buffers")).isEqualTo("48MB");
            var after = ReplicationProbe.readReplica(c).settings();
            assertThat(after.pendingRestart()).isEmpty();
            assertThat(after.pendingRestartSince(containerStarted)).isEmpty();
            assertThat(after.startedAt()).isAfter(containerStarted);
        }
        assertThat(probe().get("lms-2").pendingRestartSince(Instant.EPOCH)).containsExactly("shared_buffers");
    }

    /** Not compared here: what only a restart applies, and the TLS paths (pooler.sh's installed copy). */
    static final java.util.Set<String> RESTART_OR_TLS_PATHS = java.util.stream.Stream.concat(
            PoolerConfig.RESTART_SETTINGS.stream(), PoolerConfig.TLS_PATHS.stream()).collect(java.util.stream.Collectors.toSet());

    @Test
    @Order(5)
    void theRenderedPoolerSettingsReadBackAsRenderedAndOnlyStartupSettingsNeedARestart() throws Exception {
        var running = PoolerAdmin.showConfig(topo.poolerConsole(), topo.poolerAdmin());
        var desired = PoolerConfig.settings(topo.ldb(), topo.poolerEndpoints());
        // otherwise the operator would RELOAD for ever a value PgBouncer shows differently than the ini says it
        assertThat(PoolerReload.differences(desired, running, RESTART_OR_TLS_PATHS)).isEmpty();
        // the TLS paths are pooler.sh's copy of the mounted Secret, named by its fingerprint
        assertThat(PoolerReload.loadedTlsFingerprint(running)).contains(TlsSecrets.fingerprint(topo.tlsSecret()));
        assertThat(running.entrySet().stream().filter(e -> !e.getValue().changeable()).map(Map.Entry::getKey))
                .as("what this PgBouncer applies only at start").containsExactlyInAnyOrderElementsOf(PoolerConfig.RESTART_SETTINGS);
    }

    @Test
    @Order(6)
    void aPoolSizeChangeIsAppliedByReloadWithoutDisconnectingAClient() throws Exception {
        long poolerPid = topo.pooler().pid();
        try (Connection app = topo.appThroughPooler()) {
            one(app, "SELECT 1");
            var next = spec("64MB", "48MB", 35);
            var desired = PoolerConfig.settings(next, topo.poolerEndpoints());
            // kubelet has not updated the mounted ini yet: RELOAD reads the old file, and the outcome says so
            assertThat(PoolerReload.apply(topo.poolerConsole(), topo.poolerAdmin(), desired, RESTART_OR_TLS_PATHS))
                    .isEqualTo(new PoolerReload.Pending(List.of("default_pool_size: 20 → 35")));
            topo.reconfigure(next);
            assertThat(PoolerReload.apply(topo.poolerConsole(), topo.poolerAdmin(), desired, RESTART_OR_TLS_PATHS))
                    .isEqualTo(new PoolerReload.Reloaded(List.of("default_pool_size: 20 → 35")));
            assertThat(PoolerAdmin.showConfig(topo.poolerConsole(), topo.poolerAdmin()).get("default_pool_size").value()).isEqualTo("35");
            assertThat(PoolerReload.apply(topo.poolerConsole(), topo.poolerAdmin(), desired, RESTART_OR_TLS_PATHS))
                    .isEqualTo(new PoolerReload.UpToDate());
            assertThat(one(app, "SELECT current_user")).as("the client connected before the reload still works")
                    .isEqualTo("learning_app");
        }
        assertThat(topo.pooler().isAlive()).isTrue();
        assertThat(topo.pooler().pid()).isEqualTo(poolerPid);
    }

    @Test
    @Order(7)
    void aLoweredMaxConnectionsNeedsThePrimaryRestartedFirstAReplicaRestartedFirstWouldNotStart() throws Exception {
        var lower = spec("64MB", "48MB", 35);
        lower.getSpec().getPostgres().getParameters().put("max_connections", "80");
        topo.reconfigure(lower);
        awaitEveryInstance(s -> {
            assertThat(s.configVersion()).isEqualTo(PostgresConfig.configVersion(lower));
            assertThat(s.lowered()).containsExactly("max_connections: 100 → 80");
            assertThat(s.pendingRestart()).contains("max_connections");
        });
        // a replica restarted before its primary would refuse to start ("recovery aborted because of insufficient
        // parameter settings": its control file records the primary's 100): instance.sh starts it with 100 instead
        topo.terminate("lms-2");
        topo.instance("lms-2").process().waitFor();
        topo.start("lms-2", "replica", topo.instance("lms-0"));
        assertThat(topo.serverLog("lms-2")).contains("max_connections: configured 80, but the primary ran 100");
        try (Connection c = topo.superuser("lms-2")) {
            assertThat(one(c, "SHOW max_connections")).as("not lowered: that takes the primary first").isEqualTo("100");
        }

        // what the operator does (PrimaryRestarts): the primary restarts in place first, while its replicas run and
        // replay its lower value; then each replica restarts with it
        topo.terminate("lms-0");
        topo.instance("lms-0").process().waitFor();
        topo.start("lms-0", "primary", 0);
        String lsn;
        try (Connection c = topo.superuser("lms-0")) {
            lsn = one(c, "SELECT pg_current_wal_lsn()::text");
        }
        for (String replica : List.of("lms-1", "lms-2")) {
            try (Connection c = topo.superuser(replica)) {
                await().atMost(java.time.Duration.ofSeconds(60)).until(() ->
                        "true".equals(one(c, "SELECT (pg_last_wal_replay_lsn() >= '" + lsn + "')::text")));
            }
        }
        assertThat(probe().get("lms-0").lowered()).as("the primary runs the lower value: replicas may follow").isEmpty();
        for (String replica : List.of("lms-1", "lms-2")) {
            topo.terminate(replica);
            topo.instance(replica).process().waitFor();
            topo.start(replica, "replica", topo.instance("lms-0"));
            try (Connection c = topo.superuser(replica)) {
                assertThat(one(c, "SHOW max_connections")).as(replica).isEqualTo("80");
                assertThat(one(c, "SELECT pg_is_in_recovery()::text")).isEqualTo("true");
            }
        }

        // raising is fine in any order: pending, not lowered
        var higher = spec("64MB", "48MB", 35);
        higher.getSpec().getPostgres().getParameters().put("max_connections", "120");
        topo.reconfigure(higher);
        awaitEveryInstance(s -> {
            assertThat(s.configVersion()).isEqualTo(PostgresConfig.configVersion(higher));
            assertThat(s.lowered()).isEmpty();
        });
        assertThat(probe().get("lms-0").pendingRestart()).contains("max_connections");
    }

    @Test
    @Order(8)
    void aConfigurationInstalledWithoutAReloadReachingTheServerIsReloadedAnyway() throws Exception {
        // what a lost SIGHUP leaves (or the watch loop of an instance.sh run that ended, racing its successor): the
        // data directory holds the current files, the server still runs the previous ones, and comparing the mounted
        // files with the installed ones finds nothing to do
        var next = spec("96MB", "48MB", 35);
        next.getSpec().getPostgres().getParameters().put("max_connections", "120");
        // (before, this test wrote the data directory's files and then the mounted ones; instance.sh's loop, checking
        // every second, now and then ran between the two and took the ordinary path: no second signal to see)
        topo.installWithoutReload("lms-1", next);
        awaitEveryInstance(s -> assertThat(s.configVersion()).isEqualTo(PostgresConfig.configVersion(next)));
        try (Connection c = topo.superuser("lms-1")) {
            assertThat(one(c, "SHOW work_mem")).isEqualTo("96MB");
        }
        assertThat(topo.serverLog("lms-1")).contains("signalled again");
    }
}
