package io.learningdb.operator.postgres;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.agroal.api.AgroalDataSource;
import io.agroal.api.configuration.supplier.AgroalDataSourceConfigurationSupplier;
import io.agroal.api.security.NamePrincipal;
import io.agroal.api.security.SimplePassword;

/**
 * Small Agroal pools, one per instance endpoint, login and database, with short connect and statement timeouts so an
 * unreachable database costs a poll a few seconds, never a reconcile thread. A pool whose connection failed is
 * closed and rebuilt on next use; pools unused for a while are closed by {@link #evictIdle(Duration)}.
 */
public final class ConnectionPools implements AutoCloseable {

    /** Timeouts in seconds. */
    public record Timeouts(int connect, int statement) {
    }

    private record Key(Endpoint endpoint, Login login, String database) {
    }

    private record Pool(AgroalDataSource dataSource, long lastUsedNanos) {
    }

    private final Map<Key, Pool> pools = new ConcurrentHashMap<>();
    private final Timeouts timeouts;

    public ConnectionPools(Timeouts timeouts) {
        this.timeouts = timeouts;
    }

    /** A connection to {@code database} on the endpoint; the caller closes it (returns it to the pool). */
    public Connection connect(Endpoint endpoint, Login login, String database) throws SQLException {
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

    /** Closes the pools of an endpoint (every database) after a failure, so the next use reconnects from scratch. */
    public void invalidate(Endpoint endpoint, Login login) {
        pools.entrySet().removeIf(e -> {
            boolean match = e.getKey().endpoint().equals(endpoint) && e.getKey().login().equals(login);
            if (match) {
                e.getValue().dataSource().close();
            }
            return match;
        });
    }

    public void evictIdle(Duration idle) {
        long cutoff = System.nanoTime() - idle.toNanos();
        pools.forEach((k, p) -> {
            if (p.lastUsedNanos() < cutoff && pools.remove(k, p)) {
                p.dataSource().close();
            }
        });
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
    }
}
