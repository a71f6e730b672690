package io.learningdb.operator.dependent;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.learningdb.operator.model.LearningDatabase;

/**
 * An owned object kept equal to its desired state (create, update, garbage-collected with the LearningDatabase).
 * Several dependents share a type, so each names its target directly instead of computing desired() to find it.
 */
public abstract class NamedDependent<R extends HasMetadata> extends CRUDKubernetesDependentResource<R, LearningDatabase> {

    protected NamedDependent(Class<R> type) {
        super(type);
    }

    protected abstract String name(LearningDatabase ldb);

    @Override
    protected ResourceID targetSecondaryResourceID(LearningDatabase ldb, Context<LearningDatabase> context) {
        return new ResourceID(name(ldb), ldb.getMetadata().getNamespace());
    }

    @Override
    protected void addReferenceHandlingMetadata(R desired, LearningDatabase ldb) {
        Ownership.setController(desired, ldb);
    }
}
