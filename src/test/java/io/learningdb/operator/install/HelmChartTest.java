package io.learningdb.operator.install;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.marcnuri.helm.Helm;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.utils.Serialization;

class HelmChartTest {

    @Test
    void lintStrictPassesForDefaultAndNamespacedValues(@TempDir Path tmp) throws Exception {
        var result = new Helm(HelmChart.CHART).lint().strict().call();
        assertThat(result.isFailed()).as(String.join("\n", result.getMessages())).isFalse();

        // helm lint reads the chart's own values.yaml: lint a copy whose values select two namespaces
        Path copy = tmp.resolve("learningdb-operator");
        try (var files = Files.walk(HelmChart.CHART)) {
            for (Path p : files.sorted(Comparator.naturalOrder()).toList()) {
                Path target = copy.resolve(HelmChart.CHART.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
        Path values = copy.resolve("values.yaml");
        Files.writeString(values, Files.readString(values).replace("watchNamespaces: []", "watchNamespaces: [team-a, team-b]"));
        var namespaced = new Helm(copy).lint().strict().call();
        assertThat(namespaced.isFailed()).as(String.join("\n", namespaced.getMessages())).isFalse();
        assertThat(new Helm(copy).template().withName("x").withKubeVersion(HelmChart.KUBE_VERSION).call()).contains("namespace: team-a", "namespace: team-b");
    }

    @Test
    void defaultInstallWatchesAllNamespacesWithOneClusterRoleAndEveryObjectParses() {
        List<HasMetadata> objects = HelmChart.objects(HelmChart.template(Map.of()));
        // every object is a kind fabric8 knows (no untyped leftovers) with a name
        assertThat(objects).noneMatch(o -> o instanceof GenericKubernetesResource);
        assertThat(objects).allMatch(o -> o.getMetadata().getName() != null && !o.getMetadata().getName().isBlank());
        assertThat(kinds(objects)).containsExactlyInAnyOrder("CustomResourceDefinition", "ServiceAccount", "ClusterRole",
                "ClusterRole", "ClusterRole", "ClusterRoleBinding", "ClusterRoleBinding", "ClusterRoleBinding", "Role",
                "RoleBinding", "Deployment", "Service");

        Deployment d = HelmChart.ofType(objects, Deployment.class).get(0);
        var env = d.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream()
                .filter(e -> e.getValue() != null).collect(Collectors.toMap(e -> e.getName(), e -> e.getValue()));
        assertThat(env).containsEntry("QUARKUS_OPERATOR_SDK_NAMESPACES", "JOSDK_ALL_NAMESPACES");
        var rules = HelmChart.ofType(objects, ClusterRole.class).stream()
                .filter(r -> r.getMetadata().getName().equals(HelmChart.RELEASE)).findFirst().orElseThrow().getRules();
        assertThat(rules).anyMatch(r -> r.getResources().contains("learningdatabases"));
        var binding = HelmChart.ofType(objects, ClusterRoleBinding.class).stream()
                .filter(b -> b.getMetadata().getName().equals(HelmChart.RELEASE)).findFirst().orElseThrow();
        var sa = HelmChart.ofType(objects, ServiceAccount.class).get(0);
        assertThat(binding.getSubjects().get(0).getName()).isEqualTo(sa.getMetadata().getName());
        assertThat(binding.getSubjects().get(0).getNamespace()).isEqualTo(HelmChart.NAMESPACE);
        assertThat(d.getSpec().getTemplate().getSpec().getServiceAccountName()).isEqualTo(sa.getMetadata().getName());
    }

    @Test
    void namespacedInstallGrantsRolesOnlyInTheWatchedNamespaces() {
        List<HasMetadata> objects = HelmChart.objects(HelmChart.template(Map.of("watchNamespaces[0]", "team-a",
                "watchNamespaces[1]", "team-b")));
        var roles = HelmChart.ofType(objects, Role.class);
        assertThat(roles.stream().filter(r -> r.getMetadata().getName().equals(HelmChart.RELEASE))
                .map(r -> r.getMetadata().getNamespace())).containsExactlyInAnyOrder("team-a", "team-b");
        assertThat(HelmChart.ofType(objects, RoleBinding.class).stream().map(r -> r.getMetadata().getNamespace()))
                .contains("team-a", "team-b", HelmChart.NAMESPACE);
        // the only cluster-wide grants left are reading the CRD, by name, whether nodes are draining, and whether a
        // StorageClass allows volume expansion
        var clusterRoles = HelmChart.ofType(objects, ClusterRole.class);
        assertThat(clusterRoles).hasSize(2);
        assertThat(clusterRoles).flatExtracting(ClusterRole::getRules).satisfiesExactlyInAnyOrder(r -> {
            assertThat(r.getVerbs()).containsExactly("get");
            assertThat(r.getResourceNames()).containsExactly("learningdatabases.learningdb.io");
        }, r -> {
            assertThat(r.getResources()).containsExactly("nodes");
            assertThat(r.getVerbs()).containsExactly("list", "watch");
        }, r -> {
            assertThat(r.getResources()).containsExactly("storageclasses");
            assertThat(r.getVerbs()).containsExactly("get");
        });
        Deployment d = HelmChart.ofType(objects, Deployment.class).get(0);
        assertThat(d.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv())
                .anyMatch(e -> e.getName().equals("QUARKUS_OPERATOR_SDK_NAMESPACES") && "team-a,team-b".equals(e.getValue()));
    }

    @Test
    void theValuesSchemaRefusesBadValues() {
        assertThatThrownBy(() -> HelmChart.template(Map.of("watchNamespaces[0]", "Not_A_Namespace")))
                .hasMessageContaining("watchNamespaces");
        assertThatThrownBy(() -> HelmChart.template(Map.of("image.pullPolicy", "Sometimes")))
                .hasMessageContaining("pullPolicy");
        assertThatThrownBy(() -> HelmChart.template(Map.of("replicaz", 2)))
                .hasMessageContaining("replicaz");
    }

    @Test
    void theOperatorDeploymentIsHardenedProbedAndBounded() {
        Deployment d = HelmChart.ofType(HelmChart.objects(HelmChart.template(Map.of("replicaCount", 2))), Deployment.class).get(0);
        var pod = d.getSpec().getTemplate().getSpec();
        var c = pod.getContainers().get(0);
        WorkloadSecurityTest.assertRestricted("operator Deployment", pod);
        assertThat(d.getSpec().getReplicas()).isEqualTo(2);
        assertThat(c.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/q/health/live");
        assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/q/health/ready");
        assertThat(c.getResources().getRequests()).containsKeys("cpu", "memory");
        assertThat(c.getResources().getLimits()).containsKeys("cpu", "memory");
        assertThat(c.getImage()).isEqualTo("ghcr.io/learningdb/learningdb-operator:0.1.0-SNAPSHOT");
        // the Deployment's pods carry the labels the per-cluster NetworkPolicies admit
        assertThat(d.getSpec().getTemplate().getMetadata().getLabels()).containsEntry("app.kubernetes.io/name", "learningdb-operator");
    }

    @Test
    void theGrafanaDashboardIsShippedForTheSidecarWhenEnabledAndEveryPanelFollowsTheChosenCluster() throws Exception {
        assertThat(HelmChart.ofType(HelmChart.objects(HelmChart.template(Map.of())), io.fabric8.kubernetes.api.model.ConfigMap.class))
                .as("off by default").isEmpty();
        var maps = HelmChart.ofType(HelmChart.objects(HelmChart.template(Map.of("metrics.grafanaDashboard.enabled", true,
                "metrics.grafanaDashboard.namespace", "monitoring"))), io.fabric8.kubernetes.api.model.ConfigMap.class);
        assertThat(maps).hasSize(1);
        var map = maps.get(0);
        assertThat(map.getMetadata().getNamespace()).isEqualTo("monitoring");
        assertThat(map.getMetadata().getLabels()).containsEntry("grafana_dashboard", "1");
        String json = map.getData().get("learningdb.json");
        var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        var shipped = mapper.readTree(json);
        assertThat(shipped).isEqualTo(mapper.readTree(Files.readString(HelmChart.CHART.resolve("files/grafana-dashboard.json"))));
        assertThat(shipped.at("/templating/list").findValuesAsText("name")).contains("datasource", "namespace", "cluster");
        var titles = new java.util.ArrayList<String>();
        for (var panel : shipped.get("panels")) {
            titles.add(panel.get("title").asText());
            if (panel.get("type").asText().equals("row")) {
                continue;
            }
            assertThat(panel.at("/datasource/uid").asText()).as(panel.get("title").asText()).isEqualTo("${datasource}");
            for (var target : panel.get("targets")) {
                assertThat(target.get("expr").asText()).as(panel.get("title").asText())
                        .contains("namespace=\"$namespace\", cluster=\"$cluster\"");
            }
        }
        // the five views
        assertThat(titles).contains("Cluster overview", "Instances", "Pooler", "Top queries", "Tables and indexes");
    }

    @Test
    void metricsServiceAndOptionalServiceMonitorAndAlertRules() {
        var objects = HelmChart.objects(HelmChart.template(Map.of("metrics.serviceMonitor.enabled", true,
                "metrics.prometheusRule.enabled", true, "metrics.podMonitor.enabled", true)));
        Service svc = HelmChart.ofType(objects, Service.class).get(0);
        assertThat(svc.getSpec().getPorts().get(0).getName()).isEqualTo("http-metrics");
        var monitoring = HelmChart.ofType(objects, GenericKubernetesResource.class);
        assertThat(monitoring).extracting(HasMetadata::getKind).containsExactlyInAnyOrder("ServiceMonitor", "PodMonitor",
                "PrometheusRule");
        // the PodMonitor finds the exporter sidecar of every instance pod by the labels and port the operator gives them
        String podMonitor = Serialization.asYaml(monitoring.stream().filter(m -> m.getKind().equals("PodMonitor")).findFirst().orElseThrow());
        assertThat(podMonitor).contains("app.kubernetes.io/component: \"instance\"", "port: \"metrics\"", "any: true");
        // the operator's series name the database's namespace and pod: without honorLabels Prometheus would rename
        // them exported_namespace/exported_pod and put the operator's own there, and every alert would group wrongly
        String serviceMonitor = Serialization.asYaml(monitoring.stream().filter(m -> m.getKind().equals("ServiceMonitor")).findFirst().orElseThrow());
        assertThat(serviceMonitor).contains("honorLabels: true");
        String rules = Serialization.asYaml(monitoring.stream().filter(m -> m.getKind().equals("PrometheusRule")).findFirst().orElseThrow());
        assertThat(rules).contains("learningdb_replication_lag_seconds", "learningdb_replicas_streaming",
                "reconciliations_failure_total", "{{ $labels.cluster }}", "learningdb_wal_archiving_failing",
                "learningdb_wal_last_archived_timestamp_seconds", "learningdb_backup_last_completed_timestamp_seconds",
                "learningdb_pooler_max_wait_seconds", "learningdb_pooler_servers_active");
    }

    @Test
    void theChartCrdIsTheCommittedCrdKeptOnUninstall() throws Exception {
        var committed = Serialization.unmarshal(Files.readString(Path.of("crds", "learningdatabases.learningdb.io-v1.yml")),
                CustomResourceDefinition.class);
        var chartCopy = Serialization.unmarshal(Files.readString(HelmChart.CHART.resolve("files/learningdatabases.learningdb.io-v1.yml")),
                CustomResourceDefinition.class);
        assertThat(chartCopy).as("helm/learningdb-operator/files/ must hold a copy of crds/").isEqualTo(committed);
        var rendered = HelmChart.ofType(HelmChart.objects(HelmChart.template(Map.of())), CustomResourceDefinition.class).get(0);
        assertThat(rendered.getSpec()).isEqualTo(committed.getSpec());
        assertThat(rendered.getMetadata().getName()).isEqualTo(committed.getMetadata().getName());
        assertThat(rendered.getMetadata().getAnnotations()).containsEntry("helm.sh/resource-policy", "keep");
        assertThat(HelmChart.objects(HelmChart.template(Map.of("crds.install", false))))
                .noneMatch(o -> o instanceof CustomResourceDefinition);
    }

    @Test
    void plainManifestsAreTheRenderedChart() throws Exception {
        String expected = HelmChart.plainManifests();
        if (Boolean.getBoolean("update-manifests")) {
            HelmChart.write(HelmChart.MANIFESTS, expected);
        }
        assertThat(Files.exists(HelmChart.MANIFESTS)).as("manifests/install.yaml exists").isTrue();
        assertThat(Files.readString(HelmChart.MANIFESTS))
                .as("manifests/install.yaml is stale: ./mvnw test -Dtest=HelmChartTest -Dupdate-manifests=true")
                .isEqualTo(expected);
        assertThat(HelmChart.objects(expected)).noneMatch(o -> o instanceof GenericKubernetesResource);
    }

    private static List<String> kinds(List<HasMetadata> objects) {
        return objects.stream().map(HasMetadata::getKind).toList();
    }
}
