package io.learningdb.operator.postgres;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The query-insights objects (pg_stat_statements and the views in schema learningdb) in the application database
 * of a running cluster: the same insights.sql that bootstrap runs, so a cluster bootstrapped before it existed gets
 * them too. Idempotent; one transaction.
 */
public final class Insights {

    static final String SCRIPT = "/scripts/insights.sql";
    private static final String OWNER_VARIABLE = ":\"app_owner\"";

    private Insights() {
    }

    /** insights.sql with psql's owner variable replaced by the quoted role name. */
    public static String script(String owner) {
        try (InputStream in = Insights.class.getResourceAsStream(SCRIPT)) {
            String sql = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return sql.replace(OWNER_VARIABLE, "\"" + owner.replace("\"", "\"\"") + "\"");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** On a superuser connection to the application database. */
    public static void ensure(Connection c, String owner) throws SQLException {
        ensure(c, owner, null);
    }

    /**
     * On a superuser connection to the application database; with {@code monitor}, also the password of the exporter's
     * login (sent as a SCRAM verifier computed here: the password is in no statement text and no server log).
     */
    public static void ensure(Connection c, String owner, Login monitor) throws SQLException {
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false);
        try (Statement st = c.createStatement()) {
            st.execute(script(owner));
            if (monitor != null) {
                c.unwrap(org.postgresql.PGConnection.class).alterUserPassword(monitor.user(), monitor.password().toCharArray(),
                        "scram-sha-256");
            }
            c.commit();
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(autoCommit);
        }
    }
}
