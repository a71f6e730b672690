package io.learningdb.operator.reconciler;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;

import io.fabric8.kubernetes.api.model.Pod;
import io.learningdb.operator.model.LearningDatabase;
import io.learningdb.operator.resources.Names;
import io.learningdb.operator.status.Rollout;
import io.learningdb.operator.status.StatusAggregator;

/**
 * Rolling restarts of the instances (the StatefulSet is OnDelete). A pod needs one when its container differs from
 * the template (image, scripts, certificate) or PostgreSQL reports a loaded parameter pending a restart (see
 * {@link Rollout}); configuration changes that need none are reloaded in place and restart nothing. Replicas are
 * restarted one at a time, the next only when every instance is ready again; when only the primary is left, the
 * operator switches over to an updated replica, and the switchover restarts the old primary. Nothing restarts while
 * a configuration is still reaching the instances or PostgreSQL refuses a value. What needs a restart is read from
 * the pods and the databases themselves, so nothing is kept in memory.
 */
final class RollingUpdate {

    private RollingUpdate() {
    }

    private static boolean allReady(LearningDatabase ldb, List<Pod> pods) {
        return pods.size() >= Names.members(ldb) && pods.stream().allMatch(StatusAggregator::isReady);
    }

    /** The replica to restart now, if every instance is ready (one at a time, lowest ordinal first). */
    static Optional<String> nextReplicaToRestart(LearningDatabase ldb, String primary, List<Pod> pods, Rollout rollout) {
        if (rollout.restartsHeld() || !allReady(ldb, pods)) {
            return Optional.empty();
        }
        return pods.stream()
                .filter(p -> !p.getMetadata().getName().equals(primary))
                .filter(p -> rollout.needsRestart(p.getMetadata().getName()))
                .min(Comparator.comparingInt(StatusAggregator::ordinal))
                .map(p -> p.getMetadata().getName());
    }

    /** When the primary is the last instance needing a restart: the updated replica to switch over to. */
    static Optional<String> switchoverTarget(LearningDatabase ldb, String primary, List<Pod> pods, Rollout rollout) {
        if (rollout.restartsHeld() || ldb.getSpec().getReplicas() == 0 || !allReady(ldb, pods)) {
            return Optional.empty();
        }
        boolean primaryPresent = pods.stream().anyMatch(p -> p.getMetadata().getName().equals(primary));
        boolean replicasUpdated = pods.stream().filter(p -> !p.getMetadata().getName().equals(primary))
                .noneMatch(p -> rollout.needsRestart(p.getMetadata().getName()));
        if (!primaryPresent || !rollout.needsRestart(primary) || !replicasUpdated) {
            return Optional.empty();
        }
        return pods.stream().filter(p -> !p.getMetadata().getName().equals(primary))
                .filter(p -> Names.isMember(ldb, StatusAggregator.ordinal(p)))
                .min(Comparator.comparingInt(StatusAggregator::ordinal))
                .map(p -> p.getMetadata().getName());
    }
}
