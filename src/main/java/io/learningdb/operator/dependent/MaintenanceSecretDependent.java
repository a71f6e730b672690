package io.learningdb.operator.dependent;

import io.fabric8.kubernetes.api.model.Secret;
import io.learningdb.operator.model.LearningDatabase;
import io.learningdb.operator.resources.Credentials;
import io.learningdb.operator.resources.Names;

public class MaintenanceSecretDependent extends CreateOnlySecretDependent {

    @Override
    protected String name(LearningDatabase ldb) {
        return Names.maintenanceSecret(ldb);
    }

    @Override
    protected Secret build(LearningDatabase ldb, String password) {
        return Credentials.maintenance(ldb, password);
    }
}
