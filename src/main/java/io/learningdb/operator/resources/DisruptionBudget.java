package io.learningdb.operator.resources;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.learningdb.operator.model.LearningDatabase;

/** PodDisruptionBudget {@code <name>}: voluntary disruptions (node drains) take at most one instance at a time. */
public final class DisruptionBudget {

    private DisruptionBudget() {
    }

    public static PodDisruptionBudget build(LearningDatabase ldb) {
        return budget(ldb, Names.disruptionBudget(ldb), Labels.selector(ldb, Labels.COMPONENT_INSTANCE), 1);
    }

    /**
     * PodDisruptionBudget {@code <name>-primary} (only with replicas): no voluntary eviction of the pod labelled
     * primary. A drain of its node retries the eviction while the operator switches over to a replica on another
     * node; the label moves, and the old primary's pod is evicted as a replica. The operator's own pod deletions
     * (failover, switchover, rolling update) are not evictions and are not held back. While the operator is not
     * running, a drain of the primary's node waits.
     */
    public static PodDisruptionBudget primary(LearningDatabase ldb) {
        var selector = Labels.selector(ldb, Labels.COMPONENT_INSTANCE);
        selector.put(Labels.ROLE, Labels.ROLE_PRIMARY);
        return budget(ldb, Names.primaryDisruptionBudget(ldb), selector, 0);
    }

    private static PodDisruptionBudget budget(LearningDatabase ldb, String name, java.util.Map<String, String> selector,
            int maxUnavailable) {
        return new PodDisruptionBudgetBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(ldb.getMetadata().getNamespace())
                .withLabels(Labels.forComponent(ldb, Labels.COMPONENT_INSTANCE))
                .endMetadata()
                .withNewSpec()
                .withMaxUnavailable(new IntOrString(maxUnavailable))
                .withNewSelector().withMatchLabels(selector).endSelector()
                .endSpec()
                .build();
    }
}
