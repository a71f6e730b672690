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
        return new PodDisruptionBudgetBuilder()
                .withNewMetadata()
                .withName(Names.disruptionBudget(ldb))
                .withNamespace(ldb.getMetadata().getNamespace())
                .withLabels(Labels.forComponent(ldb, Labels.COMPONENT_INSTANCE))
                .endMetadata()
                .withNewSpec()
                .withMaxUnavailable(new IntOrString(1))
                .withNewSelector().withMatchLabels(Labels.selector(ldb, Labels.COMPONENT_INSTANCE)).endSelector()
                .endSpec()
                .build();
    }
}
