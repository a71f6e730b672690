package io.learningdb.operator.dependent;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.javaoperatorsdk.operator.api.reconciler.Context;

import io.learningdb.operator.model.LearningDatabase;
import io.learningdb.operator.resources.Names;
import io.learningdb.operator.resources.ScriptsConfig;

public class ScriptsDependent extends ConfigMapDependent {


    @Override
    protected String name(LearningDatabase ldb) {
        return Names.scripts(ldb);
    }

    @Override
    protected ConfigMap desired(LearningDatabase ldb, Context<LearningDatabase> context) {
        return ScriptsConfig.build(ldb);
    }
}
