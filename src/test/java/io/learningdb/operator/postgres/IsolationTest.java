package io.learningdb.operator.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.learningdb.operator.resources.Fixtures;

/**
 * A primary cut off from the API server and from every replica stops serving on its own (instance.sh's isolation
 * check): the operator may already have promoted a replica, and clients that still reach the old primary must not
 * write there. Losing only the replicas, or only the API server, is not isolation.
 */
class IsolationTest {

    LoopbackTopology topo;

    @BeforeEach
    void up() {
        RealPostgres.assumeAvailable();
        topo = LoopbackTopology.create(Fixtures.ldb("iso", "replicas: 1\n"));
        topo.startPrimary("iso-0");
        topo.startReplica("iso-1", "iso-0");
    }

    @AfterEach
    void down() {
        if (topo != null) {
            topo.close();
        }
    }

    @Test
    void aPrimaryThatReachesNeitherTheApiServerNorAReplicaStopsAndWaitsForTheApiServer() throws Exception {
        var primary = topo.instance("iso-0").process();
        // its only replica is gone, the API server still answers: it keeps serving
        topo.stop("iso-1", "immediate");
        Thread.sleep(15_000);
        assertThat(primary.isAlive()).isTrue();
        try (Connection c = topo.superuser("iso-0")) {
            c.createStatement().execute("CREATE TABLE still_primary (v int)");
        }

        // and now the API server is gone too: within the isolation window (10 s + a check) it stops
        topo.isolateFromApiServer();
        long isolatedAt = System.nanoTime();
        assertThat(primary.waitFor(30, TimeUnit.SECONDS)).as("isolated primary stopped").isTrue();
        System.out.printf("ISOLATION: primary stopped %d ms after losing the API server (no replica)%n",
                (System.nanoTime() - isolatedAt) / 1_000_000);
        assertThat(topo.serverLog("iso-0")).contains("isolated for 10s");
        assertThatThrownBy(() -> topo.superuser("iso-0").close()).isInstanceOf(java.sql.SQLException.class);

        // restarted (kubelet restarts the container) while still isolated, it stays down ...
        var restarted = new Thread(() -> topo.startPrimary("iso-0"));
        restarted.setDaemon(true);
        restarted.start();
        Thread.sleep(6_000);
        assertThatThrownBy(() -> topo.superuser("iso-0").close()).isInstanceOf(java.sql.SQLException.class);
        assertThat(topo.serverLog("iso-0")).contains("waiting for the API server before serving again");
        // ... until the API server answers again
        topo.reconnectApiServer();
        restarted.join(60_000);
        try (Connection c = topo.superuser("iso-0");
                var rs = c.createStatement().executeQuery("SELECT count(*) FROM pg_tables WHERE tablename = 'still_primary'")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(1);
        }
    }
}
