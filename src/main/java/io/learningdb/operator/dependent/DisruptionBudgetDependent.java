package io.learningdb.operator.dependent;

import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.learningdb.operator.model.LearningDatabase;
import io.learningdb.operator.resources.Names;
import io.learningdb.operator.resources.DisruptionBudget;

@KubernetesDependent(informer = @Informer(labelSelector = Dependents.MANAGED_SELECTOR))
public class DisruptionBudgetDependent extends NamedDependent<PodDisruptionBudget> {

    public DisruptionBudgetDependent() {
        super(PodDisruptionBudget.class);
    }

    @Override
    protected String name(LearningDatabase ldb) {
        return Names.disruptionBudget(ldb);
    }

    @Override
    protected PodDisruptionBudget desired(LearningDatabase ldb, Context<LearningDatabase> context) {
        return DisruptionBudget.build(ldb);
    }

    /** {@code <name>-primary}: present while the cluster has replicas to switch over to (removed at replicas: 0). */
    public static class Primary extends NamedDependent<PodDisruptionBudget> {

        public Primary() {
            super(PodDisruptionBudget.class);
        }

        @Override
        protected String name(LearningDatabase ldb) {
            return Names.primaryDisruptionBudget(ldb);
        }

        @Override
        protected PodDisruptionBudget desired(LearningDatabase ldb, Context<LearningDatabase> context) {
            return DisruptionBudget.primary(ldb);
        }
    }

    public static class HasReplicas implements Condition<PodDisruptionBudget, LearningDatabase> {
        @Override
        public boolean isMet(DependentResource<PodDisruptionBudget, LearningDatabase> dependentResource,
                LearningDatabase ldb, Context<LearningDatabase> context) {
            return ldb.getSpec().getReplicas() >= 1;
        }
    }
}
