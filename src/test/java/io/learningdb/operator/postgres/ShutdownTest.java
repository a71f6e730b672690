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
 * Stopping an instance pod (kubelet's SIGTERM, a drain, a deletion) stops writes at once: PostgreSQL's own answer to
 * SIGTERM is a smart shutdown, under which open sessions — the pooler's server connections — keep committing for the
 * whole grace period.
 */
class ShutdownTest {

    LoopbackTopology topo;

    @BeforeEach
    void up() {
        RealPostgres.assumeAvailable();
        topo = LoopbackTopology.create(Fixtures.ldb("sd", "replicas: 0\n"));
        topo.startPrimary("sd-0");
    }

    @AfterEach
    void down() {
        if (topo != null) {
            topo.close();
        }
    }

    @Test
    void sigtermEndsOpenSessionsAndStopsThePrimaryInsteadOfWaitingForThem() throws Exception {
        try (Connection idle = topo.superuser("sd-0"); Connection open = topo.superuser("sd-0")) {
            open.createStatement().execute("CREATE TABLE t (v int)");
            open.setAutoCommit(false);
            open.createStatement().execute("INSERT INTO t VALUES (1)");
            idle.createStatement().execute("SELECT 1");

            topo.terminate("sd-0");
            var process = topo.instance("sd-0").process();
            assertThat(process.waitFor(20, TimeUnit.SECONDS)).as("instance stopped while sessions were open").isTrue();
            assertThat(process.exitValue()).isZero();
            // the open transaction can no longer commit
            assertThatThrownBy(open::commit).isInstanceOf(java.sql.SQLException.class);
        }
        // what was not committed is not there after a restart
        topo.startPrimary("sd-0");
        try (Connection c = topo.superuser("sd-0");
                var rs = c.createStatement().executeQuery("SELECT count(*) FROM t")) {
            rs.next();
            assertThat(rs.getLong(1)).isZero();
        }
    }
}
