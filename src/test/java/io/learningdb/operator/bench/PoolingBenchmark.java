package io.learningdb.operator.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import io.learningdb.operator.postgres.LoopbackTopology;
import io.learningdb.operator.resources.Fixtures;

/**
 * Benchmark (not a test: Surefire does not pick up *Benchmark classes): pgbench through the operator-configured
 * PgBouncer vs directly against PostgreSQL with max_connections 100, at 100, 1,000 and 5,000 clients. Run with
 * {@code bench/pooling.sh}; results go to bench/results/pooling.md.
 */
class PoolingBenchmark {

    static final int[] CLIENTS = { 100, 1000, 5000 };
    static final int SECONDS = Integer.getInteger("bench.seconds", 15);

    record Result(String target, int clients, String tps, String latencyMs, String failed, String note) {
    }

    @Test
    void pgbenchThroughPgBouncerVersusDirect() throws Exception {
        var ldb = Fixtures.ldb("bench", """
                replicas: 0
                postgres:
                  parameters:
                    max_connections: "100"
                pooler:
                  instances: 1
                  poolMode: transaction
                  defaultPoolSize: 20
                  maxClientConnections: 6000
                """);
        try (var topo = LoopbackTopology.create(ldb)) {
            topo.startPrimary("bench-0");
            topo.startPooler("bench-0");
            int direct = topo.instance("bench-0").port();
            pgbench(topo, direct, List.of("-i", "-s", "10", "--quiet"));
            var results = new ArrayList<Result>();
            for (int clients : CLIENTS) {
                results.add(run(topo, "direct", direct, clients));
                results.add(run(topo, "pgbouncer (transaction, pool 20)", topo.poolerPort(), clients));
            }
            write(results, topo);
        }
    }

    Result run(LoopbackTopology topo, String target, int port, int clients) throws Exception {
        int threads = Math.min(16, clients);
        // every client logs in with SCRAM first (through PgBouncer: twice); give large runs time beyond that
        int seconds = SECONDS + clients / 40;
        var out = pgbench(topo, port, List.of("-c", Integer.toString(clients), "-j", Integer.toString(threads),
                "-T", Integer.toString(seconds), "-M", "simple"));
        String tps = find(out, "tps = ([0-9.]+) \\(without initial connection time\\)");
        if (tps.equals("-")) {
            System.out.println("pgbench output:\n" + out.lines().limit(15).reduce("", (a, b) -> a + b + "\n"));
        }
        String latency = find(out, "latency average = ([0-9.]+) ms");
        String failed = find(out, "number of failed transactions: ([0-9]+)");
        String note = out.contains("remaining connection slots are reserved") || out.contains("too many clients")
                ? "aborted: PostgreSQL refused connections beyond max_connections (pgbench gives up on the first)"
                : out.contains("could not create connection") ? "aborted: connection errors" : "";
        note = (note.isEmpty() ? "" : note + "; ") + seconds + " s run";
        System.out.printf("%s %d clients: tps=%s latency=%sms failed=%s %s%n", target, clients, tps, latency, failed, note);
        return new Result(target, clients, tps, latency, failed, note);
    }

    static String pgbench(LoopbackTopology topo, int port, List<String> args) throws Exception {
        var command = new ArrayList<>(List.of(LoopbackTopology.PGBIN.resolve("pgbench").toString(), "-h", "127.0.0.1",
                "-p", Integer.toString(port), "-U", "app"));
        command.addAll(args);
        command.add("app");
        var pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("PGPASSWORD", topo.password("app"));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(10, TimeUnit.MINUTES);
        return out;
    }

    static String find(String out, String regex) {
        Matcher m = Pattern.compile(regex).matcher(out);
        return m.find() ? m.group(1) : "-";
    }

    static void write(List<Result> results, LoopbackTopology topo) throws Exception {
        var md = new StringBuilder()
                .append("# Pooling: pgbench through PgBouncer vs direct\n\n")
                .append("- date: ").append(LocalDate.now()).append('\n')
                .append("- machine: ").append(Runtime.getRuntime().availableProcessors()).append(" cores, ")
                .append(Runtime.getRuntime().maxMemory() / (1024 * 1024 * 1024)).append(" GiB max heap of the runner; ")
                .append(System.getProperty("os.name")).append(' ').append(System.getProperty("os.arch")).append('\n')
                .append("- command: `bench/pooling.sh` (pgbench tpcb-like, scale 10, -M simple, ").append(SECONDS)
                .append(" s + clients/40 s per run (logins take time), up to 16 pgbench threads; PostgreSQL max_connections 100; the operator's rendered ")
                .append("postgresql.conf and pgbouncer.ini, PgBouncer transaction mode, default_pool_size 20)\n\n")
                .append("| target | clients | TPS | avg latency (ms) | failed tx | note |\n|---|---:|---:|---:|---:|---|\n");
        for (Result r : results) {
            md.append("| ").append(r.target()).append(" | ").append(r.clients()).append(" | ").append(r.tps())
                    .append(" | ").append(r.latencyMs()).append(" | ").append(r.failed()).append(" | ")
                    .append(r.note()).append(" |\n");
        }
        Path file = Path.of("bench/results/pooling.md");
        Files.createDirectories(file.getParent());
        Files.writeString(file, md.toString());
    }
}
