package io.learningdb.operator.dependent;

import io.fabric8.kubernetes.api.model.Secret;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.GarbageCollected;
import io.javaoperatorsdk.operator.processing.dependent.Creator;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.learningdb.operator.model.LearningDatabase;
import io.learningdb.operator.resources.Credentials;

/**
 * A generated credential Secret: created when missing, never updated (no Updater), so a password is generated
 * exactly once. desired() runs only on creation.
 */
public abstract class CreateOnlySecretDependent extends KubernetesDependentResource<Secret, LearningDatabase>
        implements Creator<Secret, LearningDatabase>, GarbageCollected<LearningDatabase> {

    protected CreateOnlySecretDependent() {
        super(Secret.class);
    }

    protected abstract String name(LearningDatabase ldb);

    protected abstract Secret build(LearningDatabase ldb, String password);

    @Override
    protected Secret desired(LearningDatabase ldb, Context<LearningDatabase> context) {
        return build(ldb, Credentials.generatePassword());
    }

    @Override
    protected ResourceID targetSecondaryResourceID(LearningDatabase ldb, Context<LearningDatabase> context) {
        return new ResourceID(name(ldb), ldb.getMetadata().getNamespace());
    }

    @Override
    protected void addReferenceHandlingMetadata(Secret desired, LearningDatabase ldb) {
        Ownership.setController(desired, ldb);
    }
}
