package io.learningdb.operator.postgres;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;

/**
 * The performance reports the report task (maintenance/report.sql) keeps in {@code learningdb.reports} of the
 * application database: the operator copies the newest into ConfigMap {@code <name>-report}.
 */
public final class Reports {

    /** One report: its id (increasing), when it was made and its text. */
    public record Report(long id, Instant createdAt, String body) {
    }

    private Reports() {
    }

    /** The newest report; empty when there is none yet or the table does not exist (a cluster not set up yet). */
    public static Optional<Report> latest(Connection c) throws SQLException {
        try (ResultSet rs = c.createStatement().executeQuery("""
                SELECT id, created_at, body FROM learningdb.reports
                 WHERE to_regclass('learningdb.reports') IS NOT NULL
                 ORDER BY id DESC LIMIT 1""")) {
            return rs.next() ? Optional.of(new Report(rs.getLong(1), rs.getTimestamp(2).toInstant(), rs.getString(3)))
                    : Optional.empty();
        } catch (SQLException e) {
            if ("42P01".equals(e.getSQLState())) { // undefined table: insights.sql has not run here yet
                return Optional.empty();
            }
            throw e;
        }
    }
}
