package io.learningdb.operator.dependent;

import jakarta.inject.Inject;

import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.learningdb.operator.config.OperatorConfig;
import io.learningdb.operator.model.LearningDatabase;
import io.learningdb.operator.resources.ConfigHash;
import io.learningdb.operator.resources.Images;
import io.learningdb.operator.resources.Names;
import io.learningdb.operator.resources.PoolerConfig;
import io.learningdb.operator.resources.PoolerStatefulSet;

public class PoolerStatefulSetDependent extends StatefulSetDependent {

    @Inject
    OperatorConfig config;


    @Override
    protected String name(LearningDatabase ldb) {
        return Names.pooler(ldb);
    }

    @Override
    protected StatefulSet desired(LearningDatabase ldb, Context<LearningDatabase> context) {
        return PoolerStatefulSet.build(ldb, Images.pooler(ldb, config), ConfigHash.of(PoolerConfig.build(ldb)),
                TlsFingerprint.of(ldb, context));
    }
}
