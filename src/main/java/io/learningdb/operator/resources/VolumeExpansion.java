package io.learningdb.operator.resources;

import java.math.BigDecimal;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.learningdb.operator.model.LearningDatabase;

/**
 * Growing the instances' volumes. kube-apiserver refuses any update of a StatefulSet's volumeClaimTemplates, and the
 * StatefulSet controller never resizes existing claims. So: every instance's PersistentVolumeClaim is patched to the
 * new size (the storage driver grows the volume, kubelet the file system), and the StatefulSet is deleted with
 * propagation Orphan (pods and claims stay, untouched) and created again with the new template, so that claims of
 * instances added later get the new size too. Only growth, and only when the StorageClass allows expansion. Pure.
 */
public final class VolumeExpansion {

    private VolumeExpansion() {
    }

    /** The PersistentVolumeClaim of the instance with this ordinal (named by the StatefulSet controller). */
    public static String claimName(LearningDatabase ldb, int ordinal) {
        return InstanceStatefulSet.DATA_VOLUME + "-" + Names.instances(ldb) + "-" + ordinal;
    }

    /** The instance pod a claim belongs to, or empty for a claim of another template. */
    public static Optional<String> podOf(LearningDatabase ldb, PersistentVolumeClaim claim) {
        String prefix = InstanceStatefulSet.DATA_VOLUME + "-";
        String name = claim.getMetadata().getName();
        return name.startsWith(prefix + Names.instances(ldb) + "-") ? Optional.of(name.substring(prefix.length()))
                : Optional.empty();
    }

    /**
     * The new size when the desired volume claim template differs from the running one only by a larger size (same
     * name, class and access modes); empty otherwise (no change, or a change that cannot be made in place).
     */
    public static Optional<Quantity> growth(StatefulSet desired, StatefulSet actual) {
        var d = template(desired);
        var a = template(actual);
        if (d.isEmpty() || a.isEmpty()) {
            return Optional.empty();
        }
        var ds = d.get().getSpec();
        var as = a.get().getSpec();
        if (!Objects.equals(d.get().getMetadata().getName(), a.get().getMetadata().getName())
                || !Objects.equals(ds.getStorageClassName(), as.getStorageClassName())
                || !Objects.equals(ds.getAccessModes(), as.getAccessModes())) {
            return Optional.empty();
        }
        Quantity wanted = size(d.get());
        return wanted != null && bytes(wanted).compareTo(bytes(size(a.get()))) > 0 ? Optional.of(wanted) : Optional.empty();
    }

    /** The size a claim asks for (spec.resources.requests.storage). */
    public static Quantity requested(PersistentVolumeClaim claim) {
        return claim.getSpec() == null ? null : size(claim);
    }

    /** The size the volume has (status.capacity.storage), null until bound. */
    public static Quantity capacity(PersistentVolumeClaim claim) {
        return claim.getStatus() == null || claim.getStatus().getCapacity() == null ? null
                : claim.getStatus().getCapacity().get("storage");
    }

    public static BigDecimal bytes(Quantity q) {
        return q == null ? BigDecimal.ZERO : Quantity.getAmountInBytes(q);
    }

    /** Whether a claim asks for less than {@code size} (so it must be patched). */
    public static boolean smaller(PersistentVolumeClaim claim, Quantity size) {
        return bytes(requested(claim)).compareTo(bytes(size)) < 0;
    }

    /** Whether the volume has grown to what the claim asks for. */
    public static boolean grown(PersistentVolumeClaim claim) {
        return capacity(claim) != null && bytes(capacity(claim)).compareTo(bytes(requested(claim))) >= 0;
    }

    /** The condition of a claim that explains a resize under way (Resizing, FileSystemResizePending), if any. */
    public static Optional<String> resizeCondition(PersistentVolumeClaim claim) {
        if (claim.getStatus() == null || claim.getStatus().getConditions() == null) {
            return Optional.empty();
        }
        return claim.getStatus().getConditions().stream().filter(c -> "True".equals(c.getStatus()))
                .map(c -> c.getType() + (c.getMessage() == null ? "" : ": " + c.getMessage())).findFirst();
    }

    private static Optional<PersistentVolumeClaim> template(StatefulSet sts) {
        List<PersistentVolumeClaim> templates = sts.getSpec().getVolumeClaimTemplates();
        return templates == null ? Optional.empty() : templates.stream()
                .filter(t -> InstanceStatefulSet.DATA_VOLUME.equals(t.getMetadata().getName())).findFirst();
    }

    private static Quantity size(PersistentVolumeClaim claim) {
        var r = claim.getSpec().getResources();
        return r == null || r.getRequests() == null ? null : r.getRequests().get("storage");
    }
}
