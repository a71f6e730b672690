package io.learningdb.operator.failover;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.fabric8.kubernetes.api.model.Pod;
import io.learningdb.operator.model.LearningDatabase;
import io.learningdb.operator.postgres.Endpoint;
import io.learningdb.operator.postgres.Login;
import io.learningdb.operator.postgres.Promotion;
import io.learningdb.operator.replication.Databases;
import io.learningdb.operator.replication.InstanceAddresses;
import io.learningdb.operator.resources.Names;
import io.learningdb.operator.status.StatusAggregator;

/**
 * A planned change of primary, requested with the annotation {@code learningdb.io/switchover-to: <pod>} (or started
 * by the operator for a rolling update or a scale-down). Demotion is a clean stop of the old primary, as Patroni and
 * CloudNativePG do it, because a read-only setting can be bypassed (BEGIN READ WRITE, a session that connected while
 * the setting was being reloaded):
 * <ol>
 * <li>the old primary is fenced (read-only, client sessions ended) so that little is written, and the target
 * replays up to that point (the reconcile is rescheduled meanwhile, no thread waits);</li>
 * <li>every pod is labelled replica and the old primary's pod is deleted: its container stops with a fast shutdown,
 * whose walsenders send all its WAL, the shutdown checkpoint included, to the replicas before it exits
 * ({@link Demoting});</li>
 * <li>once the old primary no longer answers and the target's WAL receiver has nothing more to receive, the target
 * is promoted and labelled primary; the old primary's new pod comes back labelled replica and rejoins.</li>
 * </ol>
 * No commit acknowledged by the old primary can be missing on the target. The target and the start time are in
 * status (targetPrimary), written before the first step, so an operator restart or a conflict resumes the
 * switchover. If the target does not catch up before demotion, every exit path unfences the old primary, which
 * stays primary; once demotion has begun there is no going back, only forward to the target.
 */
@ApplicationScoped
public class SwitchoverCoordinator {

    public static final String ANNOTATION = "learningdb.io/switchover-to";
    private static final Logger LOG = Logger.getLogger(SwitchoverCoordinator.class);
    static final Duration CATCH_UP = Duration.ofSeconds(30);

    public sealed interface Outcome {
    }

    public record Switched(String from, String to, long millis) implements Outcome {
    }

    public record Rejected(String reason) implements Outcome {
    }

    /** The primary is fenced and the target is still replaying: look again shortly (no thread waits). */
    public record CatchingUp(String target, long behindBytes) implements Outcome {
    }

    /**
     * The target has replayed what the fenced primary wrote: label every pod replica and delete the old primary's
     * pod (a fast shutdown that sends its last WAL); look again shortly.
     */
    public record Demoting(String primary, String target) implements Outcome {
    }

    @Inject
    Databases databases;

    @Inject
    InstanceAddresses addresses;

    public static Optional<String> requested(LearningDatabase ldb) {
        return Optional.ofNullable(ldb.getMetadata().getAnnotations()).map(a -> a.get(ANNOTATION));
    }

    /**
     * One step of the switchover to {@code target}, which status recorded (targetPrimary) before this is called;
     * {@code since} is when it was recorded, from status too, so the deadline survives an operator restart. Every
     * step is idempotent: a target already promoted by an earlier step whose outcome was never recorded counts as
     * switched.
     */
    public Outcome switchover(LearningDatabase ldb, String primary, String target, List<Pod> pods, Login login,
            Instant since) {
        Outcome outcome = step(ldb, primary, target, pods, login, since);
        if (outcome instanceof Rejected) {
            unfenceQuietly(ldb, primary, login); // an earlier step may have fenced it: every exit path unfences
        }
        return outcome;
    }

    private void unfenceQuietly(LearningDatabase ldb, String primary, Login login) {
        Endpoint endpoint = addresses.of(ldb, primary);
        try (Connection old = databases.pools().connect(endpoint, login, "postgres")) {
            Promotion.unfence(old);
        } catch (SQLException e) {
            databases.pools().invalidate(endpoint, login);
            LOG.warnf("%s/%s: could not unfence %s after a rejected switchover: %s", ldb.getMetadata().getNamespace(),
                    ldb.getMetadata().getName(), primary, e.getMessage());
        }
    }

