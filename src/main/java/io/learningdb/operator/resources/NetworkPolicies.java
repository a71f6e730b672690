package io.learningdb.operator.resources;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeerBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPortBuilder;
import io.learningdb.operator.model.LearningDatabase;

/**
 * NetworkPolicies {@code <name>-instances} and {@code <name>-pooler}. Only ingress is restricted (egress stays open:
 * replicas, pg_rewind and jobs reach the -rw Service, and DNS must keep working).
 */
public final class NetworkPolicies {

    /** Where the operator runs: its namespace (unknown outside a pod) and its pods' labels. */
    public record Operator(Optional<String> namespace, Map<String, String> podLabels) {

        public static Operator of(Optional<String> namespace, String podLabels) {
            var labels = new LinkedHashMap<String, String>();
            for (String pair : podLabels.split(",")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    labels.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
                }
            }
            return new Operator(namespace.filter(ns -> !ns.isBlank()), labels);
        }
    }

    private NetworkPolicies() {
    }

    public static String instancesName(LearningDatabase ldb) {
        return Names.instances(ldb);
    }

    public static String poolerName(LearningDatabase ldb) {
        return Names.pooler(ldb);
    }

    /**
     * Instances accept PostgreSQL connections from pods of this cluster (the other instances for replication and
     * pg_rewind, the pooler, the maintenance jobs: all carry learningdb.io/cluster=name) and from the operator.
     */
    public static NetworkPolicy instances(LearningDatabase ldb, Operator operator) {
        var ownPods = new NetworkPolicyPeerBuilder()
                .withPodSelector(new LabelSelectorBuilder().withMatchLabels(Map.of(Labels.CLUSTER, ldb.getMetadata().getName())).build())
                .build();
        NetworkPolicy policy = policy(ldb, instancesName(ldb), Labels.COMPONENT_INSTANCE, Names.POSTGRES_PORT,
                List.of(ownPods, operatorPeer(operator)));
        // the exporter's metrics: Prometheus runs in a namespace of its own, any one (statistics only, no login)
        policy.getSpec().getIngress().add(new io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRuleBuilder()
                .withFrom(new NetworkPolicyPeerBuilder().withNamespaceSelector(new LabelSelectorBuilder().build()).build())
                .withPorts(new NetworkPolicyPortBuilder().withProtocol("TCP")
                        .withPort(new IntOrString(InstanceStatefulSet.EXPORTER_PORT)).build())
                .build());
        if (ldb.getSpec().getBackup() != null) {
            // pgBackRest's TLS server: only this cluster's backup jobs (which also present the client certificate)
            var backupJobs = new NetworkPolicyPeerBuilder().withPodSelector(new LabelSelectorBuilder()
                    .withMatchLabels(Labels.selector(ldb, Labels.COMPONENT_BACKUP)).build()).build();
            policy.getSpec().getIngress().add(new io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRuleBuilder()
                    .withFrom(backupJobs)
                    .withPorts(new NetworkPolicyPortBuilder().withProtocol("TCP")
                            .withPort(new IntOrString(BackupRepository.SERVER_PORT)).build())
                    .build());
        }
        return policy;
    }

    private static NetworkPolicyPeer operatorPeer(Operator operator) {
        return new NetworkPolicyPeerBuilder()
                .withPodSelector(new LabelSelectorBuilder().withMatchLabels(operator.podLabels()).build())
                .withNamespaceSelector(operator.namespace()
                        .map(ns -> new LabelSelectorBuilder().withMatchLabels(Map.of("kubernetes.io/metadata.name", ns)).build())
                        .orElseGet(() -> new LabelSelectorBuilder().build()))
                .build();
    }

    /**
     * The pooler accepts clients from spec.networkPolicy.poolerFrom, by default from every pod of the namespace, and
     * the operator (its admin console: RECONNECT when the primary changes).
     */
    public static NetworkPolicy pooler(LearningDatabase ldb, Operator operator) {
        List<NetworkPolicyPeer> from = new ArrayList<NetworkPolicyPeer>();
        if (ldb.getSpec().getNetworkPolicy() != null && ldb.getSpec().getNetworkPolicy().getPoolerFrom() != null) {
            from.addAll(ldb.getSpec().getNetworkPolicy().getPoolerFrom());
        }
        if (from.isEmpty()) {
            from.add(new NetworkPolicyPeerBuilder().withPodSelector(new LabelSelectorBuilder().build()).build());
        }
        from.add(operatorPeer(operator));
        return policy(ldb, poolerName(ldb), Labels.COMPONENT_POOLER, Names.POOLER_PORT, from);
    }

    private static NetworkPolicy policy(LearningDatabase ldb, String name, String component, int port,
            List<NetworkPolicyPeer> from) {
        NetworkPolicyPort tcp = new NetworkPolicyPortBuilder().withProtocol("TCP").withPort(new IntOrString(port)).build();
        return new NetworkPolicyBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(ldb.getMetadata().getNamespace())
                .withLabels(Labels.forComponent(ldb, component))
                .endMetadata()
                .withNewSpec()
                .withPodSelector(new LabelSelectorBuilder().withMatchLabels(Labels.selector(ldb, component)).build())
                .withPolicyTypes("Ingress")
                .addNewIngress().withFrom(from).withPorts(tcp).endIngress()
                .endSpec()
                .build();
    }
}
