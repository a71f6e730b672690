package io.learningdb.operator.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.learningdb.operator.resources.Fixtures;

/**
 * How connection failures read: the same failure gives the same words every time (a status message that follows
 * the driver's changing wording would be rewritten on every poll), and threads sharing a pool never see each
 * other's clean-up ("the pool is shutting down") instead of the database's answer.
 */
class ConnectionPoolsTest {

    static LoopbackTopology topo;

    @BeforeAll
    static void up() throws Exception {
        RealPostgres.assumeAvailable();
        topo = LoopbackTopology.create(Fixtures.ldb("pools", "replicas: 0\n"));
        topo.startPrimary("pools-0");
    }

    @AfterAll
    static void down() {
        if (topo != null) {
            topo.close();
        }
    }

    static int closedPort() throws Exception {
        try (var s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** What a caller (the lag probe, the primary watch) does: a query, and on failure the endpoint's pools retired. */
    static String failure(ConnectionPools pools, Endpoint endpoint, Login login) {
        try (var c = pools.connect(endpoint, login, "postgres"); var st = c.createStatement()) {
            st.execute("SELECT 1");
            return null;
        } catch (SQLException e) {
            pools.invalidate(endpoint, login);
            return ConnectionFailure.describe(e);
        }
    }

    @Test
    void aRefusedConnectionReadsTheSameEveryTimeEvenWhenThreadsShareAndRebuildThePool() throws Exception {
        var endpoint = new Endpoint("127.0.0.1", closedPort());
        var login = new Login("postgres", "x");
        Set<String> seen = ConcurrentHashMap.newKeySet();
        ExecutorService threads = Executors.newFixedThreadPool(9);
        try (var pools = new ConnectionPools(new ConnectionPools.Timeouts(2, 2))) {
            var start = new CountDownLatch(1);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                done.add(threads.submit(() -> {
                    start.await();
                    for (int i = 0; i < 15; i++) {
                        seen.add(String.valueOf(failure(pools, endpoint, login)));
                    }
                    return null;
                }));
            }
            // callers also invalidate after a failed query (the probe, the primary watch): one more thread doing so
            var stop = new java.util.concurrent.atomic.AtomicBoolean();
            var invalidator = threads.submit(() -> {
                start.await();
                while (!stop.get()) {
                    pools.invalidate(endpoint, login);
                    Thread.sleep(1);
                }
                return null;
            });
            start.countDown();
            for (var f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
            stop.set(true);
            invalidator.get(10, TimeUnit.SECONDS);
        } finally {
            threads.shutdownNow();
        }
        assertThat(seen).containsExactly("connection refused");
    }

    @Test
    void aNameThatDoesNotResolveAWrongPasswordAndAHealthyDatabaseEachReadPlainly() throws Exception {
        try (var pools = new ConnectionPools(new ConnectionPools.Timeouts(2, 2))) {
            var real = new Endpoint("127.0.0.1", topo.instance("pools-0").port());
            assertThat(failure(pools, new Endpoint("pools-0.nowhere.invalid", 5432), new Login("postgres", "x")))
                    .isEqualTo("host name not resolvable");
            assertThat(failure(pools, real, new Login("postgres", "wrong")))
                    .isEqualTo("password authentication failed for user postgres");
            assertThat(failure(pools, real, new Login("postgres", topo.password("superuser")))).isNull();
        }
    }

    @Test
    void aDatabaseThatStopsReadsAsRefusedFromThenOn() throws Exception {
        try (var pools = new ConnectionPools(new ConnectionPools.Timeouts(2, 2))) {
            var real = new Endpoint("127.0.0.1", topo.instance("pools-0").port());
            var login = new Login("postgres", topo.password("superuser"));
            assertThat(failure(pools, real, login)).isNull();
            topo.stop("pools-0", "fast");
            try {
                var seen = new ArrayList<String>();
                for (int i = 0; i < 5; i++) {
                    seen.add(failure(pools, real, login));
                }
                // the first query finds the pooled connection dead; from then on the database refuses
                assertThat(seen.get(0)).isIn("connection lost", "connection refused");
                assertThat(seen.subList(1, seen.size())).containsOnly("connection refused");
            } finally {
                topo.startPrimary("pools-0");
            }
        }
    }
}