    private Outcome step(LearningDatabase ldb, String primary, String target, List<Pod> pods, Login login,
            Instant since) {
        long elapsedMillis = Math.max(0, Duration.between(since, Instant.now()).toMillis());
        var ordinal = Names.instanceOrdinal(ldb, target);
        if (ordinal.isEmpty() || !Names.isMember(ldb, ordinal.getAsInt())) {
            return new Rejected(target + " is not an instance of this cluster");
        }
        Pod targetPod = pod(pods, target);
        Pod primaryPod = pod(pods, primary);
        boolean demoting = demoting(primaryPod);
        if (!demoting && (targetPod == null || !StatusAggregator.isReady(targetPod))) {
            return new Rejected(target + " is not ready");
        }
        if (!demoting && !StatusAggregator.isReady(primaryPod)) {
            return new Rejected("the current primary " + primary + " is not ready (failover handles a lost primary)");
        }
        Endpoint newEndpoint = addresses.of(ldb, target);
        try (Connection next = databases.pools().connect(newEndpoint, login, "postgres")) {
            if (!Promotion.position(next).inRecovery()) {
                // promoted by an earlier step of this switchover whose outcome was not recorded
                LOG.infof("%s/%s: %s already promoted: completing the switchover", ldb.getMetadata().getNamespace(),
                        ldb.getMetadata().getName(), target);
                return new Switched(primary, target, elapsedMillis);
            }
            if (demoting) {
                return promoteOnceStopped(ldb, primary, target, next, login, since);
            }
            Endpoint oldEndpoint = addresses.of(ldb, primary);
            try (Connection old = databases.pools().connect(oldEndpoint, login, "postgres")) {
                long fencedAt = Promotion.fence(old); // idempotent: every attempt fences again and re-reads the position
                long replayed = Promotion.position(next).replayLsn();
                if (replayed < fencedAt) {
                    if (elapsedMillis > CATCH_UP.toMillis()) {
                        return new Rejected(target + " did not replay the primary's last WAL within " + CATCH_UP.toSeconds()
                                + "s; " + primary + " stays primary");
                    }
                    return new CatchingUp(target, fencedAt - replayed);
                }
                return new Demoting(primary, target);
            } catch (SQLException e) {
                databases.pools().invalidate(oldEndpoint, login);
                return new Rejected("switchover to " + target + ": fencing " + primary + " failed: " + e.getMessage());
            }
        } catch (SQLException e) {
            databases.pools().invalidate(newEndpoint, login);
            if (demoting) {
                return new Demoting(primary, target); // no way back once the old primary is stopping: retry
            }
            return new Rejected("switchover to " + target + " failed: " + e.getMessage());
        }
    }

    /** Demotion has begun when the old primary's pod is no longer labelled primary, is being deleted, or is gone. */
    static boolean demoting(Pod primaryPod) {
        return primaryPod == null || primaryPod.getMetadata().getDeletionTimestamp() != null
                || !io.learningdb.operator.resources.Labels.ROLE_PRIMARY.equals(
                        primaryPod.getMetadata().getLabels().get(io.learningdb.operator.resources.Labels.ROLE));
    }

    /**
     * The old primary is being stopped. Promote the target only once the old primary does not answer as a primary
     * and the target's WAL receiver no longer streams: everything the old primary sent has arrived.
     */
    private Outcome promoteOnceStopped(LearningDatabase ldb, String primary, String target, Connection next, Login login,
            Instant since) throws SQLException {
        Endpoint oldEndpoint = addresses.of(ldb, primary);
        try (Connection old = databases.pools().connect(oldEndpoint, login, "postgres")) {
            if (!Promotion.position(old).inRecovery()) {
                return new Demoting(primary, target); // still shutting down
            }
        } catch (SQLException e) {
            databases.pools().invalidate(oldEndpoint, login); // stopped: what we wait for
        }
        try (var st = next.createStatement();
                var rs = st.executeQuery("SELECT count(*) FROM pg_stat_wal_receiver WHERE status = 'streaming'")) {
            rs.next();
            if (rs.getInt(1) > 0) {
                return new Demoting(primary, target); // the receiver has not seen the end of the stream yet
            }
        }
        Promotion.promote(next, FailoverCoordinator.PROMOTE_WAIT_SECONDS);
        Promotion.ensureSlots(next, Names.otherInstances(ldb, target).stream().map(Names::slotName).toList());
        long millis = Math.max(0, Duration.between(since, Instant.now()).toMillis());
        LOG.infof("%s/%s: switched over from %s to %s in %d ms", ldb.getMetadata().getNamespace(),
                ldb.getMetadata().getName(), primary, target, millis);
        return new Switched(primary, target, millis);
    }

    private static Pod pod(List<Pod> pods, String name) {
        return pods.stream().filter(p -> p.getMetadata().getName().equals(name)).findFirst().orElse(null);
    }
}
