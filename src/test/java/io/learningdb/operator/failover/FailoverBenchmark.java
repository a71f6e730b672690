package io.learningdb.operator.failover;

import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.learningdb.operator.rbac.OperatorRequests;

/**
 * Benchmark (not a test: Surefire does not pick up *Benchmark classes): the failover of {@link FailoverScenarios}
 * repeated N times per mode on a fresh loopback topology each round (primary + 2 replicas + PgBouncer, the operator
 * on the mock API server, a client committing through PgBouncer): time from the primary's death (immediate stop)
 * to the first write acknowledged on the new primary, and acknowledged rows missing afterwards, asynchronous vs
 * synchronous (synchronousReplicas: 1). failover.delaySeconds is 2 and the lag poll interval 1 s, as in the test.
 * Run with bench/failover.sh (ROUNDS=N); results go to bench/results/failover.md.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true, setup = OperatorRequests.TestApiServer.class)
class FailoverBenchmark extends FailoverScenarios {

    record Round(String mode, int round, long writesBackMillis, int acknowledged, int lost) {
    }

    @Test
    void repeatedFailover() throws Exception {
        int rounds = Integer.getInteger("bench.rounds", 5);
        var results = new ArrayList<Round>();
        boolean first = true;
        for (String mode : List.of("async", "sync")) {
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

    Round once(String mode, int i) throws Exception {
        boolean sync = mode.equals("sync");
        var sts = createCluster(sync ? "replication:\n  synchronousReplicas: 1\n" : "");
        if (sync) {
            try (var p = topo.superuser(NAME + "-0")) {
                // the servers run the test's own rendering: apply the setting the operator renders for this spec
                p.createStatement().execute("ALTER SYSTEM SET synchronous_standby_names = 'ANY 1 (*)'");
                p.createStatement().execute("SELECT pg_reload_conf()");
            }
        }
        try (var writer = new Writer()) {
            await().atMost(TIMEOUT).until(() -> writer.acknowledged.size() > 100);
            topo.stop(NAME + "-0", "immediate");
            long killedAt = System.nanoTime();
            sts.setReady(NS, NAME + "-0", false);
            await().atMost(TIMEOUT).until(() -> ldb().getStatus().getPrimary() != null
                    && !ldb().getStatus().getPrimary().equals(NAME + "-0"));
            String promoted = ldb().getStatus().getPrimary();
            await().atMost(TIMEOUT).until(() -> writer.lastAckNanos.get() > killedAt);
            long millis = (writer.lastAckNanos.get() - killedAt) / 1_000_000;
            writer.close();
            return new Round(mode, i, millis, writer.acknowledged.size(), writer.lost(promoted).size());
        }
    }

    static long percentile(List<Long> sorted, double p) {
        int index = (int) Math.ceil(p * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }

    void write(List<Round> rounds, int n) throws Exception {
        var out = new StringBuilder("# Failover, repeated\n\n");
        out.append("Recorded ").append(LocalDate.now()).append(" on ").append(Runtime.getRuntime().availableProcessors())
                .append(" cores (loopback PostgreSQL 15 + PgBouncer 1.18, operator on the mock API server). Command: ")
                .append("`bench/failover.sh` (").append(n).append(" rounds per mode). `failover.delaySeconds: 2`, lag poll 1 s.\n\n");
        out.append("| mode | rounds | primary loss -> writes accepted p50 | p95 | max | acknowledged rows lost (total) | max lost in a round |\n");
        out.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        for (String mode : List.of("async", "sync")) {
            var mine = rounds.stream().filter(r -> r.mode().equals(mode)).toList();
            var times = mine.stream().map(Round::writesBackMillis).sorted().toList();
            out.append(String.format("| %s | %d | %d ms | %d ms | %d ms | %d of %d | %d |%n", mode, mine.size(),
                    percentile(times, 0.5), percentile(times, 0.95), times.get(times.size() - 1),
                    mine.stream().mapToInt(Round::lost).sum(), mine.stream().mapToInt(Round::acknowledged).sum(),
                    mine.stream().mapToInt(Round::lost).max().orElse(0)));
        }
        out.append("\nRounds:\n\n| mode | round | writes back after | acknowledged | lost |\n| --- | ---: | ---: | ---: | ---: |\n");
        for (Round r : rounds) {
            out.append(String.format("| %s | %d | %d ms | %d | %d |%n", r.mode(), r.round(), r.writesBackMillis(), r.acknowledged(), r.lost()));
        }
        Files.createDirectories(Path.of("bench/results"));
        Files.writeString(Path.of("bench/results/failover.md"), out.toString());
    }
}
