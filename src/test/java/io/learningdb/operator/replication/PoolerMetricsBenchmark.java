package io.learningdb.operator.replication;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.learningdb.operator.postgres.LoopbackTopology;
import io.learningdb.operator.postgres.PoolerStats;
import io.learningdb.operator.postgres.RealPostgres;
import io.learningdb.operator.resources.Fixtures;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;

/**
 * Benchmark (not a test: Surefire does not pick up *Benchmark classes): what the operator spends to read one pooler
 * pod's pool saturation as it does at every lag poll — a TCP connection, TLS, SCRAM login to a real PgBouncer's admin
 * console (the rendered pgbouncer.ini), SHOW POOLS and SHOW DATABASES, and the export to gauges — measured as wall time
 * and as CPU time of the reading thread, over {@code bench.reads} reads. Run with bench/pooler-metrics.sh; results go
 * to bench/results/pooler-metrics.md.
 */
class PoolerMetricsBenchmark {

    static final int READS = Integer.getInteger("bench.reads", 2000);

    @Test
    void readingOnePoolerPod() throws Exception {
        RealPostgres.assumeAvailable();
        try (var topo = LoopbackTopology.create(Fixtures.ldb("pmb", """
                replicas: 0
                pooler:
                  instances: 1
                bootstrap:
                  database: learning
                  owner: learning_app
                """))) {
            topo.startPrimary("pmb-0");
            topo.startPooler("pmb-0");
            try (var app = topo.appThroughPooler()) {
                app.createStatement().execute("SELECT 1"); // one pool in SHOW POOLS besides the admin console's
            }
            var monitor = new ReplicationMonitor();
            monitor.meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            var threads = ManagementFactory.getThreadMXBean();
            var pods = Map.of("pmb-pooler-0", topo.poolerConsole());

            long cpu0 = threads.getCurrentThreadCpuTime();
            long wall0 = System.nanoTime();
            PoolerStats.read(topo.poolerConsole(), topo.poolerAdmin()); // the first login derives the SCRAM key
            double firstCpuMs = (threads.getCurrentThreadCpuTime() - cpu0) / 1e6;
            double firstWallMs = (System.nanoTime() - wall0) / 1e6;

            for (int i = 0; i < 50; i++) { // warm-up
                PoolerStats.read(topo.poolerConsole(), topo.poolerAdmin());
                monitor.exportPoolers(topo.ldb(), pods, topo.poolerAdmin());
            }
            int fresh = Math.max(1, READS / 10);
            cpu0 = threads.getCurrentThreadCpuTime();
            wall0 = System.nanoTime();
            for (int i = 0; i < fresh; i++) {
                PoolerStats.read(topo.poolerConsole(), topo.poolerAdmin());
            }
            double freshCpuMs = (threads.getCurrentThreadCpuTime() - cpu0) / 1e6 / fresh;
            double freshWallMs = (System.nanoTime() - wall0) / 1e6 / fresh;
            cpu0 = threads.getCurrentThreadCpuTime();
            wall0 = System.nanoTime();
            for (int i = 0; i < READS; i++) {
                monitor.exportPoolers(topo.ldb(), pods, topo.poolerAdmin());
            }
            double cpuMs = (threads.getCurrentThreadCpuTime() - cpu0) / 1e6 / READS;
            double wallMs = (System.nanoTime() - wall0) / 1e6 / READS;
            // at 1,000 clusters with 2 pooler pods each, polled every 10 s: 200 reads per second
            double coresAt1000 = 200 * cpuMs / 1000;

            String machine = Runtime.getRuntime().availableProcessors() + " cores, Java " + System.getProperty("java.version");
            String out = """
                    # Pooler metrics: reading one pooler pod

                    Recorded %s on %s. Command: `bench/pooler-metrics.sh` (%d reads).

                    What the operator does per pooler pod at each lag poll: `SHOW POOLS` and `SHOW DATABASES` on
                    PgBouncer 1.18's admin console (the rendered pgbouncer.ini, TLS on) over a session it logged in to
                    once (TLS, SCRAM-SHA-256) and keeps, and seven gauges updated. For comparison, a new connection and
                    login per read. CPU is the reading thread's (operator side only; PgBouncer's own cost is not
                    included). PgBouncer and PostgreSQL run on the same machine over loopback.

                    | | wall time | operator CPU |
                    | --- | ---: | ---: |
                    | first login (derives the SCRAM key, PBKDF2 4096 rounds) and read | %.1f ms | %.1f ms |
                    | new connection, TLS and login (key cached) and read, %d times | %.2f ms | %.2f ms |
                    | read over the kept session (what the poll does), %d times | %.3f ms | %.3f ms |

                    At 1,000 clusters with 2 pooler pods each and the default 10 s poll (200 reads per second), the
                    pooler metrics cost the operator about %.3f of a core.
                    """.formatted(LocalDate.now(), machine, READS, firstWallMs, firstCpuMs, fresh, freshWallMs, freshCpuMs,
                            READS, wallMs, cpuMs, coresAt1000);
            Files.writeString(Path.of("bench/results/pooler-metrics.md"), out);
            System.out.println(out);
        }
    }
}
