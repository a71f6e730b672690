package io.learningdb.operator.failover;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import io.fabric8.kubernetes.api.model.Pod;

/**
 * Instance pods whose deletion the kubelet has not completed long after their grace period: the node does not
 * answer, so the StatefulSet cannot recreate that ordinal.
 * <p>
 * The operator reports them and does <em>not</em> force-delete them. A force delete removes the API object only; if
 * the node is merely cut off, its PostgreSQL keeps running on the volume while the StatefulSet starts a second pod
 * of the same name that may mount the same volume — two writers on one data directory. Failover does not need it
 * (the primary is replaced once confirmed down with a witness, and an isolated primary stops itself); only the
 * return of that ordinal waits. Kubernetes frees it safely once someone who knows the node is gone says so: deleting
 * the Node, or the {@code node.kubernetes.io/out-of-service} taint (non-graceful node shutdown), which also detaches
 * the volume.
 */
public final class StuckTerminating {

    /** Past the deletion deadline (request + grace period) a healthy kubelet has long killed and removed the pod. */
    public static final Duration MARGIN = Duration.ofSeconds(60);

    public record Stuck(String pod, String uid, String node, Duration overdue) {

        public String message() {
            return "pod " + pod + (node == null ? "" : " on node " + node) + " has been terminating for "
                    + overdue.toSeconds() + " s past its grace period: its node does not complete the deletion, so "
                    + "this instance cannot come back. The operator does not force-delete it (a cut-off node may "
                    + "still run it on the same volume). Once the node is known to be down, delete the Node or taint "
                    + "it node.kubernetes.io/out-of-service=nodeshutdown:NoExecute; Kubernetes then removes the pod, "
                    + "detaches its volume, and the StatefulSet recreates it";
        }
    }

    private StuckTerminating() {
    }

    public static List<Stuck> of(List<Pod> pods, Instant now) {
        return pods.stream()
                .filter(p -> deadline(p).map(d -> now.isAfter(d.plus(MARGIN))).orElse(false))
                .map(p -> new Stuck(p.getMetadata().getName(), p.getMetadata().getUid(),
                        p.getSpec() == null ? null : p.getSpec().getNodeName(), Duration.between(deadline(p).orElseThrow(), now)))
                .toList();
    }

    /** When a pod now terminating would count as stuck, for the reconcile to look again then. */
    public static Optional<Duration> nextCheck(List<Pod> pods, Instant now) {
        return pods.stream().map(StuckTerminating::deadline).flatMap(Optional::stream)
                .map(d -> d.plus(MARGIN))
                .filter(now::isBefore)
                .map(t -> Duration.between(now, t).plusSeconds(1))
                .min(Duration::compareTo);
    }

    private static Optional<Instant> deadline(Pod pod) {
        String ts = pod.getMetadata().getDeletionTimestamp();
        if (ts == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(Instant.parse(ts));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }
}
