package io.learningdb.operator.postgres;

import java.math.BigDecimal;
import java.math.MathContext;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The summary of the application database's statistics that status shows, read from the learningdb views
 * (insights.sql) in one query and rounded so that it changes only when something worth a look changed.
 *
 * @param unusedIndexes indexes never scanned that back no constraint
 * @param unusedIndexNames the largest of them, up to five: {@code index (table, size)}
 * @param mostDeadTuples the table with the highest dead-tuple share (≥ 1,000 dead), to 5 %; null when none
 * @param slowestQuery the statement with the highest mean time (≥ 5 calls), two significant digits; null when none
 */
public record InsightsSummary(int unusedIndexes, List<String> unusedIndexNames, String mostDeadTuples,
        String slowestQuery) {

    static final String SQL = """
            SELECT (SELECT count(*) FROM learningdb.index_usage_stats WHERE unused) AS unused,
                   (SELECT string_agg(index_name || ' (' || table_name || ', ' || size || ')', E'\\n'
                                      ORDER BY size_bytes DESC, index_name)
                      FROM (SELECT * FROM learningdb.index_usage_stats WHERE unused
                             ORDER BY size_bytes DESC, index_name LIMIT 5) u) AS unused_names,
                   (SELECT table_name || E'\\t' || dead_ratio || E'\\t' || dead_tuples
                      FROM learningdb.table_stats WHERE dead_tuples >= 1000
                     ORDER BY dead_ratio DESC, table_name LIMIT 1) AS dead,
                   (SELECT queryid || E'\\t' || mean_ms || E'\\t' || calls
                      FROM learningdb.slow_queries WHERE calls >= 5 AND queryid IS NOT NULL
                     ORDER BY mean_ms DESC, queryid LIMIT 1) AS slowest""";

    public InsightsSummary {
        unusedIndexNames = List.copyOf(unusedIndexNames);
    }

    /** On a connection to the application database (a role that can read the learningdb views). */
    public static InsightsSummary read(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(SQL)) {
            rs.next();
            String names = rs.getString("unused_names");
            return new InsightsSummary(rs.getInt("unused"), names == null ? List.of() : List.of(names.split("\n")),
                    dead(rs.getString("dead")), slowest(rs.getString("slowest")));
        }
    }

    static String dead(String row) {
        if (row == null) {
            return null;
        }
        String[] f = row.split("\t");
        long percent = Math.round(Double.parseDouble(f[1]) * 20) * 5; // to 5 %
        return f[0] + ": " + percent + "% dead (" + significant(Long.parseLong(f[2])) + " dead tuples)";
    }

    static String slowest(String row) {
        if (row == null) {
            return null;
        }
        String[] f = row.split("\t");
        double meanMs = Double.parseDouble(f[1]);
        String mean = meanMs >= 1000 ? two(meanMs / 1000) + " s" : two(meanMs) + " ms";
        return "queryid " + f[0] + ": mean " + mean + " over " + significant(Long.parseLong(f[2])) + " calls";
    }

    /** Two significant digits, as a plain number (1234 → 1200, 0.0456 → 0.046). */
    static String two(double v) {
        return new BigDecimal(v).round(new MathContext(2)).stripTrailingZeros().toPlainString();
    }

    static String significant(long v) {
        return new BigDecimal(v).round(new MathContext(2)).toBigInteger().toString();
    }
}
