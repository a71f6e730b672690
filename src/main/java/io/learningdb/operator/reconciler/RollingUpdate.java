package io.learningdb.operator.reconciler;

import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.learningdb.operator.model.LearningDatabase;
import io.learningdb.operator.resources.InstanceStatefulSet;
import io.learningdb.operator.resources.Labels;
import io.learningdb.operator.resources.Names;
import io.learningdb.operator.status.StatusAggregator;

/**
 * Rolling updates of the instances (the StatefulSet is OnDelete): a pod whose config hash, TLS fingerprint or image differs from
 * the template is outdated. Replicas are restarted one at a time, the next only when every instance is ready
 * again; when only the primary is left, the operator switches over to an updated replica, and the switchover
 * restarts the old primary. What is outdated is read from the pods themselves, so nothing is kept in memory.
 */
final class RollingUpdate {

    private RollingUpdate() {
    }

    static boolean outdated(Pod pod, PodTemplateSpec template) {
        // config hash and TLS certificate fingerprint (present only while TLS is on): any difference rolls the pod
        return !Objects.equals(Labels.ownAnnotations(template.getMetadata().getAnnotations()),
                Labels.ownAnnotations(pod.getMetadata().getAnnotations()))
                || !Objects.equals(image(template.getSpec().getContainers()),
                        image(pod.getSpec() == null ? List.of() : pod.getSpec().getContainers()));
    }

    private static String image(List<io.fabric8.kubernetes.api.model.Container> containers) {
        return containers.stream().filter(c -> InstanceStatefulSet.CONTAINER.equals(c.getName()))
                .map(io.fabric8.kubernetes.api.model.Container::getImage).findFirst().orElse(null);
    }

    private static boolean allReady(LearningDatabase ldb, List<Pod> pods) {
        return pods.size() >= Names.members(ldb) && pods.stream().allMatch(StatusAggregator::isReady);
    }

    /** The outdated replica to restart now, if every instance is ready (one at a time, lowest ordinal first). */
    static Optional<String> nextReplicaToRestart(LearningDatabase ldb, String primary, List<Pod> pods,
            Optional<PodTemplateSpec> template) {
        if (template.isEmpty() || !allReady(ldb, pods)) {
            return Optional.empty();
        }
        return pods.stream()
                .filter(p -> !p.getMetadata().getName().equals(primary))
                .filter(p -> outdated(p, template.get()))
                .min(Comparator.comparingInt(StatusAggregator::ordinal))
                .map(p -> p.getMetadata().getName());
    }

    /** When the primary is the last outdated instance: the updated replica to switch over to. */
    static Optional<String> switchoverTarget(LearningDatabase ldb, String primary, List<Pod> pods,
            Optional<PodTemplateSpec> template) {
        if (template.isEmpty() || ldb.getSpec().getReplicas() == 0 || !allReady(ldb, pods)) {
            return Optional.empty();
        }
        var primaryPod = pods.stream().filter(p -> p.getMetadata().getName().equals(primary)).findFirst();
        boolean replicasUpdated = pods.stream().filter(p -> !p.getMetadata().getName().equals(primary))
                .noneMatch(p -> outdated(p, template.get()));
        if (primaryPod.isEmpty() || !outdated(primaryPod.get(), template.get()) || !replicasUpdated) {
            return Optional.empty();
        }
        return pods.stream().filter(p -> !p.getMetadata().getName().equals(primary))
                .filter(p -> Names.isMember(ldb, StatusAggregator.ordinal(p)))
                .min(Comparator.comparingInt(StatusAggregator::ordinal))
                .map(p -> p.getMetadata().getName());
    }
}
