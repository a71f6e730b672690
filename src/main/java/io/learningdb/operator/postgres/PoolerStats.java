package io.learningdb.operator.postgres;

import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * How saturated one PgBouncer pool is — PgBouncer keeps one per database and user, each with up to {@code pool_size}
 * server connections — from the admin console ({@code SHOW POOLS}, and the pool size from {@code SHOW DATABASES}).
 * The admin database {@code pgbouncer} itself is left out.
 *
 * @param clientsActive clients linked to a server connection or idle between transactions ({@code cl_active})
 * @param clientsWaiting clients that sent a query and wait for a server connection ({@code cl_waiting})
 * @param maxWaitMicros how long the oldest waiting client has waited ({@code maxwait}, {@code maxwait_us}); 0 when none
 * @param serversActive server connections linked to a client ({@code sv_active})
 * @param serversIdle server connections ready for a client ({@code sv_idle} + {@code sv_used} + {@code sv_tested})
 * @param serversLogin server connections logging in ({@code sv_login})
 * @param poolSize the most server connections PgBouncer opens for one user of the database ({@code pool_size})
 */
public record PoolerStats(String database, String user, long clientsActive, long clientsWaiting, long maxWaitMicros,
        long serversActive, long serversIdle, long serversLogin, long poolSize) {

    /** Reads every pool over one admin-console connection. */
    public static List<PoolerStats> read(Endpoint pooler, Login login) throws SQLException {
        try (var session = PoolerAdmin.Session.open(pooler, login)) {
            return read(session);
        }
    }

    /** Reads every pool over an open admin-console session (kept between reads by the metrics poll). */
    public static List<PoolerStats> read(PoolerAdmin.Session session) throws SQLException {
        var results = session.run("SHOW POOLS", "SHOW DATABASES");
        return of(results.get(0), results.get(1));
    }

    /** From the rows of SHOW POOLS and SHOW DATABASES (text values, as the console sends them). */
    static List<PoolerStats> of(List<Map<String, String>> pools, List<Map<String, String>> databases) {
        var poolSize = new TreeMap<String, Long>();
        for (var db : databases) {
            poolSize.put(db.get("name"), number(db, "pool_size"));
        }
        var out = new java.util.ArrayList<PoolerStats>();
        for (var p : pools) {
            String database = p.get("database");
            if (database == null || "pgbouncer".equals(database)) {
                continue;
            }
            out.add(new PoolerStats(database, String.valueOf(p.get("user")), number(p, "cl_active"), number(p, "cl_waiting"),
                    number(p, "maxwait") * 1_000_000 + number(p, "maxwait_us"), number(p, "sv_active"),
                    number(p, "sv_idle") + number(p, "sv_used") + number(p, "sv_tested"), number(p, "sv_login"),
                    poolSize.getOrDefault(database, 0L)));
        }
        return List.copyOf(out);
    }

    private static long number(Map<String, String> row, String column) {
        String v = row.get(column);
        if (v == null || v.isEmpty()) {
            return 0;
        }
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
