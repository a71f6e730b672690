package io.learningdb.operator.config;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import io.fabric8.crdv2.generator.CRDPostProcessor;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.learningdb.operator.model.ManagedSettings;

/**
 * Finishes the generated CRD at build time (quarkus.operator-sdk.crd.post-processor), for what the generator's
 * annotations cannot say: printer columns in the order {@code kubectl get ldb} should show them (the generator sorts
 * them by JSON path) with a description each; a description on the root, spec and status and on the nodes of the
 * Kubernetes types the spec embeds (so {@code kubectl explain} covers every node); and a maximum length on the values
 * of the parameter maps, which kube-apiserver needs to price the CEL rules over them.
 */
public class CrdPostProcessor implements CRDPostProcessor {

    /** Column name, description, in display order. */
    static final List<String[]> COLUMNS = List.of(
            new String[] { "Ready", "The Ready condition: the primary accepts writes and every desired replica is ready" },
            new String[] { "Primary", "Pod name of the current primary (what <name>-rw selects)" },
            new String[] { "Replicas", "Ready replicas / desired replicas" },
            new String[] { "Max Lag", "Largest replication lag of any replica, in seconds and bytes of WAL" },
            new String[] { "Phase", "Provisioning, Ready, Degraded or Failed" },
            new String[] { "Age", "Time since the LearningDatabase was created" });

    /** Descriptions for nodes of embedded Kubernetes types (which carry none) and the top-level nodes. */
    static final Map<String, String> DESCRIPTIONS = Map.ofEntries(
            Map.entry("", "A PostgreSQL tier for the learning platform: a primary, streaming replicas, a PgBouncer "
                    + "pooler, Services, Secrets, TLS, NetworkPolicies and scheduled maintenance."),
            Map.entry(".spec", "The desired cluster: replicas, PostgreSQL, pooler, bootstrap, failover, maintenance."),
            Map.entry(".status", "What the operator observed: phase, primary, per-instance roles and lag, conditions."),
            Map.entry(".status.conditions[].lastTransitionTime", "When the condition last changed status."),
            Map.entry(".status.conditions[].message", "A human-readable explanation."),
            Map.entry(".status.conditions[].observedGeneration", "The metadata.generation the condition describes."),
            Map.entry(".status.conditions[].reason", "A one-word CamelCase reason for the condition's status."),
            Map.entry(".status.conditions[].status", "True, False or Unknown."),
            Map.entry(".status.conditions[].type", "Ready, PrimaryAvailable, PoolerReady, ReplicationHealthy or MaintenanceHealthy."),
            Map.entry(".status.instances[].name", "The instance's pod name."),
            Map.entry(".status.instances[].ready", "Whether the pod is ready."),
            Map.entry(".status.maintenance[].cronJob", "The CronJob that runs this task."),
            Map.entry(".status.maintenance[].schedule", "The task's cron schedule."),
            Map.entry(".spec.networkPolicy.poolerFrom[].ipBlock", "Clients from these IP ranges (CIDR)."),
            Map.entry(".spec.networkPolicy.poolerFrom[].ipBlock.cidr", "An IP range, e.g. 10.0.0.0/16."),
            Map.entry(".spec.networkPolicy.poolerFrom[].ipBlock.except", "Ranges inside cidr to leave out."),
            Map.entry(".spec.networkPolicy.poolerFrom[].namespaceSelector", "Clients in namespaces with these labels."),
            Map.entry(".spec.networkPolicy.poolerFrom[].podSelector", "Clients in pods with these labels."),
            Map.entry("labelSelector.matchExpressions", "Label requirements, all of which must hold."),
            Map.entry("labelSelector.matchExpressions[].key", "The label key."),
            Map.entry("labelSelector.matchExpressions[].operator", "In, NotIn, Exists or DoesNotExist."),
            Map.entry("labelSelector.matchExpressions[].values", "Values for In and NotIn; empty for Exists and DoesNotExist."),
            Map.entry("labelSelector.matchLabels", "Labels that must all match."),
            Map.entry("resources.claims", "Dynamic resource claims this container uses (rarely needed)."),
            Map.entry("resources.claims[].name", "The name of a resource claim of the pod."),
            Map.entry("resources.claims[].request", "A request within that claim."),
            Map.entry("resources.limits", "Maximum CPU and memory, e.g. cpu: 2, memory: 4Gi."),
            Map.entry("resources.requests", "CPU and memory reserved, e.g. cpu: 500m, memory: 1Gi."));

    @Override
    public HasMetadata process(HasMetadata crd, String crdSpecVersion) {
        if (crd instanceof CustomResourceDefinition v1) {
            for (var version : v1.getSpec().getVersions()) {
                if (version.getAdditionalPrinterColumns() != null) {
                    version.setAdditionalPrinterColumns(ordered(version.getAdditionalPrinterColumns()));
                }
                JSONSchemaProps root = version.getSchema().getOpenAPIV3Schema();
                describe(root, "");
                boundParameterValues(root);
            }
        }
        return crd;
    }

    static List<CustomResourceColumnDefinition> ordered(List<CustomResourceColumnDefinition> columns) {
        var result = new ArrayList<>(columns);
        result.sort(Comparator.comparingInt(c -> index(c.getName())));
        for (var c : result) {
            int i = index(c.getName());
            if (i < COLUMNS.size()) {
                c.setDescription(COLUMNS.get(i)[1]);
            }
        }
        return result;
    }

    private static int index(String name) {
        for (int i = 0; i < COLUMNS.size(); i++) {
            if (COLUMNS.get(i)[0].equals(name)) {
                return i;
            }
        }
        return COLUMNS.size();
    }

    private static void describe(JSONSchemaProps node, String path) {
        if (node.getDescription() == null) {
            String d = DESCRIPTIONS.get(path);
            String generic = generic(path);
            if (d == null && generic != null) {
                d = DESCRIPTIONS.get(generic);
            }
            node.setDescription(d);
        }
        if (node.getProperties() != null) {
            node.getProperties().forEach((k, v) -> describe(v, path + "." + k));
        }
        if (node.getItems() != null && node.getItems().getSchema() != null) {
            describe(node.getItems().getSchema(), path + "[]");
        }
    }

    /** Embedded Kubernetes types are described by their role, wherever they occur. */
    private static String generic(String path) {
        int selector = path.lastIndexOf("Selector.");
        if (selector >= 0 && (path.contains("namespaceSelector.") || path.contains("podSelector."))) {
            return "labelSelector." + path.substring(selector + "Selector.".length());
        }
        int resources = path.lastIndexOf(".resources.");
        if (resources >= 0) {
            return "resources." + path.substring(resources + ".resources.".length());
        }
        return null;
    }

    private static void boundParameterValues(JSONSchemaProps root) {
        var spec = root.getProperties().get("spec");
        for (String block : List.of("postgres", "pooler")) {
            var params = spec.getProperties().get(block).getProperties().get("parameters");
            params.getAdditionalProperties().getSchema().setMaxLength((long) ManagedSettings.MAX_PARAMETER_VALUE);
        }
    }
}
