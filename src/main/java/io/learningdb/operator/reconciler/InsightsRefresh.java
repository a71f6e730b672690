package io.learningdb.operator.reconciler;

import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.jboss.logging.Logger;

import io.learningdb.operator.model.InsightsStatus;
import io.learningdb.operator.model.LearningDatabase;
import io.learningdb.operator.postgres.ConnectionFailure;
import io.learningdb.operator.postgres.InsightsSummary;
import io.learningdb.operator.postgres.Login;
import io.learningdb.operator.postgres.ReplicationSnapshot;
import io.learningdb.operator.postgres.Reports;
import io.learningdb.operator.replication.Databases;
import io.learningdb.operator.replication.InstanceAddresses;

/**
 * {@code status.insights}: read from the primary at most once per interval (learningdb.insights-interval, 5 minutes)
 * per cluster (one query, statement timeout as every probe), only while the primary answers the lag measurement. Between readings, and when a reading
 * fails, the previous value stays: status changes only when the rounded summary does, so an idle cluster costs no
 * API write.
 */
final class InsightsRefresh {

    private static final Logger LOG = Logger.getLogger(InsightsRefresh.class);
    /** Per cluster: when the insights were last read (or last tried). */
    private final Map<String, Instant> lastRead = new ConcurrentHashMap<>();
    /** Per cluster: the newest performance report seen (read with the insights, for ConfigMap {@code <name>-report}). */
    private final Map<String, Reports.Report> latestReport = new ConcurrentHashMap<>();

    /** Drops what is kept of a deleted cluster ({@code ns/name}). */
    void forget(String cluster) {
        lastRead.remove(cluster);
        latestReport.remove(cluster);
    }

    /** Clusters something is kept of (tests). */
    java.util.Set<String> tracked() {
        var out = new java.util.TreeSet<String>(lastRead.keySet());
        out.addAll(latestReport.keySet());
        return out;
    }

    /**
     * The insights for the next status: a fresh reading when one is due and the primary answers, else the previous.
     * {@link #recheck} says when the next reading is due.
     */
    InsightsStatus next(LearningDatabase ldb, String primary, Optional<ReplicationSnapshot> snapshot,
            Optional<Login> superuser, Databases databases, InstanceAddresses addresses, Duration every, Instant now) {
        InsightsStatus previous = ldb.getStatus() == null ? null : ldb.getStatus().getInsights();
        String key = LearningDatabaseReconciler.key(ldb);
        Instant last = lastRead.get(key);
        if (superuser.isEmpty() || snapshot.isEmpty() || !snapshot.get().reachable()
                || !primary.equals(snapshot.get().primary()) || last != null && now.isBefore(last.plus(every))) {
            return previous;
        }
        lastRead.put(key, now);
        var endpoint = addresses.of(ldb, primary);
        try (var c = databases.pools().connect(endpoint, superuser.get(), ldb.getSpec().getBootstrap().getDatabase())) {
            var summary = InsightsSummary.read(c);
            Reports.latest(c).ifPresent(r -> latestReport.put(key, r));
            return toStatus(summary, previous);
        } catch (SQLException e) {
            // the views may not exist yet (ensured asynchronously), or the primary just went away: keep what we had
            LOG.debugf("%s: insights not read from %s: %s", key, primary, ConnectionFailure.describe(e));
            return previous;
        } catch (RuntimeException e) {
            LOG.debugf("%s: insights not read from %s: %s", key, primary, e.getMessage());
            return previous;
        }
    }

    /** The newest performance report read from the cluster's primary; null before one exists. */
    Reports.Report latestReport(LearningDatabase ldb) {
        return latestReport.get(LearningDatabaseReconciler.key(ldb));
    }

    /** When the next reading is due (for the reconcile's reschedule); empty before the first. */
    Optional<Duration> recheck(LearningDatabase ldb, Duration every, Instant now) {
        Instant last = lastRead.get(LearningDatabaseReconciler.key(ldb));
        if (last == null) {
            return Optional.empty();
        }
        Duration left = Duration.between(now, last.plus(every));
        return Optional.of(left.isNegative() || left.isZero() ? Duration.ofSeconds(1) : left);
    }

    static InsightsStatus toStatus(InsightsSummary s, InsightsStatus previous) {
        var out = new InsightsStatus();
        out.setUnusedIndexes(s.unusedIndexes());
        out.setUnusedIndexNames(s.unusedIndexNames().isEmpty() ? null : s.unusedIndexNames());
        out.setMostDeadTuples(s.mostDeadTuples());
        out.setSlowestQuery(InsightsSummary.keepSlowest(previous == null ? null : previous.getSlowestQuery(),
                s.slowestQuery()));
        return out;
    }
}
