package io.learningdb.operator.dependent;

import jakarta.inject.Inject;

import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;
import io.learningdb.operator.config.OperatorConfig;
import io.learningdb.operator.model.LearningDatabase;
import io.learningdb.operator.resources.NetworkPolicies;

/** NetworkPolicies {@code <name>-instances} and {@code <name>-pooler}, present while spec.networkPolicy.enabled. */
public abstract class NetworkPolicyDependent extends NamedDependent<NetworkPolicy> {

    @Inject
    OperatorConfig config;

    protected NetworkPolicyDependent() {
        super(NetworkPolicy.class);
    }

    /** The operator's pods, admitted by both policies. */
    protected NetworkPolicies.Operator operator() {
        return NetworkPolicies.Operator.of(config.operatorNamespace(), config.operatorPodLabels());
    }

    @KubernetesDependent(informer = @Informer(labelSelector = Dependents.MANAGED_SELECTOR))
    public static class Instances extends NetworkPolicyDependent {

        @Override
        protected String name(LearningDatabase ldb) {
            return NetworkPolicies.instancesName(ldb);
        }

        @Override
        protected NetworkPolicy desired(LearningDatabase ldb, Context<LearningDatabase> context) {
            return NetworkPolicies.instances(ldb, operator());
        }
    }

    public static class Pooler extends NetworkPolicyDependent {

        @Override
        protected String name(LearningDatabase ldb) {
            return NetworkPolicies.poolerName(ldb);
        }

        @Override
        protected NetworkPolicy desired(LearningDatabase ldb, Context<LearningDatabase> context) {
            return NetworkPolicies.pooler(ldb, operator());
        }
    }

    public static class Enabled implements Condition<NetworkPolicy, LearningDatabase> {
        @Override
        public boolean isMet(DependentResource<NetworkPolicy, LearningDatabase> dependent, LearningDatabase ldb,
                Context<LearningDatabase> context) {
            return ldb.getSpec().getNetworkPolicy() == null || ldb.getSpec().getNetworkPolicy().isEnabled();
        }
    }
}
