package io.learningdb.operator.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import io.learningdb.operator.resources.Fixtures;
import io.learningdb.operator.resources.Names;

/** The lag probe against real replicas: real lag from paused replay, no false lag when idle, disconnects. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReplicationProbeTest {

    static LoopbackTopology topo;
    static ConnectionPools pools = new ConnectionPools(new ConnectionPools.Timeouts(3, 5));

    @BeforeAll
    static void up() throws Exception {
        RealPostgres.assumeAvailable();
        topo = LoopbackTopology.create(Fixtures.ldb("lag", "replicas: 2\n"));
        topo.startPrimary("lag-0");
        topo.startReplica("lag-1", "lag-0");
        topo.startReplica("lag-2", "lag-0");
        try (Connection c = topo.superuser("lag-0")) {
            c.createStatement().execute("CREATE TABLE ticks (id bigserial PRIMARY KEY, payload text)");
        }
    }

    @AfterAll
    static void down() {
        pools.close();
        if (topo != null) {
            topo.close();
        }
    }

    static ReplicationProbe.Instance instance(String name) {
        return new ReplicationProbe.Instance(name, new Endpoint("127.0.0.1", topo.instance(name).port()), Names.slotName(name));
    }

    static Map<String, ReplicaLag> measure() {
        var snapshot = ReplicationProbe.measure(pools, new Login("postgres", topo.password("superuser")),
                instance("lag-0"), List.of(instance("lag-1"), instance("lag-2")));
        assertThat(snapshot.reachable()).as(snapshot.error()).isTrue();
        return snapshot.replicas().stream().collect(Collectors.toMap(ReplicaLag::name, Function.identity()));
    }

    static void write(int rows) throws Exception {
        try (Connection c = topo.superuser("lag-0")) {
            c.createStatement().execute("INSERT INTO ticks (payload) SELECT repeat('x', 200) FROM generate_series(1, " + rows + ")");
        }
    }

    @Test
    @Order(1)
    void streamingReplicasReportTheirSlotsAndNoLag() {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            var lag = measure();
            for (String r : List.of("lag-1", "lag-2")) {
                assertThat(lag.get(r).state()).isEqualTo("streaming");
                assertThat(lag.get(r).syncState()).isEqualTo("async");
                assertThat(lag.get(r).slot()).isEqualTo(Names.slotName(r));
                assertThat(lag.get(r).lagBytes()).isZero();
                assertThat(lag.get(r).lagSeconds()).isZero();
                assertThat(lag.get(r).retainedWalBytes()).isNotNull();
            }
        });
    }

    @Test
    @Order(2)
    void pausedReplayShowsLagInBytesAndSecondsOnThatReplicaOnly() throws Exception {
        try (Connection r = topo.superuser("lag-1")) {
            r.createStatement().execute("SELECT pg_wal_replay_pause()");
            write(2000);
            Thread.sleep(2500);
            write(2000);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                var lag = measure();
                assertThat(lag.get("lag-1").lagBytes()).isGreaterThan(100_000);
                assertThat(lag.get("lag-1").lagSeconds()).isGreaterThanOrEqualTo(2.0);
                assertThat(lag.get("lag-2").lagBytes()).isZero();
                assertThat(lag.get("lag-2").lagSeconds()).isZero();
            });
            r.createStatement().execute("SELECT pg_wal_replay_resume()");
        }
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            var lag = measure();
            assertThat(lag.get("lag-1").lagBytes()).isZero();
            assertThat(lag.get("lag-1").lagSeconds()).isZero();
        });
    }

    @Test
    @Order(3)
    void anIdlePrimaryShowsNoFalseLag() throws Exception {
        write(10);
        await().atMost(Duration.ofSeconds(30)).until(() -> measure().values().stream().allMatch(l -> l.lagBytes() == 0));
        Thread.sleep(15_000); // pg_last_xact_replay_timestamp() grows old while nothing is written
        var lag = measure();
        assertThat(lag.values()).allSatisfy(l -> {
            assertThat(l.lagBytes()).isZero();
            assertThat(l.lagSeconds()).isZero();
            assertThat(l.state()).isEqualTo("streaming");
        });
    }

    @Test
    @Order(4)
    void aStoppedReplicaIsReportedDisconnectedWithItsSlotRetainingWal() throws Exception {
        topo.stop("lag-2", "fast");
        write(1000);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            var lag = measure();
            assertThat(lag.get("lag-2").state()).isEqualTo(ReplicaLag.DISCONNECTED);
            assertThat(lag.get("lag-2").lagBytes()).isGreaterThan(0);
            assertThat(lag.get("lag-2").retainedWalBytes()).isGreaterThan(0);
            assertThat(lag.get("lag-1").state()).isEqualTo("streaming");
        });
    }

    @Test
    @Order(5)
    void anUnreachablePrimaryIsReportedWithTheError() {
        var snapshot = ReplicationProbe.measure(pools, new Login("postgres", "wrong-password"),
                instance("lag-0"), List.of(instance("lag-1")));
        assertThat(snapshot.reachable()).isFalse();
        assertThat(snapshot.error()).contains("lag-0").contains("password authentication failed");
    }

    @Test
    void quantizationKeepsTwoSignificantDigits() {
        assertThat(ReplicationSnapshot.significant(0)).isZero();
        assertThat(ReplicationSnapshot.significant(87)).isEqualTo(87);
        assertThat(ReplicationSnapshot.significant(8_191)).isEqualTo(8_200);
        assertThat(ReplicationSnapshot.significant(1_234_567)).isEqualTo(1_200_000);
    }
}
