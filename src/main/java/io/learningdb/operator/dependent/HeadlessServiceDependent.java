package io.learningdb.operator.dependent;

import io.fabric8.kubernetes.api.model.Service;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

import io.learningdb.operator.model.LearningDatabase;
import io.learningdb.operator.resources.Names;
import io.learningdb.operator.resources.Services;

/** Owns the Service informer the other Service dependents share: it caches only the operator's Services. */
@KubernetesDependent(informer = @Informer(labelSelector = Dependents.MANAGED_SELECTOR))
public class HeadlessServiceDependent extends NamedDependent<Service> {

    public HeadlessServiceDependent() {
        super(Service.class);
    }

    @Override
    protected String name(LearningDatabase ldb) {
        return Names.headlessService(ldb);
    }

    @Override
    protected Service desired(LearningDatabase ldb, Context<LearningDatabase> context) {
        return Services.headless(ldb);
    }
}
