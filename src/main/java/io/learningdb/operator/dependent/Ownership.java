package io.learningdb.operator.dependent;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.learningdb.operator.model.LearningDatabase;

/** Owned objects carry a controller owner reference: garbage-collected with the LearningDatabase, shown by kubectl. */
public final class Ownership {

    private Ownership() {
    }

    public static void setController(HasMetadata owned, LearningDatabase owner) {
        owned.getMetadata().setOwnerReferences(new java.util.ArrayList<>(java.util.List.of(new OwnerReferenceBuilder()
                .withApiVersion(owner.getApiVersion())
                .withKind(owner.getKind())
                .withName(owner.getMetadata().getName())
                .withUid(owner.getMetadata().getUid())
                .withController(true)
                .withBlockOwnerDeletion(true)
                .build())));
    }

    /** Whether another object than {@code owner} is the controller of {@code owned}. */
    public static boolean controlledByOther(HasMetadata owned, LearningDatabase owner) {
        var refs = owned.getMetadata().getOwnerReferences();
        return refs != null && refs.stream().anyMatch(r -> Boolean.TRUE.equals(r.getController())
                && !r.getUid().equals(owner.getMetadata().getUid()));
    }
}
