package io.learningdb.operator.dependent;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClientException;
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

    /** The key an existing Secret of that name must have to be adopted. */
    protected String requiredKey() {
        return Credentials.PASSWORD;
    }

    /**
     * A Secret of that name that already exists (a user bringing their own password, or one left from a previous
     * LearningDatabase of the same name) is adopted when it has a password, never overwritten.
     */
    @Override
    public Secret create(Secret desired, LearningDatabase ldb, Context<LearningDatabase> context) {
        try {
            return super.create(desired, ldb, context);
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw e;
            }
            var existing = context.getClient().secrets().inNamespace(desired.getMetadata().getNamespace())
                    .withName(desired.getMetadata().getName());
            Secret current = existing.get();
            if (current == null || current.getData() == null || !current.getData().containsKey(requiredKey())) {
                throw new SecretConflict("Secret " + desired.getMetadata().getName()
                        + " exists without a '" + requiredKey() + "' key; delete it or add the key", e);
            }
            return Ownership.adopt(existing, ldb, desired.getMetadata().getLabels());
        }
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
