package io.learningdb.operator.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.learningdb.operator.resources.Fixtures;

/**
 * scripts/upgrade.sh (the major upgrade Job's steps) and instance.sh's side of it, on real PostgreSQL. Only PostgreSQL
 * 15 is installable here, so the old and the new binaries are the same major (UPGRADE_SAME_MAJOR=1): pg_upgrade
 * --link runs for real (new cluster, catalog dump and restore, linked relation files, new system identifier), and
 * what a 15 → 16 run adds — the other major's catalogs — is pg_upgrade's own business.
 */
class MajorUpgradeTest {

    LoopbackTopology topo;

    @BeforeEach
    void up() throws Exception {
        RealPostgres.assumeAvailable();
        topo = LoopbackTopology.create(Fixtures.ldb("up", "replicas: 1\n"));
        topo.startPrimary("up-0");
        try (Connection c = topo.superuser("up-0")) {
            c.createStatement().execute("CREATE TABLE enrolments (id bigint PRIMARY KEY, course text)");
            c.createStatement().execute("INSERT INTO enrolments SELECT g, 'course-' || (g % 50) FROM generate_series(1, 20000) g");
        }
    }

    @AfterEach
    void down() {
        if (topo != null) {
            topo.close();
        }
    }

    @Test
    void anUpgradedPrimaryKeepsEveryRowGetsANewSystemIdentifierAndIsAnalyzedOnItsFirstStart() throws Exception {
        String before = systemIdentifier("up-0");
        topo.terminate("up-0");
        awaitStopped("up-0");

        var run = topo.runUpgrade("up-0", Map.of());

        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output()).contains("pg_upgrade --check passed").contains("Upgrade Complete");
        assertThat(run.terminationMessage()).startsWith("upgraded ").contains("from PostgreSQL 15 to 15");
        Path pgdata = topo.instance("up-0").pgdata();
        assertThat(pgdata.resolveSibling("pgdata.upgrade-old")).as("kept for a way back until the first start").isDirectory();
        assertThat(pgdata.resolve("learningdb-upgraded")).exists();

