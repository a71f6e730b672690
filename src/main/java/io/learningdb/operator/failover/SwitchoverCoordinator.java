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
 * A planned change of primary, requested with the annotation {@code learningdb.io/switchover-to: <pod>}. The old
 * primary is fenced (read-only, client sessions ended), the target replays everything it wrote, and only then is
 * the target promoted: no committed transaction is lost. While the target replays, the reconcile is rescheduled
 * (no thread waits). The target and the start time are in status (targetPrimary), written before the first step,
 * so an operator restart or a conflict resumes the switchover. If the target does not catch up in time the old
 * primary is unfenced and stays primary.
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
        if (ordinal.isEmpty() || ordinal.getAsInt() > ldb.getSpec().getReplicas()) {
            return new Rejected(target + " is not an instance of this cluster");
        }
        Pod targetPod = pod(pods, target);
        Pod primaryPod = pod(pods, primary);
        if (targetPod == null || !StatusAggregator.isReady(targetPod)) {
            return new Rejected(target + " is not ready");
        }
        if (primaryPod == null || !StatusAggregator.isReady(primaryPod)) {
            return new Rejected("the current primary " + primary + " is not ready (failover handles a lost primary)");
        }
        Endpoint oldEndpoint = addresses.of(ldb, primary);
        Endpoint newEndpoint = addresses.of(ldb, target);
        try (Connection old = databases.pools().connect(oldEndpoint, login, "postgres");
                Connection next = databases.pools().connect(newEndpoint, login, "postgres")) {
            if (!Promotion.position(next).inRecovery()) {
                // promoted by an earlier step of this switchover whose outcome was not recorded
                LOG.infof("%s/%s: %s already promoted: completing the switchover", ldb.getMetadata().getNamespace(),
                        ldb.getMetadata().getName(), target);
                return new Switched(primary, target, elapsedMillis);
            }
            long fencedAt = Promotion.fence(old); // idempotent: every attempt fences again and re-reads the position
            long replayed = Promotion.position(next).replayLsn();
            if (replayed < fencedAt) {
                if (elapsedMillis > CATCH_UP.toMillis()) {
                    return new Rejected(target + " did not replay the primary's last WAL within " + CATCH_UP.toSeconds()
                            + "s; " + primary + " stays primary");
                }
                return new CatchingUp(target, fencedAt - replayed);
            }
            Promotion.promote(next, FailoverCoordinator.PROMOTE_WAIT_SECONDS);
            Promotion.ensureSlots(next, Names.otherInstances(ldb, target).stream().map(Names::slotName).toList());
        } catch (SQLException e) {
            databases.pools().invalidate(oldEndpoint, login);
            databases.pools().invalidate(newEndpoint, login);
            return new Rejected("switchover to " + target + " failed: " + e.getMessage());
        }
        long millis = Math.max(0, Duration.between(since, Instant.now()).toMillis());
        LOG.infof("%s/%s: switched over from %s to %s in %d ms", ldb.getMetadata().getNamespace(),
                ldb.getMetadata().getName(), primary, target, millis);
        return new Switched(primary, target, millis);
    }

    private static Pod pod(List<Pod> pods, String name) {
        return pods.stream().filter(p -> p.getMetadata().getName().equals(name)).findFirst().orElse(null);
    }
}
