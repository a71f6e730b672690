package io.learningdb.operator.postgres;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/**
 * The query-insights objects (pg_stat_statements and the views in schema learningdb) in the application database
 * of a running cluster: the same insights.sql that bootstrap runs, so a cluster bootstrapped before it existed gets
 * them too. Idempotent. Its own short-lived connection: the operator's pools are opened on database postgres.
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

    public static void ensure(Endpoint primary, Login superuser, String database, String owner) throws SQLException {
        var props = new Properties();
        props.setProperty("user", superuser.user());
        props.setProperty("password", superuser.password());
        props.setProperty("connectTimeout", "3");
        props.setProperty("socketTimeout", "30");
        props.setProperty("ApplicationName", "learningdb-operator");
        try (Connection c = DriverManager.getConnection(primary.jdbcUrl(database), props); Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            st.execute(script(owner));
            c.commit();
        }
    }
}
