package io.learningdb.operator.reconciler;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import io.learningdb.operator.model.LearningDatabase;
import io.learningdb.operator.status.Rollout;

/**
 * Instances that have answered with an older configuration version for longer than kubelet and instance.sh ever take
 * (the mounted ConfigMap is updated within about a minute, instance.sh checks every 5 s). Such an instance is
 * restarted in turn, which installs the current files, instead of holding every restart of the cluster for ever. Kept
 * in memory, per cluster, pod and version: after an operator restart the patience starts again.
 */
final class StalledReloads {

    static final Duration PATIENCE = Duration.ofMinutes(3);

    private final Map<String, Instant> since = new ConcurrentHashMap<>();

    /** Drops what is kept of a deleted cluster ({@code ns/name}). */
    void forget(String cluster) {
        since.keySet().removeIf(k -> k.startsWith(cluster + "/"));
    }

    /** The rollout with the instances stalled for longer than {@link #PATIENCE} marked for a restart. */
    Rollout apply(LearningDatabase ldb, Rollout rollout, Instant now) {
        String prefix = ldb.getMetadata().getNamespace() + "/" + ldb.getMetadata().getName() + "/";
        Set<String> current = rollout.loading().stream().map(pod -> prefix + pod + "/" + rollout.desiredVersion())
                .collect(Collectors.toSet());
        since.keySet().removeIf(k -> k.startsWith(prefix) && !current.contains(k));
        current.forEach(k -> since.putIfAbsent(k, now));
        var stalled = rollout.loading().stream()
                .filter(pod -> !now.isBefore(since.get(prefix + pod + "/" + rollout.desiredVersion()).plus(PATIENCE)))
                .collect(Collectors.toSet());
        return stalled.isEmpty() ? rollout : rollout.withStalledReloads(stalled, PATIENCE);
    }
}
