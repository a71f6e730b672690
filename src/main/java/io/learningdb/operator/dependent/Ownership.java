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

    /**
     * Takes over an object that exists without this operator's labels (a create answered 409): {@code owner} becomes
     * its controller and it gets {@code labels}, so the informers see it from now on. Its content is left as it is.
     */
    public static <T extends HasMetadata> T adopt(io.fabric8.kubernetes.client.dsl.Resource<T> existing, LearningDatabase owner,
            java.util.Map<String, String> labels) {
        return existing.edit(o -> {
            setController(o, owner);
            if (o.getMetadata().getLabels() == null) {
                o.getMetadata().setLabels(new java.util.LinkedHashMap<>());
            }
            o.getMetadata().getLabels().putAll(labels);
            return o;
        });
    }

    /** Whether another object than {@code owner} is the controller of {@code owned}. */
    public static boolean controlledByOther(HasMetadata owned, LearningDatabase owner) {
        var refs = owned.getMetadata().getOwnerReferences();
        return refs != null && refs.stream().anyMatch(r -> Boolean.TRUE.equals(r.getController())
                && !r.getUid().equals(owner.getMetadata().getUid()));
    }
}
