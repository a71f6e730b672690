package io.learningdb.operator.dependent;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.learningdb.operator.model.LearningDatabase;
import io.learningdb.operator.resources.Names;
import io.learningdb.operator.resources.PostgresConfig;

/** Owns the ConfigMap informer that the other config dependents share. */
@KubernetesDependent(informer = @Informer(labelSelector = Dependents.MANAGED_SELECTOR))
public class PostgresConfigDependent extends ConfigMapDependent {


    @Override
    protected String name(LearningDatabase ldb) {
        return Names.postgresConfig(ldb);
    }

    @Override
    protected ConfigMap desired(LearningDatabase ldb, Context<LearningDatabase> context) {
        return PostgresConfig.build(ldb);
    }
}
