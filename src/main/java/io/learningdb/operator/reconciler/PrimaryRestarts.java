package io.learningdb.operator.reconciler;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import io.fabric8.kubernetes.api.model.Pod;
import io.learningdb.operator.model.LearningDatabase;
import io.learningdb.operator.model.LearningDatabaseStatus;
import io.learningdb.operator.model.PrimaryRestartStatus;
import io.learningdb.operator.resources.Names;
import io.learningdb.operator.status.Rollout;
import io.learningdb.operator.status.StatusAggregator;

/**
 * Restarting the primary in place, as a pure decision over what is observed. Lowering a setting a hot standby must not
 * run below the primary's (max_connections, max_worker_processes, max_wal_senders, max_prepared_transactions,
 * max_locks_per_transaction) cannot go replicas first — a replica restarted with the lower value refuses to start
 * while the primary runs the higher one — nor by a switchover, which would hand the primary role to an instance still
 * running the higher value. So the primary restarts first, in place: a few seconds without writes (fast shutdown,
 * then the pod again on the same volume), then the replicas roll as usual.
 *
 * <p>The intent is recorded in status.primaryRestart before the pod is deleted (in a later reconcile), so an operator
 * restart resumes it. Meanwhile failover does not act on that primary: its loss is planned. The wait is bounded: a
 * primary not back within {@link #PATIENCE} is a lost primary again, and failover applies.
 */
public final class PrimaryRestarts {

    public static final Duration PATIENCE = Duration.ofMinutes(2);
    /** Progressing reason while the primary restarts. */
    public static final String REASON = "PrimaryRestart";

    private PrimaryRestarts() {
    }

    public enum Action {
        NONE, DELETE_POD
    }

    /** The next status.primaryRestart (null: none), what to do, and the event to record (Normal; Warning if late). */
    public record Decision(PrimaryRestartStatus next, Action action, String event, boolean late) {
        static Decision none() {
            return new Decision(null, Action.NONE, null, false);
        }
    }

    static Optional<PrimaryRestartStatus> record(LearningDatabase ldb) {
        return Optional.ofNullable(ldb.getStatus()).map(LearningDatabaseStatus::getPrimaryRestart);
    }

    /** While the recorded restart of {@code primary} is within its patience, failover leaves that primary alone. */
    public static boolean suppressesFailover(LearningDatabase ldb, String primary, Instant now) {
        return record(ldb).filter(r -> r.getPod().equals(primary))
                .filter(r -> now.isBefore(Instant.parse(r.getSince()).plus(PATIENCE))).isPresent();
    }

    /**
     * A restart of the primary in place is needed: a replica-bound setting is lowered, nothing else holds restarts
     * (no value refused, every instance on the current configuration), every instance is ready, no switchover or
     * major upgrade is under way.
     */
    static boolean needed(LearningDatabase ldb, String primary, List<Pod> pods, Rollout rollout) {
        var status = ldb.getStatus();
        return !rollout.lowered().isEmpty() && rollout.loading().isEmpty() && rollout.refused().isEmpty()
                && rollout.needsRestart(primary) && pods.size() >= Names.members(ldb)
                && pods.stream().allMatch(StatusAggregator::isReady)
                && pods.stream().anyMatch(p -> p.getMetadata().getName().equals(primary))
                && (status == null || status.getTargetPrimary() == null) && !MajorUpgrades.underWay(ldb);
    }

    public static Decision decide(LearningDatabase ldb, String primary, List<Pod> pods, Rollout rollout, Instant now) {
        var recorded = record(ldb).orElse(null);
        if (recorded == null) {
            if (!needed(ldb, primary, pods, rollout)) {
                return Decision.none();
            }
            Pod pod = pods.stream().filter(p -> p.getMetadata().getName().equals(primary)).findFirst().orElseThrow();
            String reason = "lowering " + String.join(", ", rollout.lowered());
            return new Decision(new PrimaryRestartStatus(primary, pod.getMetadata().getUid(), reason, now.toString()),
                    Action.NONE, "restarting primary " + primary + " in place (" + reason + "; a replica refuses to run "
                            + "below the primary's value, so the primary goes first): a few seconds without writes, "
                            + "then the replicas", false);
        }
        if (!recorded.getPod().equals(primary)) {
            return Decision.none(); // the primary changed meanwhile (failed over after the patience): nothing to finish
        }
        Instant since = Instant.parse(recorded.getSince());
        var pod = pods.stream().filter(p -> p.getMetadata().getName().equals(primary)).findFirst();
        boolean replaced = pod.filter(p -> !p.getMetadata().getUid().equals(recorded.getUid())).isPresent();
        if (replaced && StatusAggregator.isReady(pod.get())) {
            return new Decision(null, Action.NONE, "primary " + primary + " restarted in place in "
                    + Duration.between(since, now).toSeconds() + " s (" + recorded.getReason() + ")", false);
        }
        if (!now.isBefore(since.plus(PATIENCE))) {
            return new Decision(null, Action.NONE, "primary " + primary + " is not back " + PATIENCE.toMinutes()
                    + " minutes after its restart in place (" + recorded.getReason() + "): failover applies to it again",
                    true);
        }
        boolean toStop = pod.filter(p -> p.getMetadata().getUid().equals(recorded.getUid())
                && p.getMetadata().getDeletionTimestamp() == null).isPresent();
        return new Decision(recorded, toStop ? Action.DELETE_POD : Action.NONE, null, false);
    }
}
