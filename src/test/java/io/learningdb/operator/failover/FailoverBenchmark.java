package io.learningdb.operator.failover;

import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.learningdb.operator.postgres.LoopbackTopology;
import io.learningdb.operator.rbac.OperatorRequests;
import io.learningdb.operator.reconciler.FakeStatefulSetControllerAccess;

/**
 * Benchmark (not a test: Surefire does not pick up *Benchmark classes): failover repeated N times per mode on a fresh
 * loopback topology each round (primary + 2 replicas + PgBouncer, the operator on the mock API server, a client
 * committing through PgBouncer): time from the primary's loss to the first write acknowledged on the new primary,
 * detection included, and acknowledged rows missing afterwards. Default settings (failover.delaySeconds 10, lag poll
 * 10 s); the kubelet is played by a prober that runs pg_isready against each instance with the readiness probe's
 * own period and failure threshold (read from the StatefulSet the operator renders), starting at a random phase, and
 * marks the pod not ready after that many failures — as production detects a dead primary. Modes: async and sync
 * (synchronousReplicas: 1) with the primary killed (immediate stop), drain (the pod deleted, its container
 * SIGTERMed), node-drain (the primary's node cordoned: a planned switchover) and cutoff (the primary unreachable from
 * the operator only). Run with bench/failover.sh (ROUNDS=N); results go to bench/results/failover.md.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true, setup = OperatorRequests.TestApiServer.class)
class FailoverBenchmark extends FailoverScenarios {

    static final List<String> MODES = List.of("async", "sync", "drain", "node-drain", "cutoff");
    /** How long the primary stays cut off from the operator in a cutoff round. */
    static final int CUTOFF_SECONDS = 30;

    record Round(String mode, int round, long detectedMillis, long writesBackMillis, long maxGapMillis, int acknowledged,
            int lost) {
    }

    @Test
    void repeatedFailover() throws Exception {
        int rounds = Integer.getInteger("bench.rounds", 5);
        var results = new ArrayList<Round>();
        boolean first = true;
        for (String mode : MODES) {
            for (int i = 1; i <= rounds; i++) {
                if (!first) {
                    down();
                    up();
                }
                first = false;
                var round = once(mode, i);
                System.out.println("FAILOVER-BENCH " + round);
                results.add(round);
            }
        }
        write(results, rounds);
    }

    /** The kubelet's readiness probe, run for real against each instance with the rendered period and threshold. */
    final class Prober implements AutoCloseable {
        final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        final Map<String, Integer> failures = new ConcurrentHashMap<>();
        final AtomicLong notReadyAt = new AtomicLong();
        final FakeStatefulSetControllerAccess sts;

        Prober(FakeStatefulSetControllerAccess sts, int periodSeconds, int failureThreshold) {
            this.sts = sts;
            long phaseMillis = ThreadLocalRandom.current().nextLong(periodSeconds * 1000L);
            timer.scheduleAtFixedRate(() -> probeAll(failureThreshold), phaseMillis, periodSeconds * 1000L, TimeUnit.MILLISECONDS);
        }

        void probeAll(int failureThreshold) {
            for (String pod : List.of(NAME + "-0", NAME + "-1", NAME + "-2")) {
                var instance = topo.instance(pod);
                if (instance == null) {
                    continue;
                }
                boolean ok;
                try {
                    Process p = new ProcessBuilder(LoopbackTopology.PGBIN.resolve("pg_isready").toString(), "-q", "-h", "127.0.0.1", "-p",
                            Integer.toString(instance.port()), "-t", "1").start();
                    ok = p.waitFor(2, TimeUnit.SECONDS) && p.exitValue() == 0;
                } catch (Exception e) {
                    ok = false;
                }
                int n = ok ? 0 : failures.merge(pod, 1, Integer::sum);
                if (ok) {
                    failures.put(pod, 0);
                }
                if (n == failureThreshold) {
                    try {
                        sts.setReady(NS, pod, false);
                        if (pod.equals(NAME + "-0")) {
                            notReadyAt.compareAndSet(0, System.nanoTime());
                        }
                    } catch (Exception e) {
                        // the pod may be gone
                    }
                }
            }
        }

        @Override
        public void close() {
            timer.shutdownNow();
        }
    }

    Round once(String mode, int i) throws Exception {
        boolean sync = mode.equals("sync");
        var sts = createClusterWithDefaults(sync ? "replication:\n  synchronousReplicas: 1\n" : "");
        if (sync) {
            try (var p = topo.superuser(NAME + "-0")) {
                // the servers run the test's own rendering: apply the setting the operator renders for this spec
                p.createStatement().execute("ALTER SYSTEM SET synchronous_standby_names = 'ANY 1 (*)'");
                p.createStatement().execute("SELECT pg_reload_conf()");
            }
        }
        var probe = client.apps().statefulSets().inNamespace(NS).withName(NAME).get().getSpec().getTemplate().getSpec()
                .getContainers().get(0).getReadinessProbe();
        try (var writer = new Writer(); var prober = new Prober(sts, probe.getPeriodSeconds(), probe.getFailureThreshold())) {
            await().atMost(TIMEOUT).until(() -> writer.acknowledged.size() > 100);
            writer.maxGapNanos.set(0);
            long lostAt;
            if (mode.equals("cutoff")) {
                // the operator loses the primary, clients and replicas do not: nothing may happen
                cutOffFromOperator.add(NAME + "-0");
                Thread.sleep(CUTOFF_SECONDS * 1000L);
                cutOffFromOperator.clear();
                boolean stayed = (NAME + "-0").equals(ldb().getStatus().getPrimary()) && primaries().equals(List.of(NAME + "-0"));
                writer.close();
                return new Round(mode, i, -1, stayed ? 0 : -1, writer.maxGapNanos.get() / 1_000_000,
                        writer.acknowledged.size(), writer.lost(NAME + "-0").size());
            }
            if (mode.equals("node-drain")) {
                // kubectl drain cordons the primary's node first; its eviction is refused until the switchover
                for (int n = 0; n < 3; n++) {
                    client.nodes().resource(new io.fabric8.kubernetes.api.model.NodeBuilder().withNewMetadata()
                            .withName(FakeStatefulSetControllerAccess.node(NS, n)).endMetadata()
                            .withNewSpec().endSpec().build()).create();
                }
                lostAt = System.nanoTime();
                client.nodes().withName(FakeStatefulSetControllerAccess.node(NS, 0)).edit(n -> {
                    n.getSpec().setUnschedulable(true);
                    return n;
                });
            } else if (mode.equals("drain")) {
                client.pods().inNamespace(NS).withName(NAME + "-0").edit(p -> {
                    p.getMetadata().setFinalizers(List.of("test.learningdb.io/kubelet"));
                    return p;
                });
                lostAt = System.nanoTime();
                client.pods().inNamespace(NS).withName(NAME + "-0").delete();
                topo.terminate(NAME + "-0");
            } else {
                topo.stop(NAME + "-0", "immediate");
                lostAt = System.nanoTime();
            }
            await().atMost(Duration.ofMinutes(2)).until(() -> ldb().getStatus().getPrimary() != null
                    && !ldb().getStatus().getPrimary().equals(NAME + "-0"));
            String promoted = ldb().getStatus().getPrimary();
            await().atMost(Duration.ofMinutes(2)).until(() -> writer.lastAckNanos.get() > lostAt);
            long millis = (writer.lastAckNanos.get() - lostAt) / 1_000_000;
            long detected = prober.notReadyAt.get() == 0 ? -1 : (prober.notReadyAt.get() - lostAt) / 1_000_000;
            writer.close();
            return new Round(mode, i, detected, millis, writer.maxGapNanos.get() / 1_000_000, writer.acknowledged.size(),
                    writer.lost(promoted).size());
        } finally {
            for (int n = 0; n < 3; n++) {
                client.nodes().withName(FakeStatefulSetControllerAccess.node(NS, n)).delete();
            }
            var pod = client.pods().inNamespace(NS).withName(NAME + "-0");
            if (pod.get() != null && pod.get().getMetadata().getFinalizers() != null
                    && !pod.get().getMetadata().getFinalizers().isEmpty()) {
                pod.edit(p -> {
                    p.getMetadata().setFinalizers(List.of());
                    return p;
                });
            }
        }
    }

    static long percentile(List<Long> sorted, double p) {
        int index = (int) Math.ceil(p * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }

    void write(List<Round> rounds, int n) throws Exception {
        var out = new StringBuilder("# Failover, repeated, detection included\n\n");
        out.append("Recorded ").append(LocalDate.now()).append(" on ").append(Runtime.getRuntime().availableProcessors())
                .append(" cores (loopback PostgreSQL 15 + PgBouncer 1.18, operator on the mock API server). Command: ")
                .append("`bench/failover.sh` (").append(n).append(" rounds per mode). Default settings: ")
                .append("`failover.delaySeconds: 10`, lag poll 10 s, readiness probe every 5 s with failureThreshold 3 ")
                .append("(pg_isready run for real by the test's kubelet, from a random phase). Times count from the ")
                .append("primary's loss (immediate stop; for drain: pod deleted + SIGTERM; for node-drain: its node ")
                .append("cordoned, which the operator turns into a planned switchover) to the first write ")
                .append("acknowledged on the new primary through PgBouncer.\n\n");
        out.append("| mode | rounds | loss -> writes accepted p50 | p95 | max | longest write gap p50 | p95 | loss -> pod not ready p50 | acknowledged rows lost (total) | max lost in a round |\n");
        out.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        for (String mode : MODES) {
            var mine = rounds.stream().filter(r -> r.mode().equals(mode)).toList();
            if (mine.isEmpty()) {
                continue;
            }
            var times = mine.stream().map(Round::writesBackMillis).sorted().toList();
            var detected = mine.stream().map(Round::detectedMillis).filter(d -> d >= 0).sorted().toList();
            var gaps = mine.stream().map(Round::maxGapMillis).sorted().toList();
            out.append(String.format("| %s | %d | %d ms | %d ms | %d ms | %d ms | %d ms | %s | %d of %d | %d |%n", mode, mine.size(),
                    percentile(times, 0.5), percentile(times, 0.95), times.get(times.size() - 1),
                    percentile(gaps, 0.5), percentile(gaps, 0.95),
                    detected.isEmpty() ? "not needed" : percentile(detected, 0.5) + " ms",
                    mine.stream().mapToInt(Round::lost).sum(), mine.stream().mapToInt(Round::acknowledged).sum(),
                    mine.stream().mapToInt(Round::lost).max().orElse(0)));
        }
        out.append("\nIn cutoff rounds the primary is unreachable from the operator (not from clients or replicas) for ")
                .append(CUTOFF_SECONDS).append(" s: the right outcome is that nothing happens — no failover (\"writes back after\" ")
                .append("0 ms means the primary stayed primary; -1 would mean it was replaced), no write gap, nothing lost.\n");
        out.append("\n\"Loss -> writes accepted\" is the first acknowledgement after the loss; in a drain the old primary ")
                .append("may still acknowledge writes until its fast shutdown ends its sessions (in a node-drain until the ")
                .append("switchover fences it), so the longest gap between ")
                .append("two acknowledged writes (the outage a client sees) is the figure to read there.\n");
        out.append("\nRounds:\n\n| mode | round | pod not ready after | writes back after | longest write gap | acknowledged | lost |\n")
                .append("| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        for (Round r : rounds) {
            out.append(String.format("| %s | %d | %s | %d ms | %d ms | %d | %d |%n", r.mode(), r.round(),
                    r.detectedMillis() < 0 ? "-" : r.detectedMillis() + " ms", r.writesBackMillis(), r.maxGapMillis(),
                    r.acknowledged(), r.lost()));
        }
        Files.createDirectories(Path.of("bench/results"));
        Files.writeString(Path.of("bench/results/failover.md"), out.toString());
    }
}
