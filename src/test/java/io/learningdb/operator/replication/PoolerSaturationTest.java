package io.learningdb.operator.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.learningdb.operator.postgres.Endpoint;
import io.learningdb.operator.postgres.LoopbackTopology;
import io.learningdb.operator.postgres.PoolerStats;
import io.learningdb.operator.postgres.RealPostgres;
import io.learningdb.operator.resources.Fixtures;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;

/**
 * Pool saturation as the operator reads it from a real PgBouncer's admin console (the rendered pgbouncer.ini, pool
 * size 2) and exports it: clients waiting for a server connection, how long the oldest has waited, servers in use
 * against the pool size. Fails when a pooler metric the chart's alert rules or dashboard name is not emitted.
 */
class PoolerSaturationTest {

    static LoopbackTopology topo;

    @BeforeAll
    static void up() {
        RealPostgres.assumeAvailable();
        topo = LoopbackTopology.create(Fixtures.ldb("sat", """
                replicas: 0
                pooler:
                  instances: 1
                  defaultPoolSize: 2
                bootstrap:
                  database: learning
                  owner: learning_app
                """));
        topo.startPrimary("sat-0");
        topo.startPooler("sat-0");
    }

    @AfterAll
    static void down() {
        if (topo != null) {
            topo.close();
        }
    }

    static PoolerStats appPool() throws Exception {
        return PoolerStats.read(topo.poolerConsole(), topo.poolerAdmin()).stream()
                .filter(p -> p.database().equals("learning") && p.user().equals("learning_app")).findFirst().orElseThrow();
    }

    /** The pooler metric names the chart's alert rules and dashboard use. */
    static TreeSet<String> chartPoolerMetrics() throws Exception {
        return io.learningdb.operator.install.ChartMetrics.named("\\blearningdb_pooler_[a-z_]+\\b");
    }

    @Test
    void clientsWaitingForAServerConnectionAreExportedWithTheirWaitAndEveryPoolerMetricTheChartNamesIsEmitted() throws Exception {
        var monitor = new ReplicationMonitor();
        var registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        monitor.meters = registry;
        var holders = new ArrayList<Connection>();
        CompletableFuture<Void> waiting;
        try {
            // three clients log in (PgBouncer checks their password with a server connection of its own), then in
            // transaction pooling an open transaction holds one of the pool's two server connections each
            Connection third = topo.appThroughPooler();
            for (int i = 0; i < 2; i++) {
                holders.add(topo.appThroughPooler());
            }
            for (Connection c : holders) {
                c.setAutoCommit(false);
                c.createStatement().execute("SELECT 1");
            }
            waiting = CompletableFuture.runAsync(() -> {
                try (third) {
                    third.createStatement().execute("SELECT 1");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                var pool = appPool();
                assertThat(pool.clientsWaiting()).isEqualTo(1);
                assertThat(pool.serversActive()).isEqualTo(2);
                assertThat(pool.poolSize()).isEqualTo(2);
                assertThat(pool.maxWaitMicros()).as("the waiting client's wait").isGreaterThanOrEqualTo(1_000_000);
            });

            monitor.exportPoolers(topo.ldb(), Map.of("sat-pooler-0", topo.poolerConsole()), topo.poolerAdmin());
            String scrape = registry.scrape();
            String app = "cluster=\"sat\",database=\"learning\",namespace=\"" + topo.ldb().getMetadata().getNamespace()
                    + "\",pod=\"sat-pooler-0\",user=\"learning_app\"";
            assertThat(scrape).contains("learningdb_pooler_clients_waiting{" + app + ",} 1.0")
                    .contains("learningdb_pooler_servers_active{" + app + ",} 2.0")
                    .contains("learningdb_pooler_pool_size{" + app + ",} 2.0")
                    .containsPattern("learningdb_pooler_max_wait_seconds\\{" + Pattern.quote(app) + ",\\} [1-9]");
            var emitted = new TreeSet<String>();
            var m = Pattern.compile("(?m)^(learningdb_pooler_[a-z_]+)\\{").matcher(scrape);
            while (m.find()) {
                emitted.add(m.group(1));
            }
            assertThat(chartPoolerMetrics()).as("named by the chart").contains("learningdb_pooler_clients_waiting",
                    "learningdb_pooler_max_wait_seconds", "learningdb_pooler_servers_active", "learningdb_pooler_pool_size");
            assertThat(emitted).containsAll(chartPoolerMetrics());

            // one console login per pod, kept from poll to poll (a TLS handshake and SCRAM login each time cost ~7 ms CPU)
            for (int i = 0; i < 3; i++) {
                monitor.exportPoolers(topo.ldb(), Map.of("sat-pooler-0", topo.poolerConsole()), topo.poolerAdmin());
            }
            try (var console = io.learningdb.operator.postgres.PoolerAdmin.Session.open(topo.poolerConsole(), topo.poolerAdmin())) {
                assertThat(console.run("SHOW CLIENTS").get(0)).filteredOn(c -> "pgbouncer".equals(c.get("database")))
                        .as("the kept session and this one").hasSize(2);
            }
        } finally {
            for (Connection c : holders) {
                c.rollback();
                c.close();
            }
        }
        waiting.get();
        assertThat(appPool().clientsWaiting()).isZero();

        // a pooler that does not answer loses its gauges: no stale "nobody waits"
        monitor.exportPoolers(topo.ldb(), Map.of("sat-pooler-0", new Endpoint("127.0.0.1", LoopbackTopology.freePort())),
                topo.poolerAdmin());
        assertThat(registry.scrape()).doesNotContain("learningdb_pooler_clients_waiting{");
    }
}
