package io.learningdb.operator.bench;

import static org.awaitility.Awaitility.await;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.learningdb.operator.config.OperatorUserAgent;
import io.learningdb.operator.model.LearningDatabase;
import io.learningdb.operator.postgres.Endpoint;
import io.learningdb.operator.rbac.OperatorRequests;
import io.learningdb.operator.reconciler.FakeStatefulSetControllerAccess;
import io.learningdb.operator.resources.Fixtures;
import io.learningdb.operator.replication.InstanceAddresses;
import io.quarkus.test.junit.QuarkusMock;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;

/**
 * Benchmark (not a test: Surefire does not pick up *Benchmark classes): the operator against the CRUD mock API
 * server with 1, 100 and 1,000 LearningDatabases. For each size: time until every cluster has its objects and a
 * status; the operator's API requests per cluster at creation; then, with every pod Ready (the test plays the
 * StatefulSet controller), replication polling running against simulated probes (every instance address refuses
 * connections at once, so each poll is a real JDBC attempt that fails fast — the operator's polling, scheduling
 * and status logic run, the SQL does not), a 60 s idle window: requests and writes per cluster per minute, CPU
 * per cluster per minute, heap and RSS. The JVM also hosts the mock API server, so CPU and memory are upper bounds
 * for the operator. Run with bench/operator-scale.sh; results go to bench/results/operator-scale.md.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true, setup = OperatorRequests.TestApiServer.class)
class OperatorScaleBenchmark {

    static final int IDLE_SECONDS = Integer.getInteger("bench.idle-seconds", 60);
    /**
     * Above this many clusters the pods-Ready/polling phase is skipped: the mock API server scans every stored
     * object on each request (one event-loop thread), so the ~45 requests per cluster the test makes to play the
     * StatefulSet controller grow quadratically in the harness, not in the operator.
     */
    static final int POLL_MAX = Integer.getInteger("bench.poll-max", 100);

    @KubernetesTestServer
    KubernetesServer server;

    KubernetesClient client;

    static class RefusingAddresses extends InstanceAddresses {
        @Override
        public Endpoint of(LearningDatabase ldb, String pod) {
            return new Endpoint("127.0.0.1", 1); // nothing listens on port 1: connection refused immediately
        }

        @Override
        public Endpoint ofPooler(LearningDatabase ldb, String pod) {
            return new Endpoint("127.0.0.1", 1); // the pooler's admin console: refused as well
        }
    }

    record Row(int clusters, boolean polled, double secondsToObjectsAndStatus, double requestsPerClusterAtCreation,
            double writesPerClusterAtCreation, double requestsPerClusterMinuteIdle, long writesIdle,
            double cpuMsPerClusterMinuteIdle, double cpuMsPerMinuteIdle, long heapMb, long rssMb) {
    }

    @BeforeEach
    void setUp() {
        client = OperatorRequests.testClient(server);
        QuarkusMock.installMockForType(new RefusingAddresses(), InstanceAddresses.class);
    }

    @AfterEach
    void tearDown() {
        client.close();
    }

    @Test
    void scale() throws Exception {
        List<Integer> sizes = List.of(System.getProperty("bench.sizes", "1,100,1000").split(",")).stream()
                .map(String::trim).map(Integer::parseInt).toList();
        var rows = new ArrayList<Row>();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            for (int n : sizes) {
                rows.add(run(n, pool));
            }
        } finally {
            pool.shutdownNow();
        }
        write(rows);
    }

    /**
     * Objects the operator does not own, in a namespace it watches: 10,000 by default, a third each of Services,
     * ConfigMaps and Secrets (some carrying the app.kubernetes.io labels other tools use). Its informers select by
     * the learningdb.io labels, so none of them may reach its caches: measured as the number of typed Service,
     * ConfigMap and Secret objects on the heap (the mock API server keeps its store as JSON, not typed objects), and
     * heap after GC.
     */
    @Test
    void unrelatedObjects() throws Exception {
        int total = Integer.getInteger("bench.unrelated", 10_000);
        String ns = "unrelated";
        client.resource(cluster(ns, "lms")).create();
        await().atMost(Duration.ofMinutes(2)).until(() -> complete(ns) == 1);
        Thread.sleep(5_000);
        var before = heapCensus();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        long start = System.nanoTime();
        try {
            List<Future<?>> created = new ArrayList<>();
            for (int i = 0; i < total; i++) {
                int k = i;
                created.add(pool.submit(() -> {
                    var labels = Map.of("app.kubernetes.io/name", "other-app", "app.kubernetes.io/instance", "o" + (k % 50));
                    String name = "other-" + k;
                    switch (k % 3) {
                        case 0 -> client.services().inNamespace(ns).resource(new io.fabric8.kubernetes.api.model.ServiceBuilder()
                                .withNewMetadata().withName(name).withLabels(labels).endMetadata()
                                .withNewSpec().addNewPort().withPort(80).endPort().withSelector(labels).endSpec().build()).create();
                        case 1 -> client.configMaps().inNamespace(ns).resource(new io.fabric8.kubernetes.api.model.ConfigMapBuilder()
                                .withNewMetadata().withName(name).withLabels(labels).endMetadata()
                                .addToData("settings.json", "{\"k\":\"" + "x".repeat(512) + "\"}").build()).create();
                        default -> client.secrets().inNamespace(ns).resource(new io.fabric8.kubernetes.api.model.SecretBuilder()
                                .withNewMetadata().withName(name).withLabels(labels).endMetadata()
                                .addToStringData("token", "t".repeat(256)).build()).create();
                    }
                }));
            }
            for (Future<?> f : created) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Thread.sleep(20_000); // watches deliver whatever they would
        var after = heapCensus();
        var out = new StringBuilder();
        out.append("# Operator heap with unrelated objects (mock API server)\n\n");
        out.append("Recorded ").append(LocalDate.now()).append(" on ").append(Runtime.getRuntime().availableProcessors())
                .append(" cores, Java ").append(System.getProperty("java.version")).append(", max heap ")
                .append(Runtime.getRuntime().maxMemory() / (1024 * 1024)).append(" MB. Command: `bench/operator-scale.sh unrelated`.\n\n");
        out.append("One LearningDatabase in namespace `unrelated`; then ").append(total).append(" objects the operator does ")
                .append("not own in the same (watched) namespace, a third each of Services, ConfigMaps (~0.5 KB) and Secrets, ")
                .append("labelled as other applications label theirs; created in ").append(String.format("%.0f", seconds))
                .append(" s, then 20 s for watches to deliver. Typed objects are what the operator's informers hold ")
                .append("(the mock API server in the same JVM stores JSON, so its share shows in heap, not in these counts).\n\n");
        out.append("| | Service objects | ConfigMap objects | Secret objects | heap after GC |\n| --- | ---: | ---: | ---: | ---: |\n");
        for (var row : List.of(Map.entry("before", before), Map.entry("after " + total + " unrelated", after))) {
            var c = row.getValue();
            out.append(String.format("| %s | %d | %d | %d | %d MB |%n", row.getKey(), c.get("Service"), c.get("ConfigMap"),
                    c.get("Secret"), c.get("heapMb")));
        }
        out.append("\nHeap growth includes the mock API server's own copy of the ").append(total)
                .append(" objects; the operator's share is the change in typed objects.\n");
        System.out.println("UNRELATED before=" + before + " after=" + after);
        Files.createDirectories(Path.of("bench/results"));
        Files.writeString(Path.of("bench/results/operator-unrelated-objects.md"), out.toString());
    }

    /**
     * What status.insights costs in API requests (issue 15): clusters ({@code replicas: 0}) whose primary pod is one real
     * PostgreSQL on loopback, bootstrapped by the operator's instance.sh, so each cluster's insights are read for real at
     * the test interval (3 s, instead of the default 5 minutes: 100 times the production rate). Measured per size:
     * operator requests and writes during an idle window in which nothing in the database changes, then during a
     * window in which it does (an index nobody uses and a table of mostly dead tuples appear, which every cluster's
     * insights show).
     */
    @Test
    void insights() throws Exception {
        io.learningdb.operator.postgres.RealPostgresAccess.assumeAvailable();
        List<Integer> sizes = List.of(System.getProperty("bench.sizes", "1,100").split(",")).stream()
                .map(String::trim).map(Integer::parseInt).toList();
        var topo = io.learningdb.operator.postgres.LoopbackTopology.create(Fixtures.ldb("shared", "replicas: 0\n"));
        var out = new StringBuilder();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            topo.startPrimary("shared-0");
            int port = topo.instance("shared-0").port();
            QuarkusMock.installMockForType(new InstanceAddresses() {
                @Override
                public Endpoint of(LearningDatabase ldb, String pod) {
                    return new Endpoint("127.0.0.1", pod.endsWith("-0") ? port : 1);
                }

                @Override
                public Endpoint ofPooler(LearningDatabase ldb, String pod) {
                    return new Endpoint("127.0.0.1", 1);
                }
            }, InstanceAddresses.class);
            out.append("# What status.insights costs in API requests (mock API server, real PostgreSQL)\n\n");
            out.append("Recorded ").append(LocalDate.now()).append(" on ").append(Runtime.getRuntime().availableProcessors())
                    .append(" cores, Java ").append(System.getProperty("java.version")).append(", PostgreSQL ")
                    .append(serverVersion(topo)).append(". Command: `bench/operator-scale.sh insights`.\n\n")
                    .append("Each cluster: `replicas: 0`; its primary pod is one real PostgreSQL on loopback (bootstrapped ")
                    .append("by the operator's instance.sh), shared by every cluster, so every cluster's insights are read ")
                    .append("for real, every ").append(INSIGHTS_INTERVAL_SECONDS).append(" s (the test setting; the default is 5 minutes). ")
                    .append("Each window is ").append(IDLE_SECONDS).append(" s. \"Nothing changes\": the database as it is. ")
                    .append("\"Insights change\": at the start of the window an index nobody uses and a table of mostly dead ")
                    .append("tuples are created, which every cluster's status.insights then shows.\n\n");
            out.append("| clusters | insights readings / cluster / min | window | operator requests / cluster / min | ")
                    .append("of which writes | status writes in the window |\n| ---: | ---: | --- | ---: | ---: | ---: |\n");
            int round = 0;
            for (int n : sizes) {
                out.append(insightsRun(n, topo, pool, round++));
            }
        } finally {
            pool.shutdownNow();
            topo.close();
        }
        out.append("\nA reading whose rounded result equals what status already holds writes nothing: at steady state the ")
                .append("insights cost no API request at all, only one query per cluster per interval on its primary. A change ")
                .append("costs a status write per cluster (a PUT of the status subresource) at the readings that see it: ")
                .append("\"insights change\" rows count every write in the window, including the next readings that see ")
                .append("the statistics of that change settle.\n");
        System.out.println(out);
        Files.createDirectories(Path.of("bench/results"));
        Files.writeString(Path.of("bench/results/operator-insights.md"), out.toString());
    }

    /** %test.learningdb.insights-interval */
    static final int INSIGHTS_INTERVAL_SECONDS = 3;

    static String serverVersion(io.learningdb.operator.postgres.LoopbackTopology topo) throws Exception {
        try (var c = topo.connect("shared-0", "postgres", topo.password("superuser"), "postgres");
                var rs = c.createStatement().executeQuery("SHOW server_version")) {
            rs.next();
            return rs.getString(1);
        }
    }

    private String insightsRun(int n, io.learningdb.operator.postgres.LoopbackTopology topo, ExecutorService pool, int round)
            throws Exception {
        String ns = "insights-" + n;
        drain();
        List<Future<?>> created = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String name = "c" + i;
            created.add(pool.submit(() -> {
                var ldb = cluster(ns, name, "replicas: 0\n");
                var secret = io.learningdb.operator.resources.Credentials.superuser(ldb, topo.password("superuser"));
                secret.getMetadata().getLabels().clear();
                client.resource(secret).create();
                client.resource(ldb).create();
            }));
        }
        for (Future<?> f : created) {
            f.get();
        }
        await().atMost(Duration.ofMinutes(20)).pollInterval(Duration.ofMillis(500)).until(() -> complete(ns) == n);
        makeReady(ns, n, pool);
        await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofSeconds(1)).until(() -> withInsights(ns) == n);
        Thread.sleep(15_000); // the last writes of the transition settle
        drain();

        var rows = new StringBuilder();
        double minutes = IDLE_SECONDS / 60.0;
        Thread.sleep(IDLE_SECONDS * 1000L);
        var idle = operator(drain());
        rows.append(String.format("| %d | %.0f | nothing changes | %.2f | %.2f | %d |%n", n, 60.0 / INSIGHTS_INTERVAL_SECONDS, idle.size() / (double) n / minutes,
                writes(idle) / (double) n / minutes, statusWrites(idle)));

        try (var c = topo.connect("shared-0", "app", topo.password("app"), "app")) {
            String t = "bench_events_" + round;
            c.createStatement().execute("CREATE TABLE " + t + " (id bigint PRIMARY KEY, kind text)");
            c.createStatement().execute("CREATE INDEX " + t + "_kind ON " + t + " (kind)");
            c.createStatement().execute("INSERT INTO " + t + " SELECT g, 'view' FROM generate_series(1, 4000) g");
            c.createStatement().execute("DELETE FROM " + t + " WHERE id <= 3000");
            c.createStatement().execute("ANALYZE " + t);
        }
        Thread.sleep(IDLE_SECONDS * 1000L);
        var changed = operator(drain());
        rows.append(String.format("| %d | %.0f | insights change | %.2f | %.2f | %d |%n", n, 60.0 / INSIGHTS_INTERVAL_SECONDS,
                changed.size() / (double) n / minutes, writes(changed) / (double) n / minutes, statusWrites(changed)));
        System.out.println("INSIGHTS " + rows);
        operator(idle).stream().filter(r -> !"GET".equals(r.getMethod())).limit(10)
                .forEach(r -> System.out.println("INSIGHTS idle write: " + r.getMethod() + " " + r.getPath()));
        client.resources(LearningDatabase.class).inNamespace(ns).delete();
        return rows.toString();
    }

    long withInsights(String ns) {
        return client.resources(LearningDatabase.class).inNamespace(ns).list().getItems().stream()
                .filter(l -> l.getStatus() != null && l.getStatus().getInsights() != null).count();
    }

    static long statusWrites(List<RecordedRequest> requests) {
        return requests.stream().filter(r -> !"GET".equals(r.getMethod()) && r.getPath().contains("/status")).count();
    }

    /** Live typed Service/ConfigMap/Secret instances (a full GC first) and heap after GC, in MB. */
    static Map<String, Long> heapCensus() throws Exception {
        var server = ManagementFactory.getPlatformMBeanServer();
        var name = new javax.management.ObjectName("com.sun.management:type=DiagnosticCommand");
        String histogram = (String) server.invoke(name, "gcClassHistogram", new Object[] { new String[0] },
                new String[] { String[].class.getName() });
        var counts = new java.util.TreeMap<String, Long>();
        for (String kind : List.of("Service", "ConfigMap", "Secret")) {
            counts.put(kind, 0L);
        }
        for (String line : histogram.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 4) {
                for (String kind : List.of("Service", "ConfigMap", "Secret")) {
                    if (f[3].equals("io.fabric8.kubernetes.api.model." + kind)) {
                        counts.put(kind, Long.parseLong(f[1]));
                    }
                }
            }
        }
        System.gc();
        counts.put("heapMb", (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) / (1024 * 1024));
        return counts;
    }

    private String creationBreakdown = "";

    Row run(int n, ExecutorService pool) throws Exception {
        String ns = "scale-" + n;
        drain();
        long start = System.nanoTime();
        List<Future<?>> created = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String name = "c" + i;
            created.add(pool.submit(() -> client.resource(cluster(ns, name)).create()));
        }
        for (Future<?> f : created) {
            f.get();
        }
        // every cluster: both StatefulSets exist and the status reflects the current generation
        await().atMost(Duration.ofMinutes(20)).pollInterval(Duration.ofMillis(500)).until(() -> complete(ns) == n);
        double seconds = (System.nanoTime() - start) / 1e9;
        var creation = drain();

        boolean polled = n <= POLL_MAX;
        if (polled) {
            makeReadyAndAwaitPolling(ns, n, pool);
        }
        Thread.sleep(15_000); // let the last status writes of the transition settle
        drain();

        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long cpu0 = os.getProcessCpuTime();
        Thread.sleep(IDLE_SECONDS * 1000L);
        long cpu = os.getProcessCpuTime() - cpu0;
        var idle = drain();
        System.gc();
        long heap = (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) / (1024 * 1024);
        double minutes = IDLE_SECONDS / 60.0;
        var row = new Row(n, polled, seconds,
                operator(creation).size() / (double) n,
                writes(operator(creation)) / (double) n,
                operator(idle).size() / (double) n / minutes,
                writes(operator(idle)),
                cpu / 1e6 / n / minutes,
                cpu / 1e6 / minutes,
                heap, rssMb());
        System.out.println("SCALE " + row);
        // what one cluster's creation costs, request by request (names stripped): the results file lists it
        creationBreakdown = operator(creation).stream()
                .collect(Collectors.groupingBy(r -> r.getMethod() + " " + r.getPath().replaceAll("\\?.*", "")
                        .replaceAll("^.*/namespaces/[^/]+/", "").replaceAll("/c[0-9]+[-a-z0-9.]*", "/<name>"),
                        java.util.TreeMap::new, Collectors.counting()))
                .entrySet().stream().filter(e -> e.getValue() >= n) // not the informers' occasional re-list
                .map(e -> (e.getValue() / n) + " × " + e.getKey())
                .collect(Collectors.joining(", "));
        operator(idle).stream().filter(r -> !"GET".equals(r.getMethod())).limit(10)
                .forEach(r -> System.out.println("SCALE idle write: " + r.getMethod() + " " + r.getPath()));
        // leave nothing behind for the next size
        client.resources(LearningDatabase.class).inNamespace(ns).delete();
        return row;
    }

    /** Pods Ready for every cluster (the test plays the StatefulSet controller), so each one's replication is polled. */
    void makeReadyAndAwaitPolling(String ns, int n, ExecutorService pool) throws Exception {
        makeReady(ns, n, pool);
        await().atMost(Duration.ofMinutes(20)).pollInterval(Duration.ofSeconds(1)).until(() -> polling(ns) == n);
    }

    /** Every pod of clusters c0 … c(n-1) Ready (the test plays the StatefulSet controller). */
    void makeReady(String ns, int n, ExecutorService pool) throws Exception {
        List<Future<?>> ready = new ArrayList<>();
        var sts = FakeStatefulSetControllerAccess.create(client);
        for (int i = 0; i < n; i++) {
            String name = "c" + i;
            ready.add(pool.submit(() -> {
                sts.run(ns, name, true);
                sts.run(ns, name + "-pooler", true);
            }));
        }
        for (Future<?> f : ready) {
            f.get();
        }
    }

    static LearningDatabase cluster(String ns, String name) {
        return cluster(ns, name, "replicas: 2\n");
    }

    /** As a user creates it: no uid or generation yet. */
    static LearningDatabase cluster(String ns, String name, String spec) {
        var ldb = Fixtures.ldb(name, spec);
        ldb.getMetadata().setNamespace(ns);
        ldb.getMetadata().setUid(null);
        ldb.getMetadata().setGeneration(null);
        return ldb;
    }

    long complete(String ns) {
        Map<String, Long> sets = client.resources(StatefulSet.class).inNamespace(ns).list().getItems().stream()
                .collect(Collectors.groupingBy(s -> s.getMetadata().getLabels().get("learningdb.io/cluster"), Collectors.counting()));
        return client.resources(LearningDatabase.class).inNamespace(ns).list().getItems().stream()
                .filter(l -> l.getStatus() != null && l.getStatus().getObservedGeneration() != null
                        && l.getStatus().getObservedGeneration().equals(l.getMetadata().getGeneration()))
                .filter(l -> sets.getOrDefault(l.getMetadata().getName(), 0L) == 2)
                .count();
    }

    /** Clusters whose replication condition comes from a poll (the simulated probe: DatabaseUnreachable). */
    long polling(String ns) {
        return client.resources(LearningDatabase.class).inNamespace(ns).list().getItems().stream()
                .filter(l -> l.getStatus() != null && l.getStatus().getConditions() != null
                        && l.getStatus().getConditions().stream().anyMatch(c -> c.getType().equals("ReplicationHealthy")
                                && "DatabaseUnreachable".equals(c.getReason())))
                .count();
    }

    List<RecordedRequest> drain() {
        return OperatorRequests.drain(server, "OperatorScaleBenchmark");
    }

    static List<RecordedRequest> operator(List<RecordedRequest> all) {
        return all.stream().filter(r -> r.getHeader("User-Agent") != null
                && r.getHeader("User-Agent").startsWith(OperatorUserAgent.NAME)).toList();
    }

    static long writes(List<RecordedRequest> requests) {
        return requests.stream().filter(r -> !"GET".equals(r.getMethod())).count();
    }

    static long rssMb() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D+", "")) / 1024;
            }
        }
        return -1;
    }

    void write(List<Row> rows) throws Exception {
        var out = new StringBuilder();
        out.append("# Operator scale (mock API server)\n\n");
        out.append("Recorded ").append(LocalDate.now()).append(" on ").append(Runtime.getRuntime().availableProcessors())
                .append(" cores, Java ").append(System.getProperty("java.version")).append(", max heap ")
                .append(Runtime.getRuntime().maxMemory() / (1024 * 1024)).append(" MB. Command: `bench/operator-scale.sh`.\n\n");
        out.append("Each cluster: `replicas: 2` (3 instance pods + 2 PgBouncer pods played by the test). ")
                .append("Its creation, request by request: ").append(creationBreakdown).append(". ")
                .append("Idle window: ").append(IDLE_SECONDS).append(" s with every pod Ready and replication polled every 10 s ")
                .append("through simulated probes (connections refused at once). CPU, heap and RSS are of the test JVM, ")
                .append("which also runs the mock API server: upper bounds for the operator.\n\n");
        out.append("| clusters | pods Ready + lag polled | time to all objects + status | operator requests / cluster at creation | of which writes | ")
                .append("requests / cluster / min idle | writes during idle window | process CPU ms / min idle | CPU ms / cluster / min idle | heap after GC | RSS |\n");
        out.append("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        for (Row r : rows) {
            out.append(String.format("| %d | %s | %.1f s | %.1f | %.1f | %.2f | %d | %.0f | %.1f | %d MB | %d MB |%n", r.clusters(), r.polled() ? "yes" : "no (see below)",
                    r.secondsToObjectsAndStatus(), r.requestsPerClusterAtCreation(), r.writesPerClusterAtCreation(),
                    r.requestsPerClusterMinuteIdle(), r.writesIdle(), r.cpuMsPerMinuteIdle(), r.cpuMsPerClusterMinuteIdle(),
                    r.heapMb(), r.rssMb()));
        }
        out.append("\n\"Pods Ready + lag polled: no\" rows skip that phase (above ").append(POLL_MAX).append(" clusters): the fabric8 ")
                .append("mock API server answers every request on one event-loop thread by scanning all stored objects, so the ")
                .append("~45 requests per cluster the test itself makes to play the StatefulSet controller and kubelet cost ")
                .append("O(clusters) each — quadratic in the harness (a 1,000-cluster run did not finish that phase in 15 minutes). ")
                .append("Those rows measure creation and an idle operator without polling.\n");
        Files.createDirectories(Path.of("bench/results"));
        Files.writeString(Path.of("bench/results/operator-scale.md"), out.toString());
    }
}
