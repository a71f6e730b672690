package io.learningdb.operator.dependent;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;

import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.learningdb.operator.config.OperatorConfig;
import io.learningdb.operator.model.LearningDatabase;
import io.learningdb.operator.reconciler.MajorUpgrades;
import io.learningdb.operator.resources.ConfigHash;
import io.learningdb.operator.resources.Images;
import io.learningdb.operator.resources.InstanceStatefulSet;
import io.learningdb.operator.resources.Names;
import io.learningdb.operator.resources.ScriptsConfig;
import io.learningdb.operator.resources.VolumeExpansion;
import io.learningdb.operator.status.EventRecorder;

/**
 * The instances' StatefulSet; owns the StatefulSet informer that the pooler dependent shares. A larger
 * {@code postgres.storage.size} is applied without touching a pod (see {@link VolumeExpansion}): every claim is
 * patched, then the StatefulSet is deleted with propagation Orphan and created again on the next reconcile. When a
 * claim's StorageClass does not allow expansion, nothing is changed and the reason is reported (SpecApplied=False).
 */
@KubernetesDependent(informer = @Informer(labelSelector = Dependents.MANAGED_SELECTOR))
public class InstanceStatefulSetDependent extends StatefulSetDependent {

    private static final Logger LOG = Logger.getLogger(InstanceStatefulSetDependent.class);

    @Inject
    OperatorConfig config;

    @Inject
    EventRecorder events;

    @Override
    protected String name(LearningDatabase ldb) {
        return Names.instances(ldb);
    }

    @Override
    protected StatefulSet desired(LearningDatabase ldb, Context<LearningDatabase> context) {
        // postgresql.conf and pg_hba.conf are not in the hash: instance.sh reloads them, and PostgreSQL says which
        // parameters wait for a restart (the operator restarts those instances in turn, see Rollout)
        String hash = ConfigHash.of(ScriptsConfig.build(ldb));
        // a major upgrade changes the image only when the data is upgraded (MajorUpgrades): until then the running one
        Optional<String> running = context.getSecondaryResourcesAsStream(StatefulSet.class)
                .filter(s -> name(ldb).equals(s.getMetadata().getName())).findFirst()
                .flatMap(s -> InstanceStatefulSet.postgresImage(s.getSpec().getTemplate().getSpec().getContainers()));
        String image = MajorUpgrades.instanceImage(ldb, Images.postgres(ldb, config), running,
                Images.postgres(ldb, MajorUpgrades.servedMajor(ldb), config));
        return InstanceStatefulSet.build(ldb, image, hash, config.exporterImage());
    }

    @Override
    public Result<StatefulSet> match(StatefulSet actual, LearningDatabase ldb, Context<LearningDatabase> context) {
        var desired = desired(ldb, context);
        var growth = VolumeExpansion.growth(desired, actual);
        if (growth.isPresent()) {
            var blocked = expansionBlocked(ldb, context);
            if (blocked.isEmpty()) {
                return Result.computed(false, desired); // update() expands
            }
            @SuppressWarnings("unchecked")
            List<String> refused = context.managedWorkflowAndDependentResourceContext()
                    .getMandatory(REFUSED_CHANGES, List.class);
            refused.add("volume expansion to " + growth.get() + ": " + blocked.get() + "; the claims keep their size");
        } else {
            // the template is already the grown one: a claim created meanwhile with the old size is grown too
            template(actual).ifPresent(size -> expandClaims(ldb, context, size));
        }
        return super.match(actual, ldb, context);
    }

