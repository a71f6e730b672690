package io.learningdb.operator.dependent;

import jakarta.inject.Inject;

import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.learningdb.operator.config.OperatorConfig;
import io.learningdb.operator.model.LearningDatabase;
import io.learningdb.operator.resources.ConfigHash;
import io.learningdb.operator.resources.Images;
import io.learningdb.operator.resources.InstanceStatefulSet;
import io.learningdb.operator.resources.Names;
import io.learningdb.operator.resources.PostgresConfig;
import io.learningdb.operator.resources.ScriptsConfig;

/** Owns the StatefulSet informer that the pooler dependent shares. */
@KubernetesDependent(informer = @Informer(labelSelector = Dependents.MANAGED_SELECTOR))
public class InstanceStatefulSetDependent extends StatefulSetDependent {

    @Inject
    OperatorConfig config;


    @Override
    protected String name(LearningDatabase ldb) {
        return Names.instances(ldb);
    }

    @Override
    protected StatefulSet desired(LearningDatabase ldb, Context<LearningDatabase> context) {
        String hash = ConfigHash.of(PostgresConfig.build(ldb), ScriptsConfig.build(ldb));
        return InstanceStatefulSet.build(ldb, Images.postgres(ldb, config), hash, TlsFingerprint.of(ldb, context));
    }
}
