package io.learningdb.operator.replication;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.polling.PerResourcePollingEventSource;
import io.learningdb.operator.model.LearningDatabase;
import io.learningdb.operator.postgres.ConnectionFailure;
import io.learningdb.operator.postgres.PrimaryHealth;

/**
 * Detects the loss of a primary within seconds, faster than the kubelet's readiness probe (every 5 s, 3 failures)
 * plus failover.delaySeconds, and more safely: every {@link #INTERVAL} the operator runs {@code SELECT 1} on the
 * primary over its pooled connection; after {@link #CONFIRMATIONS} consecutive failures it asks each replica whether
 * its WAL receiver still streams from the primary. Only when none does is the primary reported down (an event, so a
 * reconcile follows at once). Nothing is written to the API server while the answer does not change.
 */
@ApplicationScoped
public class PrimaryWatch implements PerResourcePollingEventSource.ResourceFetcher<PrimaryHealth, LearningDatabase> {

    private static final Logger LOG = Logger.getLogger(PrimaryWatch.class);
    public static final Duration INTERVAL = Duration.ofSeconds(1);
    static final int CONFIRMATIONS = 2;
    public static final String RECEIVER_SQL = "SELECT count(*) FROM pg_stat_wal_receiver WHERE status = 'streaming'";

    @Inject
    ReplicationMonitor monitor;

    @Inject
    InstanceAddresses addresses;

    @Inject
    Databases databases;

    private final Map<ResourceID, Integer> failures = new ConcurrentHashMap<>();

    @Override
    public Set<PrimaryHealth> fetchResources(LearningDatabase ldb) {
        var id = ResourceID.fromResource(ldb);
        var target = monitor.target(id);
        if (target.isEmpty()) {
            failures.remove(id);
            return Set.of();
        }
        String primary = target.get().primary();
        var login = target.get().login();
        var endpoint = addresses.of(ldb, primary);
        try (Connection c = databases.pools().connect(endpoint, login, "postgres"); Statement st = c.createStatement()) {
            st.execute("SELECT 1");
            failures.remove(id);
            return Set.of(PrimaryHealth.up(primary));
        } catch (SQLException e) {
            databases.pools().invalidate(endpoint, login);
            int n = failures.merge(id, 1, Integer::sum);
            if (n < CONFIRMATIONS) {
                return Set.of(PrimaryHealth.up(primary)); // one failed query is not a lost primary
            }
            var receivers = receivers(ldb, target.get());
            // proof needs a witness: a replica that answers and does not stream. A replica the operator cannot
            // reach says nothing (the operator may be the one cut off from everything).
            boolean down = receivers.answering() > 0 && receivers.streaming() == null;
            String detail = "the operator cannot connect to " + primary + " (" + ConnectionFailure.describe(e) + ", " + n
                    + " checks in a row)" + (down ? " and no replica's WAL receiver streams from it"
                            : receivers.streaming() != null ? " but " + receivers.streaming() + " still streams from it"
                                    : " and no replica answers either");
            LOG.debugf("%s: %s", id, detail);
            return Set.of(new PrimaryHealth(primary, false, !down, detail).quantized());
        }
    }

    record Receivers(int answering, String streaming) {
    }

    /** How many replicas answer, and one whose WAL receiver streams (from the primary: there is nothing else). */
    private Receivers receivers(LearningDatabase ldb, ReplicationMonitor.Target target) {
        int answering = 0;
        for (String replica : target.replicas()) {
            var endpoint = addresses.of(ldb, replica);
            try (Connection c = databases.pools().connect(endpoint, target.login(), "postgres");
                    Statement st = c.createStatement(); ResultSet rs = st.executeQuery(RECEIVER_SQL)) {
                rs.next();
                answering++;
                if (rs.getInt(1) > 0) {
                    return new Receivers(answering, replica);
                }
            } catch (SQLException e) {
                databases.pools().invalidate(endpoint, target.login());
            }
        }
        return new Receivers(answering, null);
    }

    @Override
    public Optional<Duration> fetchDelay(Set<PrimaryHealth> last, LearningDatabase ldb) {
        return Optional.of(INTERVAL);
    }

    void forget(ResourceID id) {
        failures.remove(id);
    }
}