        topo.start("up-0", "primary", 0);
        assertThat(count("up-0")).isEqualTo(20000);
        String after = systemIdentifier("up-0");
        assertThat(after).as("pg_upgrade makes a new cluster: the operator must record its identifier").isNotEqualTo(before);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertThat(pgdata.resolve("learningdb-upgraded")).doesNotExist();
            assertThat(pgdata.resolveSibling("pgdata.upgrade-old")).doesNotExist();
        });
        try (Connection c = topo.superuser("up-0"); ResultSet rs = c.createStatement().executeQuery(
                "SELECT count(*) FROM pg_stats WHERE tablename = 'enrolments'")) {
            rs.next();
            assertThat(rs.getInt(1)).as("statistics rebuilt after the upgrade").isPositive();
        }
        assertThat(topo.serverLog("up-0")).contains("statistics rebuilt after the major upgrade");

        var again = topo.runUpgrade("up-0", Map.of());
        assertThat(again.exitCode()).as("the Job run again is a no-op: " + again.output()).isNotZero();
        assertThat(again.terminationMessage()).contains("a server is running");
    }

    @Test
    void anUpgradeKilledAtAnyStepIsCompletedByTheNextRunWithNothingLost() throws Exception {
        topo.terminate("up-0");
        awaitStopped("up-0");
        Path pgdata = topo.instance("up-0").pgdata();

        for (String step : List.of("initdb", "upgraded", "swapped-half")) {
            var run = topo.runUpgrade("up-0", Map.of("UPGRADE_STOP_AT", step));
            assertThat(run.exitCode()).as(step + ": " + run.output()).isEqualTo(99);
        }
        assertThat(pgdata).as("killed between the two renames").doesNotExist();

        var run = topo.runUpgrade("up-0", Map.of());
        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output()).contains("completed the swap a previous run started");
        assertThat(run.terminationMessage()).contains("already upgraded");

        topo.start("up-0", "primary", 0);
        assertThat(count("up-0")).isEqualTo(20000);
    }

    @Test
    void anUpgradeKilledWhileLinkingGivesTheOldClusterItsControlFileBackAndStartsOver() throws Exception {
        topo.terminate("up-0");
        awaitStopped("up-0");
        Path pgdata = topo.instance("up-0").pgdata();
        // the state pg_upgrade --link leaves when killed after renaming the old pg_control, before it finished
        var stopped = topo.runUpgrade("up-0", Map.of("UPGRADE_STOP_AT", "initdb"));
        assertThat(stopped.exitCode()).as(stopped.output()).isEqualTo(99);
        LoopbackTopology.run(List.of("mv", pgdata.resolve("global/pg_control").toString(), pgdata.resolve("global/pg_control.old").toString()));

        var run = topo.runUpgrade("up-0", Map.of());

        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output()).contains("restored the old cluster's pg_control").contains("removed the unfinished new cluster");
        topo.start("up-0", "primary", 0);
        assertThat(count("up-0")).isEqualTo(20000);
    }

    @Test
    void aCrashedPrimaryIsRecoveredBeforeTheUpgradeAndNoCommittedRowIsLost() throws Exception {
        try (Connection c = topo.superuser("up-0")) {
            c.createStatement().execute("INSERT INTO enrolments VALUES (20001, 'last-commit')");
        }
        topo.stop("up-0", "immediate");
        awaitStopped("up-0");

        var run = topo.runUpgrade("up-0", Map.of());

        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output()).contains("starting it privately once so that it recovers");
        topo.start("up-0", "primary", 0);
        assertThat(count("up-0")).isEqualTo(20001);
    }

    @Test
    void aFailedCheckLeavesTheOldClusterAsItWasAndSaysWhy() throws Exception {
        try (Connection c = topo.superuser("up-0")) {
            // pg_upgrade cannot carry reg* columns other than regclass/regrole/regtype (their OIDs change)
            c.createStatement().execute("CREATE TABLE legacy (fn regproc)");
            c.createStatement().execute("INSERT INTO legacy VALUES ('now'::regproc)");
        }
        String before = systemIdentifier("up-0");
        topo.terminate("up-0");
        awaitStopped("up-0");

        var run = topo.runUpgrade("up-0", Map.of());

        assertThat(run.exitCode()).as(run.output()).isEqualTo(3);
        assertThat(run.terminationMessage()).contains("pg_upgrade --check failed, the old cluster is untouched");
        assertThat(topo.instance("up-0").pgdata().resolveSibling("pgdata.upgrade-new")).doesNotExist();
        topo.start("up-0", "primary", 0);
        assertThat(count("up-0")).isEqualTo(20000);
        assertThat(systemIdentifier("up-0")).isEqualTo(before);
    }

    @Test
    void theUpgradeRefusesARunningServerAndAReplicasDirectory() throws Exception {
        topo.startReplica("up-1", "up-0");
        var running = topo.runUpgrade("up-0", Map.of());
        assertThat(running.exitCode()).isEqualTo(2);
        assertThat(running.terminationMessage()).contains("a server is running");

        topo.terminate("up-1");
        awaitStopped("up-1");
        var replica = topo.runUpgrade("up-1", Map.of());
        assertThat(replica.exitCode()).isEqualTo(2);
        assertThat(replica.terminationMessage()).contains("standby.signal");
        assertThat(count("up-0")).isEqualTo(20000);
    }

    @Test
    void aReplicaOfAnOlderMajorIsReclonedOnceThePrimaryRunsThisOneAndAPrimaryOfAnotherMajorRefusesToStart() throws Exception {
        topo.startReplica("up-1", "up-0");
        awaitReplicaCount("up-1", 20000);
        topo.terminate("up-1");
        awaitStopped("up-1");
        // as after the primary's upgrade: the replica's data directory is of the major before it
        Path replicaData = topo.instance("up-1").pgdata();
        Files.writeString(replicaData.resolve("PG_VERSION"), "14\n");
        try (Connection c = topo.superuser("up-0")) {
            c.createStatement().execute("INSERT INTO enrolments VALUES (20001, 'after-upgrade')");
        }

        topo.start("up-1", "replica", topo.instance("up-0").port());

        awaitReplicaCount("up-1", 20001);
        assertThat(Files.readString(replicaData.resolve("PG_VERSION")).trim()).isEqualTo("15");
        assertThat(topo.serverLog("up-1")).contains("removing this replica's old data and re-cloning");

        topo.terminate("up-0");
        awaitStopped("up-0");
        Path primaryData = topo.instance("up-0").pgdata();
        Files.writeString(primaryData.resolve("PG_VERSION"), "14\n");
        var refused = topo.start("up-0", "primary", 0, false);
        assertThat(refused.process().waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(refused.process().exitValue()).isEqualTo(1);
        assertThat(topo.serverLog("up-0")).contains("refusing to start: the data directory is PostgreSQL 14 and this image runs 15");
        assertThat(primaryData.resolve("base")).as("nothing removed").isDirectory();
    }

    private void awaitStopped(String name) {
        await().atMost(Duration.ofSeconds(60)).until(() -> !topo.instance(name).process().isAlive());
    }

    private void awaitReplicaCount(String name, int rows) {
        await().atMost(Duration.ofSeconds(120)).ignoreExceptions().until(() -> count(name) == rows);
    }

    private int count(String name) throws SQLException {
        try (Connection c = topo.superuser(name); ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM enrolments")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private String systemIdentifier(String name) throws SQLException {
        try (Connection c = topo.superuser(name); ResultSet rs = c.createStatement().executeQuery(
                "SELECT system_identifier::text FROM pg_control_system()")) {
            rs.next();
            return rs.getString(1);
        }
    }
}
