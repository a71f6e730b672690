package io.learningdb.operator.dependent;

import io.fabric8.kubernetes.api.model.Service;
import io.javaoperatorsdk.operator.api.reconciler.Context;

import io.learningdb.operator.model.LearningDatabase;
import io.learningdb.operator.resources.Names;
import io.learningdb.operator.resources.Services;

/** The headless Service governing the pooler StatefulSet (shares the Service informer). */
public class PoolerHeadlessServiceDependent extends NamedDependent<Service> {

    public PoolerHeadlessServiceDependent() {
        super(Service.class);
    }

    @Override
    protected String name(LearningDatabase ldb) {
        return Names.poolerHeadlessService(ldb);
    }

    @Override
    protected Service desired(LearningDatabase ldb, Context<LearningDatabase> context) {
        return Services.poolerHeadless(ldb);
    }
}
