package io.learningdb.operator.dependent;

import io.fabric8.kubernetes.api.model.Service;
import io.javaoperatorsdk.operator.api.reconciler.Context;

import io.learningdb.operator.model.LearningDatabase;
import io.learningdb.operator.resources.Names;
import io.learningdb.operator.resources.Services;

public class ReadOnlyServiceDependent extends NamedDependent<Service> {

    public ReadOnlyServiceDependent() {
        super(Service.class);
    }

    @Override
    protected String name(LearningDatabase ldb) {
        return Names.readOnlyService(ldb);
    }

    @Override
    protected Service desired(LearningDatabase ldb, Context<LearningDatabase> context) {
        return Services.readOnly(ldb);
    }
}
