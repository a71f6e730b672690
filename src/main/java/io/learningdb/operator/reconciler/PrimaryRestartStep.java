package io.learningdb.operator.reconciler;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Pod;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.learningdb.operator.model.LearningDatabase;
import io.learningdb.operator.model.LearningDatabaseStatus;
import io.learningdb.operator.status.Conditions;
import io.learningdb.operator.status.EventRecorder;
import io.learningdb.operator.status.Rollout;

/** The reconcile step that carries out {@link PrimaryRestarts}' decision. */
final class PrimaryRestartStep {

    /** How soon to look again while the primary restarts. */
    static final Duration POLL = Duration.ofSeconds(2);

    private PrimaryRestartStep() {
    }

    /**
     * Restarting the primary in place (see {@link PrimaryRestarts}): the intent goes into {@code next} first; the pod
     * is deleted in a later reconcile, from the recorded intent; Progressing says so until the primary is back.
     */
    static Optional<Duration> act(LearningDatabase ldb, Context<LearningDatabase> context, String primary, List<Pod> pods,
            Rollout rollout, LearningDatabaseStatus next, EventRecorder events, Instant now) {
        var decision = PrimaryRestarts.decide(ldb, primary, pods, rollout, now);
        var restart = decision.next();
        if (decision.action() == PrimaryRestarts.Action.DELETE_POD) {
            var pod = context.getClient().pods().inNamespace(ldb.getMetadata().getNamespace()).withName(restart.getPod());
            var current = pod.get();
            if (current != null && restart.getUid().equals(current.getMetadata().getUid())) {
                pod.delete();
                events.record(ldb, EventRecorder.NORMAL, PrimaryRestarts.REASON, "stopping primary " + restart.getPod()
                        + " (fast shutdown) to start it again in place: " + restart.getReason());
            }
        }
        next.setPrimaryRestart(restart);
        if (decision.event() != null) {
            events.record(ldb, decision.late() ? EventRecorder.WARNING : EventRecorder.NORMAL,
                    decision.late() ? "PrimaryRestartLate" : restart != null ? "PrimaryRestartPlanned" : "PrimaryRestarted",
                    decision.event());
        }
        if (restart != null) {
            List<Condition> previousConditions = ldb.getStatus() == null ? List.of() : ldb.getStatus().getConditions();
            Conditions.set(next.getConditions(), previousConditions, Conditions.PROGRESSING, true, PrimaryRestarts.REASON,
                    "restarting primary " + restart.getPod() + " in place (" + restart.getReason() + "), then the "
                            + "replicas; failover waits for it until " + Instant.parse(restart.getSince())
                                    .plus(PrimaryRestarts.PATIENCE),
                    next.getObservedGeneration(), now);
            return Optional.of(POLL);
        }
        return decision.event() != null ? Optional.of(Duration.ofSeconds(1)) : Optional.empty();
    }
}
