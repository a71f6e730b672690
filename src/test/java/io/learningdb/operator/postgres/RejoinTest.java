package io.learningdb.operator.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.learningdb.operator.resources.Fixtures;
import io.learningdb.operator.resources.Names;

/** instance.sh bringing a former primary back as a replica: pg_rewind, or keep the old data aside and re-clone. */
class RejoinTest {

    LoopbackTopology topo;
    TcpProxy rw;

    @BeforeEach
    void up() throws Exception {
        RealPostgres.assumeAvailable();
        topo = LoopbackTopology.create(Fixtures.ldb("rj", "replicas: 1\n"));
        rw = new TcpProxy();
        rw.target(topo.startPrimary("rj-0").port());
        topo.start("rj-1", "replica", rw.port());
        try (Connection c = topo.superuser("rj-0")) {
            c.createStatement().execute("CREATE TABLE t (id int)");
            c.createStatement().execute("INSERT INTO t SELECT generate_series(1, 1000)");
        }
        try (Connection r = topo.superuser("rj-1")) {
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                try (ResultSet rs = r.createStatement().executeQuery("SELECT count(*) FROM t")) {
                    rs.next();
                    return rs.getInt(1) == 1000;
                } catch (Exception e) {
                    return false;
                }
            });
        }
        // failover as the operator does it: the old primary dies, the replica is promoted, slots created
        topo.stop("rj-0", "immediate");
        try (Connection c = topo.superuser("rj-1")) {
            Promotion.promote(c, 60);
            Promotion.ensureSlots(c, List.of(Names.slotName("rj-0")));
            c.createStatement().execute("INSERT INTO t SELECT generate_series(1001, 1100)");
        }
        rw.target(topo.instance("rj-1").port());
    }

    @AfterEach
    void down() {
        if (rw != null) {
            rw.close();
        }
        if (topo != null) {
            topo.close();
        }
    }

    void assertStreamsFromNewPrimary() throws Exception {
        try (Connection p = topo.superuser("rj-1")) {
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                try (ResultSet rs = p.createStatement().executeQuery(
                        "SELECT count(*) FROM pg_stat_replication WHERE application_name = 'rj-0' AND state = 'streaming'")) {
                    rs.next();
                    return rs.getInt(1) == 1;
                }
            });
        }
        try (Connection r = topo.superuser("rj-0"); ResultSet rs = r.createStatement().executeQuery(
                "SELECT count(*), pg_is_in_recovery() FROM t")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(1100);
            assertThat(rs.getBoolean(2)).isTrue();
        }
    }

    @Test
    void aCrashedFormerPrimaryRejoinsWithPgRewind() throws Exception {
        topo.start("rj-0", "replica", rw.port());
        assertThat(topo.serverLog("rj-0")).contains("pg_rewind complete")
                .containsPattern("pg_rewind discarded this instance's WAL after [0-9A-F]+/[0-9A-F]+");
        assertStreamsFromNewPrimary();
    }

    @Test
    void promotionIsNotCutShortByTheStatementTimeoutOfTheOperatorsConnections() throws Exception {
        // rj-0 rejoins as a replica of rj-1, then is promoted over a connection whose statement timeout (50 ms) is far
        // below what a promotion takes: the operator's pools run with 5 s, and pg_promote(wait) waits in one statement
        topo.start("rj-0", "replica", rw.port());
        assertStreamsFromNewPrimary();
        topo.stop("rj-1", "fast");
        try (Connection c = topo.superuser("rj-0")) {
            c.createStatement().execute("SET statement_timeout = 50");
            Promotion.promote(c, 60);
            try (ResultSet rs = c.createStatement().executeQuery("SELECT pg_is_in_recovery()")) {
                rs.next();
                assertThat(rs.getBoolean(1)).isFalse();
            }
        }
    }

    @Test
    void aPrimaryWithAnEmptyDataDirectoryInAClusterThatHasServedRefusesToInitdb() throws Exception {
        String systemIdentifier;
        try (Connection c = topo.superuser("rj-1");
                ResultSet rs = c.createStatement().executeQuery("SELECT system_identifier::text FROM pg_control_system()")) {
            rs.next();
            systemIdentifier = rs.getString(1);
        }
        topo.stop("rj-1", "fast");
        LoopbackTopology.run(List.of("rm", "-rf", topo.instance("rj-1").pgdata().toString())); // the volume lost
        topo.annotate("rj-1", systemIdentifier);
        var refused = topo.start("rj-1", "primary", 0, false).process();
        assertThat(refused.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).as("instance.sh gave up").isTrue();
        assertThat(refused.exitValue()).isNotZero();
        assertThat(topo.serverLog("rj-1")).contains("refusing to initdb").contains(systemIdentifier);
        assertThat(topo.instance("rj-1").pgdata().resolve("PG_VERSION")).doesNotExist();
    }

    @Test
    void whenPgRewindFailsTheOldDataIsKeptAsideAndTheInstanceIsReCloned() throws Exception {
        var pgControl = topo.instance("rj-0").pgdata().resolve("global/pg_control");
        Files.delete(pgControl); // a damaged data directory pg_rewind cannot work with
        // a copy an earlier failed rewind kept aside: a second failure must not replace it
        var earlier = topo.instance("rj-0").dir().resolve("pgdata.diverged");
        Files.createDirectories(earlier);
        Files.writeString(earlier.resolve("KEEP"), "kept by an earlier rejoin");
        topo.start("rj-0", "replica", rw.port());
        assertThat(topo.serverLog("rj-0")).contains("pg_rewind failed").contains("clone complete");
        assertThat(earlier.resolve("KEEP")).exists();
        try (var dirs = Files.list(topo.instance("rj-0").dir())) {
            assertThat(dirs.map(d -> d.getFileName().toString()))
                    .anyMatch(n -> n.matches("pgdata\\.diverged-\\d{8}T\\d{6}Z"));
        }
        assertStreamsFromNewPrimary();
    }
}
