package io.learningdb.operator.postgres;

/** Lets tests in other packages apply the same real-PostgreSQL availability rule. */
public final class RealPostgresAccess {

    private RealPostgresAccess() {
    }

    public static void assumeAvailable() {
        RealPostgres.assumeAvailable();
    }
}
