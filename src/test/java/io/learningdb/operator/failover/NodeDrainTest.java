package io.learningdb.operator.failover;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;

class NodeDrainTest {

    static Pod pod(String name, String node, boolean ready) {
        return new PodBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewSpec().withNodeName(node).endSpec()
                .withNewStatus().addNewCondition().withType("Ready").withStatus(ready ? "True" : "False").endCondition()
                .endStatus().build();
    }

    static Node node(String name, boolean cordoned, String taint) {
        var b = new NodeBuilder().withNewMetadata().withName(name).endMetadata().withNewSpec()
                .withUnschedulable(cordoned ? Boolean.TRUE : null).endSpec();
        if (taint != null) {
            b.editSpec().addNewTaint().withKey(taint).withEffect("NoSchedule").endTaint().endSpec();
        }
        return b.build();
    }

    static Function<String, Optional<Node>> nodes(Node... nodes) {
        return name -> List.of(nodes).stream().filter(n -> n.getMetadata().getName().equals(name)).findFirst();
    }

    final List<Pod> pods = List.of(pod("db-0", "a", true), pod("db-1", "b", true), pod("db-2", "c", true));

    @Test
    void aCordonedPrimaryNodeSwitchesOverToTheLeastLaggingReplicaOnANodeThatStays() {
        var decision = NodeDrain.decide("db-0", pods, nodes(node("a", true, null), node("b", false, null), node("c", false, null)),
                Map.of("db-1", 4096L, "db-2", 0L));
        assertThat(decision).contains(new NodeDrain.SwitchTo("db-2", "a"));
        // without measurements, the lowest ordinal
        assertThat(NodeDrain.decide("db-0", pods, nodes(node("a", true, null), node("b", false, null), node("c", false, null)),
                Map.of())).contains(new NodeDrain.SwitchTo("db-1", "a"));
    }

    @Test
    void theClusterAutoscalersMarkCountsAsADrain() {
        assertThat(NodeDrain.decide("db-0", pods, nodes(node("a", false, NodeDrain.AUTOSCALER_TAINT), node("b", false, null),
                node("c", false, null)), Map.of())).contains(new NodeDrain.SwitchTo("db-1", "a"));
    }

    @Test
    void replicasOnTheSameOrAnotherDrainingOrUnknownNodeOrNotReadyAreNotTargets() {
        var pods = List.of(pod("db-0", "a", true), pod("db-1", "a", true), pod("db-2", "c", true), pod("db-3", "d", false),
                pod("db-4", "e", true));
        var decision = NodeDrain.decide("db-0", pods, nodes(node("a", true, null), node("c", true, null), node("d", false, null)),
                Map.of());
        assertThat(decision).get().isInstanceOf(NodeDrain.NoTarget.class)
                .satisfies(d -> assertThat(((NodeDrain.NoTarget) d).reason()).contains("node a").contains("db-0"));
    }

    @Test
    void nothingToDoWhileThePrimarysNodeIsSchedulableOrUnknown() {
        assertThat(NodeDrain.decide("db-0", pods, nodes(node("a", false, null), node("b", true, null)), Map.of())).isEmpty();
        assertThat(NodeDrain.decide("db-0", pods, nodes(), Map.of())).isEmpty();
        assertThat(NodeDrain.decide("db-0", pods, nodes(node("a", false, "example.com/other")), Map.of())).isEmpty();
    }
}
