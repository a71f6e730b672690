package io.learningdb.operator.dependent;

import io.fabric8.kubernetes.api.model.Secret;
import io.learningdb.operator.model.LearningDatabase;
import io.learningdb.operator.resources.Credentials;
import io.learningdb.operator.resources.Names;

/** Secret {@code <name>-monitor}: the exporter sidecar's password (the operator sets it on learningdb_monitor). */
public class MonitorSecretDependent extends CreateOnlySecretDependent {

    @Override
    protected String name(LearningDatabase ldb) {
        return Names.monitorSecret(ldb);
    }

    @Override
    protected Secret build(LearningDatabase ldb, String password) {
        return Credentials.monitor(ldb, password);
    }
}