    @Override
    public StatefulSet update(StatefulSet actual, StatefulSet desired, LearningDatabase ldb, Context<LearningDatabase> context) {
        var growth = VolumeExpansion.growth(desired, actual);
        if (growth.isPresent() && expansionBlocked(ldb, context).isEmpty()) {
            var expanded = expandClaims(ldb, context, growth.get());
            // kube-apiserver refuses to update volumeClaimTemplates: a new StatefulSet with the new template adopts the
            // pods (OnDelete: none restarts) and sizes the claims of instances added later
            context.getClient().resource(actual).withPropagationPolicy(DeletionPropagation.ORPHAN).delete();
            events.record(ldb, EventRecorder.NORMAL, "VolumeExpansion", "expanding "
                    + (expanded.isEmpty() ? "no claim (none exists yet)" : String.join(", ", expanded)) + " to "
                    + growth.get() + "; StatefulSet " + actual.getMetadata().getName()
                    + " re-created with the new claim template (its pods keep running)");
            LOG.infof("%s/%s: claims %s expanded to %s; StatefulSet %s deleted (orphaning its pods) to be re-created",
                    ldb.getMetadata().getNamespace(), ldb.getMetadata().getName(), expanded, growth.get(),
                    actual.getMetadata().getName());
            return actual; // its deletion event brings the next reconcile, which creates the new one
        }
        return super.update(actual, desired, ldb, context);
    }

    private static Optional<Quantity> template(StatefulSet sts) {
        return sts.getSpec().getVolumeClaimTemplates() == null ? Optional.empty()
                : sts.getSpec().getVolumeClaimTemplates().stream()
                        .filter(t -> InstanceStatefulSet.DATA_VOLUME.equals(t.getMetadata().getName()))
                        .map(VolumeExpansion::requested).filter(java.util.Objects::nonNull).findFirst();
    }

    private static List<PersistentVolumeClaim> claims(LearningDatabase ldb, Context<LearningDatabase> context) {
        return context.getSecondaryResourcesAsStream(PersistentVolumeClaim.class)
                .filter(c -> VolumeExpansion.podOf(ldb, c).isPresent()).toList();
    }

    /** Patches every claim that asks for less than {@code size}; returns their names. */
    private static List<String> expandClaims(LearningDatabase ldb, Context<LearningDatabase> context, Quantity size) {
        var expanded = new ArrayList<String>();
        for (var claim : claims(ldb, context)) {
            if (VolumeExpansion.smaller(claim, size)) {
                context.getClient().persistentVolumeClaims().inNamespace(ldb.getMetadata().getNamespace())
                        .withName(claim.getMetadata().getName())
                        .patch(PatchContext.of(PatchType.JSON_MERGE),
                                "{\"spec\":{\"resources\":{\"requests\":{\"storage\":\"" + size + "\"}}}}");
                expanded.add(claim.getMetadata().getName());
            }
        }
        return expanded;
    }

    /**
     * Why the claims cannot grow, checked on every claim before any is touched: a StorageClass without
     * allowVolumeExpansion, a missing one, or a claim bound to a volume without a class (statically provisioned).
     */
    private static Optional<String> expansionBlocked(LearningDatabase ldb, Context<LearningDatabase> context) {
        var classes = new java.util.TreeSet<String>();
        for (var claim : claims(ldb, context)) {
            String name = claim.getSpec().getStorageClassName();
            if (name == null || name.isEmpty()) {
                return Optional.of("claim " + claim.getMetadata().getName() + " has no StorageClass (a statically "
                        + "provisioned volume cannot be expanded)");
            }
            classes.add(name);
        }
        for (String name : classes) {
            StorageClass sc;
            try {
                sc = context.getClient().storage().v1().storageClasses().withName(name).get();
            } catch (KubernetesClientException e) {
                return Optional.of("StorageClass " + name + " cannot be read (" + e.getCode() + ": " + e.getMessage() + ")");
            }
            if (sc == null) {
                return Optional.of("StorageClass " + name + " does not exist");
            }
            if (!Boolean.TRUE.equals(sc.getAllowVolumeExpansion())) {
                return Optional.of("StorageClass " + name + " does not allow volume expansion (allowVolumeExpansion is "
                        + "not true)");
            }
        }
        return Optional.empty();
    }
}
