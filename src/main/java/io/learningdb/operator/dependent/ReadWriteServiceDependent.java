package io.learningdb.operator.dependent;

import io.fabric8.kubernetes.api.model.Service;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.learningdb.operator.model.LearningDatabase;
import io.learningdb.operator.resources.Names;
import io.learningdb.operator.resources.Services;

/** Owns the Service informer that the other service dependents share. */
public class ReadWriteServiceDependent extends NamedDependent<Service> {

    public ReadWriteServiceDependent() {
        super(Service.class);
    }

    @Override
    protected String name(LearningDatabase ldb) {
        return Names.readWriteService(ldb);
    }

    @Override
    protected Service desired(LearningDatabase ldb, Context<LearningDatabase> context) {
        return Services.readWrite(ldb);
    }
}
