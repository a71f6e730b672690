package io.learningdb.operator.dependent;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.Matcher.Result;
import io.learningdb.operator.model.LearningDatabase;
import io.learningdb.operator.resources.Labels;

/**
 * A StatefulSet the operator renders. Besides the generic match, container resources must be equal: a limit the
 * user removed is a key present only on the server, which the generic matcher would ignore. Quantities are
 * compared by amount, because the API server rewrites them (0.5 becomes 500m).
 */
public abstract class StatefulSetDependent extends NamedDependent<StatefulSet> {

    protected StatefulSetDependent() {
        super(StatefulSet.class);
    }

    /** Key in the workflow context under which the changes this dependent could not apply are left for status. */
    public static final String REFUSED_CHANGES = "learningdb.io/refused-statefulset-changes";

    @Override
    public Result<StatefulSet> match(StatefulSet actual, LearningDatabase ldb, Context<LearningDatabase> context) {
        var generic = super.match(actual, ldb, context);
        StatefulSet desired = generic.computedDesired().orElseThrow();
        var refused = keepImmutableFields(desired, actual);
        if (!refused.isEmpty()) {
            var all = context.managedWorkflowAndDependentResourceContext()
                    .getMandatory(REFUSED_CHANGES, java.util.List.class);
            all.addAll(refused);
        }
        boolean matched = refused.isEmpty() ? generic.matched() : super.match(actual, desired, ldb, context).matched();
        return Result.computed(matched && sameResources(desired, actual) && sameShape(desired, actual), desired);
    }

    /**
     * kube-apiserver refuses an update of a StatefulSet's serviceName, selector, podManagementPolicy or
     * volumeClaimTemplates. Where the desired object differs there, the existing values are kept (so the update
     * sent is one the API server accepts and every other change still applies) and the refused changes are returned,
     * each a sentence for the LearningDatabase's status and events.
     */
    static java.util.List<String> keepImmutableFields(StatefulSet desired, StatefulSet actual) {
        var refused = new java.util.ArrayList<String>();
        var d = desired.getSpec();
        var a = actual.getSpec();
        String name = actual.getMetadata().getName();
        if (!Objects.equals(d.getServiceName(), a.getServiceName())) {
            refused.add("StatefulSet " + name + ": serviceName " + a.getServiceName() + " -> " + d.getServiceName());
            d.setServiceName(a.getServiceName());
        }
        if (a.getPodManagementPolicy() != null && !Objects.equals(d.getPodManagementPolicy(), a.getPodManagementPolicy())) {
            refused.add("StatefulSet " + name + ": podManagementPolicy " + a.getPodManagementPolicy() + " -> "
                    + d.getPodManagementPolicy());
            d.setPodManagementPolicy(a.getPodManagementPolicy());
        }
        if (!Objects.equals(d.getSelector(), a.getSelector())) {
            refused.add("StatefulSet " + name + ": selector");
            d.setSelector(a.getSelector());
        }
        if (!claims(d.getVolumeClaimTemplates()).equals(claims(a.getVolumeClaimTemplates()))) {
            refused.add("StatefulSet " + name + ": volumeClaimTemplates " + claims(a.getVolumeClaimTemplates()) + " -> "
                    + claims(d.getVolumeClaimTemplates()));
            d.setVolumeClaimTemplates(a.getVolumeClaimTemplates());
        }
        return refused;
    }

    /** What a volume claim template asks for: name, size (by amount), storage class, access modes. */
    private static java.util.List<String> claims(java.util.List<io.fabric8.kubernetes.api.model.PersistentVolumeClaim> templates) {
        if (templates == null) {
            return java.util.List.of();
        }
        return templates.stream().map(t -> {
            var spec = t.getSpec();
            Quantity size = spec.getResources() == null || spec.getResources().getRequests() == null ? null
                    : spec.getResources().getRequests().get("storage");
            return t.getMetadata().getName() + " " + (size == null ? "-" : Quantity.getAmountInBytes(size)
                    .stripTrailingZeros().toPlainString() + "B") + " class=" + spec.getStorageClassName() + " "
                    + spec.getAccessModes();
        }).toList();
    }

    /**
     * The generic matcher treats whatever exists only on the server as added by the server, so a volume, mount or
     * learningdb.io annotation the operator stopped rendering (TLS turned off, an init SQL removed) would stay
     * forever. Those are ours alone: compare them exactly.
     */
    static boolean sameShape(StatefulSet desired, StatefulSet actual) {
        var d = desired.getSpec().getTemplate();
        var a = actual.getSpec().getTemplate();
        if (!volumeNames(d.getSpec().getVolumes()).equals(volumeNames(a.getSpec().getVolumes()))) {
            return false;
        }
        if (!Labels.ownAnnotations(d.getMetadata().getAnnotations()).equals(Labels.ownAnnotations(a.getMetadata().getAnnotations()))) {
            return false;
        }
        for (Container dc : d.getSpec().getContainers()) {
            var ac = a.getSpec().getContainers().stream().filter(c -> dc.getName().equals(c.getName())).findFirst();
            if (ac.isEmpty() || !mountPaths(dc).equals(mountPaths(ac.get()))) {
                return false;
            }
        }
        return true;
    }

    private static java.util.Set<String> volumeNames(List<io.fabric8.kubernetes.api.model.Volume> volumes) {
        return volumes == null ? java.util.Set.of()
                : volumes.stream().map(io.fabric8.kubernetes.api.model.Volume::getName).collect(java.util.stream.Collectors.toSet());
    }

    private static java.util.Set<String> mountPaths(Container c) {
        return c.getVolumeMounts() == null ? java.util.Set.of()
                : c.getVolumeMounts().stream().map(m -> m.getName() + ":" + m.getMountPath())
                        .collect(java.util.stream.Collectors.toSet());
    }

    static boolean sameResources(StatefulSet desired, StatefulSet actual) {
        List<Container> actualContainers = actual.getSpec().getTemplate().getSpec().getContainers();
        for (Container d : desired.getSpec().getTemplate().getSpec().getContainers()) {
            Optional<Container> a = actualContainers.stream().filter(c -> d.getName().equals(c.getName())).findFirst();
            if (a.isEmpty() || !sameQuantities(requests(d.getResources()), requests(a.get().getResources()))
                    || !sameQuantities(limits(d.getResources()), limits(a.get().getResources()))) {
                return false;
            }
        }
        return true;
    }

    private static Map<String, Quantity> requests(ResourceRequirements r) {
        return r == null || r.getRequests() == null ? Map.of() : r.getRequests();
    }

    private static Map<String, Quantity> limits(ResourceRequirements r) {
        return r == null || r.getLimits() == null ? Map.of() : r.getLimits();
    }

    static boolean sameQuantities(Map<String, Quantity> desired, Map<String, Quantity> actual) {
        if (!desired.keySet().equals(actual.keySet())) {
            return false;
        }
        return desired.entrySet().stream().allMatch(e -> Objects.equals(
                Quantity.getAmountInBytes(e.getValue()).stripTrailingZeros(),
                Quantity.getAmountInBytes(actual.get(e.getKey())).stripTrailingZeros()));
    }
}
