package io.learningdb.operator.failover;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.learningdb.operator.status.StatusAggregator;

/**
 * A drain of the primary's node becomes a planned switchover. {@code kubectl drain} (and the cluster autoscaler
 * before it removes a node) first marks the node: cordoned ({@code spec.unschedulable}) or tainted
 * {@code ToBeDeletedByClusterAutoscaler}. The primary's own PodDisruptionBudget refuses its eviction meanwhile, so
 * the operator switches over to a ready replica on a node that stays, and the eviction then takes a replica.
 * <p>
 * A pure decision over the pods and what is known of their nodes.
 */
public final class NodeDrain {

    /** The cluster autoscaler's mark on a node it is about to drain and delete. */
    public static final String AUTOSCALER_TAINT = "ToBeDeletedByClusterAutoscaler";

    public sealed interface Decision permits SwitchTo, NoTarget {
    }

    /** Switch over to {@code target} before the primary is evicted from {@code node}. */
    public record SwitchTo(String target, String node) implements Decision {
    }

    /** The primary's node is draining and no replica can take over: its eviction stays refused. */
    public record NoTarget(String node, String reason) implements Decision {
    }

    private NodeDrain() {
    }

    public static boolean draining(Node node) {
        if (node.getSpec() == null) {
            return false;
        }
        return Boolean.TRUE.equals(node.getSpec().getUnschedulable()) || node.getSpec().getTaints() != null
                && node.getSpec().getTaints().stream().anyMatch(t -> AUTOSCALER_TAINT.equals(t.getKey()));
    }

    /**
     * Empty while the primary's node is not draining (or unknown). Otherwise the replica to switch over to: ready,
     * not being deleted, on another node that is known and not draining; the least lag at the last measurement
     * first (unknown last), then the lowest ordinal.
     */
    public static Optional<Decision> decide(String primary, List<Pod> instances, Function<String, Optional<Node>> nodes,
            Map<String, Long> lagBytes) {
        Optional<String> primaryNode = instances.stream().filter(p -> p.getMetadata().getName().equals(primary))
                .findFirst().map(NodeDrain::nodeName);
        if (primaryNode.isEmpty() || !nodes.apply(primaryNode.get()).map(NodeDrain::draining).orElse(false)) {
            return Optional.empty();
        }
        String node = primaryNode.get();
        return Optional.of(instances.stream()
                .filter(p -> !p.getMetadata().getName().equals(primary))
                .filter(StatusAggregator::isReady)
                .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
                .filter(p -> nodeName(p) != null && !nodeName(p).equals(node))
                .filter(p -> nodes.apply(nodeName(p)).map(n -> !draining(n)).orElse(false))
                .min(Comparator.<Pod> comparingLong(p -> lagBytes.getOrDefault(p.getMetadata().getName(), Long.MAX_VALUE))
                        .thenComparingInt(StatusAggregator::ordinal))
                .<Decision> map(p -> new SwitchTo(p.getMetadata().getName(), node))
                .orElseGet(() -> new NoTarget(node, "node " + node + " of primary " + primary + " is draining, but no "
                        + "replica is ready on another node that stays: the primary's eviction is refused (its "
                        + "PodDisruptionBudget) until one is")));
    }

    private static String nodeName(Pod pod) {
        return pod.getSpec() == null ? null : pod.getSpec().getNodeName();
    }
}
