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
 * @param slowestQuery the application's statement with the highest mean time (≥ 5 calls; the statements of superusers,
 *        the operator among them, and of monitoring roles left out), its mean in two significant digits and its
 *        calls by decade; null when none
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
                      FROM learningdb.slow_queries q
                     WHERE calls >= 5 AND queryid IS NOT NULL
                       AND NOT EXISTS (SELECT FROM pg_roles r WHERE r.rolname = q.role
                                        AND (r.rolsuper OR pg_has_role(r.oid, 'pg_monitor', 'MEMBER')))
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
        return "queryid " + f[0] + ": mean " + mean + ", " + decade(Long.parseLong(f[2])) + "+ calls";
    }

    /** 5 (the least shown), 10, 100, 1000, …: the calls of a busy statement grow at every reading. */
    static long decade(long calls) {
        long d = 10;
        while (d * 10 <= calls) {
            d *= 10;
        }
        return calls < 10 ? 5 : d;
    }

    private static final java.util.regex.Pattern SHOWN = java.util.regex.Pattern
            .compile("^queryid (-?[0-9]+): mean ([0-9.]+) (ms|s), ([0-9]+)\\+ calls$");

    /**
     * What status shows as the slowest statement after a reading: the value shown until now while it is the same
     * statement, its mean within a quarter of the one shown and its calls in the same decade; the new reading
     * otherwise. A mean wobbling across a rounding boundary would otherwise write the status at every reading.
     */
    public static String keepSlowest(String shown, String read) {
        if (shown == null || read == null) {
            return read;
        }
        var a = SHOWN.matcher(shown);
        var b = SHOWN.matcher(read);
        if (!a.matches() || !b.matches() || !a.group(1).equals(b.group(1)) || !a.group(4).equals(b.group(4))) {
            return read;
        }
        double before = millis(a.group(2), a.group(3));
        double now = millis(b.group(2), b.group(3));
        return Math.abs(now - before) <= 0.25 * before ? shown : read;
    }

    private static double millis(String value, String unit) {
        return Double.parseDouble(value) * ("s".equals(unit) ? 1000 : 1);
    }

    /** Two significant digits, as a plain number (1234 → 1200, 0.0456 → 0.046). */
    static String two(double v) {
        return new BigDecimal(v).round(new MathContext(2)).stripTrailingZeros().toPlainString();
    }

    static String significant(long v) {
        return new BigDecimal(v).round(new MathContext(2)).toBigInteger().toString();
    }
}
