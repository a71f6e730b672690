package io.learningdb.operator.dependent;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.javaoperatorsdk.operator.api.reconciler.Context;

import io.learningdb.operator.model.LearningDatabase;
import io.learningdb.operator.resources.Names;
import io.learningdb.operator.resources.PoolerConfig;

public class PoolerConfigDependent extends ConfigMapDependent {


    @Override
    protected String name(LearningDatabase ldb) {
        return Names.poolerConfig(ldb);
    }

    @Override
    protected ConfigMap desired(LearningDatabase ldb, Context<LearningDatabase> context) {
        return PoolerConfig.build(ldb);
    }
}
