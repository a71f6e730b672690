package io.learningdb.operator.dependent;

import io.fabric8.kubernetes.api.model.Secret;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.learningdb.operator.model.LearningDatabase;
import io.learningdb.operator.resources.Credentials;
import io.learningdb.operator.resources.Names;

/** Owns the Secret informer that the other credential dependents share. */
@KubernetesDependent(informer = @Informer(labelSelector = Dependents.MANAGED_SELECTOR))
public class SuperuserSecretDependent extends CreateOnlySecretDependent {

    @Override
    protected String name(LearningDatabase ldb) {
        return Names.superuserSecret(ldb);
    }

    @Override
    protected Secret build(LearningDatabase ldb, String password) {
        return Credentials.superuser(ldb, password);
    }
}
