package io.learningdb.operator.postgres;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

import io.agroal.api.AgroalDataSource;
import io.agroal.api.configuration.supplier.AgroalDataSourceConfigurationSupplier;
import io.agroal.api.security.NamePrincipal;
import io.agroal.api.security.SimplePassword;

/**
 * Small Agroal pools, one per instance endpoint, login and database, with short connect and statement timeouts so an
 * unreachable database costs a poll a few seconds, never a reconcile thread. A pool whose connection failed is
 * retired and rebuilt on next use. A retired pool is closed only once no caller can still be using it (after the
 * longest a connect and a statement can take): closing it at once handed the threads that had just taken it
 * Agroal's "the pool is shutting down" instead of the database's answer. Pools unused for {@link #IDLE} are closed
 * too (a deleted cluster's, say), checked at most once a minute on use.
 */
public final class ConnectionPools implements AutoCloseable {

    static final Duration IDLE = Duration.ofMinutes(10);
    private static final long SWEEP_EVERY_NANOS = Duration.ofMinutes(1).toNanos();

    /** Timeouts in seconds. */
    public record Timeouts(int connect, int statement) {
    }

    private record Key(Endpoint endpoint, Login login, String database) {
    }

    private record Pool(AgroalDataSource dataSource, long lastUsedNanos) {
    }

    private record Retired(AgroalDataSource dataSource, long atNanos) {
    }

    private final Map<Key, Pool> pools = new ConcurrentHashMap<>();
    private final Queue<Retired> retired = new ConcurrentLinkedQueue<>();
    private final AtomicLong lastSweepNanos = new AtomicLong(System.nanoTime());
    private final Timeouts timeouts;

    public ConnectionPools(Timeouts timeouts) {
        this.timeouts = timeouts;
    }

    /** A connection to {@code database} on the endpoint; the caller closes it (returns it to the pool). */
    public Connection connect(Endpoint endpoint, Login login, String database) throws SQLException {
        sweepNowAndThen();
        var key = new Key(endpoint, login, database);
        Pool pool = pools.compute(key, (k, existing) -> new Pool(
                existing != null ? existing.dataSource() : create(endpoint, login, database), System.nanoTime()));
        try {
            return pool.dataSource().getConnection();
        } catch (SQLException e) {
            invalidate(endpoint, login);
            throw e;
        }
    }

    /** Retires the pools of an endpoint (every database) after a failure, so the next use reconnects from scratch. */
    public void invalidate(Endpoint endpoint, Login login) {
        long now = System.nanoTime();
        pools.entrySet().removeIf(e -> {
            boolean match = e.getKey().endpoint().equals(endpoint) && e.getKey().login().equals(login);
            if (match) {
                retired.add(new Retired(e.getValue().dataSource(), now));
            }
            return match;
        });
    }

    /** Closes pools unused for {@code idle} and retired pools no caller can still be using. */
    public void evictIdle(Duration idle) {
        long now = System.nanoTime();
        long cutoff = now - idle.toNanos();
        pools.forEach((k, p) -> {
            if (p.lastUsedNanos() < cutoff && pools.remove(k, p)) {
                p.dataSource().close();
            }
        });
        long inUseAtMost = Duration.ofSeconds(2L * (timeouts.connect() + timeouts.statement()) + 5).toNanos();
        for (Retired r; (r = retired.peek()) != null && now - r.atNanos() > inUseAtMost;) {
            if (retired.remove(r)) {
                r.dataSource().close();
            }
        }
    }

    private void sweepNowAndThen() {
        long now = System.nanoTime();
        long last = lastSweepNanos.get();
        if (now - last > SWEEP_EVERY_NANOS && lastSweepNanos.compareAndSet(last, now)) {
            evictIdle(IDLE);
        }
    }

    public int size() {
        return pools.size();
    }

    private AgroalDataSource create(Endpoint endpoint, Login login, String database) {
        var config = new AgroalDataSourceConfigurationSupplier()
                .connectionPoolConfiguration(pool -> pool
                        .initialSize(0)
                        .minSize(0)
                        .maxSize(2)
                        .acquisitionTimeout(Duration.ofSeconds(timeouts.connect() + 1L))
                        .reapTimeout(Duration.ofMinutes(2))
                        .connectionFactoryConfiguration(cf -> cf
                                .connectionProviderClass(org.postgresql.Driver.class)
                                .jdbcUrl(endpoint.jdbcUrl(database))
                                .principal(new NamePrincipal(login.user()))
                                .credential(new SimplePassword(login.password()))
                                .jdbcProperty("connectTimeout", Integer.toString(timeouts.connect()))
                                .jdbcProperty("loginTimeout", Integer.toString(timeouts.connect()))
                                .jdbcProperty("socketTimeout", Integer.toString(timeouts.statement() + 2))
                                .jdbcProperty("options", "-c statement_timeout=" + timeouts.statement() * 1000)
                                .jdbcProperty("ApplicationName", "learningdb-operator")
                                .jdbcProperty("prepareThreshold", "0")));
        try {
            return AgroalDataSource.from(config);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create connection pool for " + endpoint, e);
        }
    }

    @Override
    public void close() {
        pools.values().forEach(p -> p.dataSource().close());
        pools.clear();
        for (Retired r; (r = retired.poll()) != null;) {
            r.dataSource().close();
        }
    }
}
