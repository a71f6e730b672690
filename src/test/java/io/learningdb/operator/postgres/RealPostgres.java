package io.learningdb.operator.postgres;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Real-PostgreSQL tests need the Debian packages postgresql and pgbouncer and root (servers run as the postgres
 * user through setpriv). .ci/run installs the packages; on CI they must run, so there a missing prerequisite fails
 * instead of skipping.
 */
public final class RealPostgres {

    private RealPostgres() {
    }

    public static void assumeAvailable() {
        if ("true".equals(System.getenv("CI"))) {
            if (!LoopbackTopology.available()) {
                throw new IllegalStateException("CI must run the real-PostgreSQL tests: install postgresql and pgbouncer and run as root");
            }
            return;
        }
        assumeTrue(LoopbackTopology.available(), "PostgreSQL/PgBouncer not installed or not root: see .ci/run");
    }
}
