package io.learningdb.operator.testapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;

/**
 * The test API server refuses what kube-apiserver refuses where the operator's correctness depends on it. Each case
 * here is accepted by the plain fabric8 mock.
 */
class StrictApiServerTest {

    KubernetesMockServer server;
    KubernetesClient client;

    @BeforeEach
    void start() {
        var responses = new HashMap<io.fabric8.mockwebserver.ServerRequest, java.util.Queue<io.fabric8.mockwebserver.ServerResponse>>();
        server = new KubernetesMockServer(new Context(), new MockWebServer(), responses,
                new KubernetesMixedDispatcher(responses, Collections.emptyList()), false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        StrictApiServer.install(server);
        client = server.createClient();
    }

    @AfterEach
    void stop() {
        client.close();
        server.destroy();
    }

    private static int code(Runnable r) {
        try {
            r.run();
            return 200;
        } catch (KubernetesClientException e) {
            return e.getCode();
        }
    }

    @Test
    void aStatusUpdateFromAStaleResourceVersionIsAConflict() {
        ConfigMap cm = client.configMaps().inNamespace("ns").resource(new ConfigMapBuilder().withNewMetadata().withName("c")
                .endMetadata().addToData("a", "1").build()).create();
        client.configMaps().inNamespace("ns").withName("c").edit(c -> {
            c.getData().put("a", "2");
            return c;
        });
        // cm still carries the first resourceVersion: kube-apiserver answers 409 to update, status update and a
        // merge patch that names it; the plain mock answered 200 to the status update
        assertThat(code(() -> client.configMaps().inNamespace("ns").resource(cm).update())).isEqualTo(409);
        assertThat(code(() -> client.configMaps().inNamespace("ns").resource(cm).updateStatus())).isEqualTo(409);
        cm.getData().put("a", "3");
        assertThat(code(() -> client.configMaps().inNamespace("ns").resource(cm)
                .patch(io.fabric8.kubernetes.client.dsl.base.PatchContext.of(
                        io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE), cm))).isEqualTo(409);
        // the current version is accepted
        var fresh = client.configMaps().inNamespace("ns").withName("c").get();
        assertThat(code(() -> client.configMaps().inNamespace("ns").resource(fresh).updateStatus())).isEqualTo(200);
    }

    @Test
    void aStatefulSetUpdateMayChangeOnlyWhatKubeApiserverAllows() {
        StatefulSet sts = client.apps().statefulSets().inNamespace("ns").resource(new StatefulSetBuilder()
                .withNewMetadata().withName("db").endMetadata()
                .withNewSpec().withReplicas(1).withServiceName("db-instances")
                .withNewSelector().addToMatchLabels("app", "db").endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", "db").endMetadata().withNewSpec()
                .addNewContainer().withName("pg").withImage("postgres:15").endContainer().endSpec().endTemplate()
                .addNewVolumeClaimTemplate().withNewMetadata().withName("data").endMetadata().withNewSpec()
                .withNewResources().addToRequests("storage", new Quantity("1Gi")).endResources().endSpec()
                .endVolumeClaimTemplate()
                .endSpec().build()).create();
        // replicas and template: allowed
        assertThat(code(() -> client.apps().statefulSets().inNamespace("ns").withName("db").edit(s -> {
            s.getSpec().setReplicas(3);
            s.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("postgres:15.8");
            return s;
        }))).isEqualTo(200);
        // volumeClaimTemplates, serviceName, selector: forbidden, by update and by patch
        assertThat(code(() -> client.apps().statefulSets().inNamespace("ns").withName("db").edit(s -> {
            s.getSpec().getVolumeClaimTemplates().get(0).getSpec().getResources().getRequests().put("storage",
                    new Quantity("2Gi"));
            return s;
        }))).isEqualTo(422);
        var current = client.apps().statefulSets().inNamespace("ns").withName("db").get();
        current.getSpec().setServiceName("other");
        assertThat(code(() -> client.apps().statefulSets().inNamespace("ns").resource(current).update())).isEqualTo(422);
        assertThat(sts.getSpec().getServiceName()).isEqualTo(
                client.apps().statefulSets().inNamespace("ns").withName("db").get().getSpec().getServiceName());
    }

    @Test
    void aJobTemplateAndAServiceClusterIpAreImmutable() {
        client.batch().v1().jobs().inNamespace("ns").resource(new JobBuilder().withNewMetadata().withName("j").endMetadata()
                .withNewSpec().withNewTemplate().withNewSpec().withRestartPolicy("Never").addNewContainer().withName("c")
                .withImage("busybox").endContainer().endSpec().endTemplate().endSpec().build()).create();
        assertThat(code(() -> client.batch().v1().jobs().inNamespace("ns").withName("j").edit(j -> {
            j.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("alpine");
            return j;
        }))).isEqualTo(422);

        client.services().inNamespace("ns").resource(new ServiceBuilder().withNewMetadata().withName("s").endMetadata()
                .withNewSpec().withClusterIP("10.0.0.10").endSpec().build()).create();
        assertThat(code(() -> client.services().inNamespace("ns").withName("s").edit(s -> {
            s.getSpec().setClusterIP("10.0.0.11");
            return s;
        }))).isEqualTo(422);
    }

    @Test
    void aPersistentVolumeClaimMayOnlyGrow() {
        client.persistentVolumeClaims().inNamespace("ns").resource(new PersistentVolumeClaimBuilder().withNewMetadata()
                .withName("data-db-0").endMetadata().withNewSpec().withStorageClassName("fast").withNewResources()
                .addToRequests("storage", new Quantity("1Gi")).endResources().endSpec().build()).create();
        assertThat(code(() -> client.persistentVolumeClaims().inNamespace("ns").withName("data-db-0").edit(p -> {
            p.getSpec().getResources().getRequests().put("storage", new Quantity("512Mi"));
            return p;
        }))).isEqualTo(422);
        assertThat(code(() -> client.persistentVolumeClaims().inNamespace("ns").withName("data-db-0").edit(p -> {
            p.getSpec().setStorageClassName("slow");
            return p;
        }))).isEqualTo(422);
        assertThat(code(() -> client.persistentVolumeClaims().inNamespace("ns").withName("data-db-0").edit(p -> {
            p.getSpec().getResources().getRequests().put("storage", new Quantity("2Gi"));
            return p;
        }))).isEqualTo(200);
    }

    @Test
    void namesAndLabelsFollowKubeApiserverSyntax() {
        for (String bad : List.of("2024-courses", "courses.v2", "Courses", "a".repeat(64))) {
            assertThat(code(() -> client.services().inNamespace("ns").resource(new ServiceBuilder().withNewMetadata()
                    .withName(bad).endMetadata().build()).create())).as("service " + bad).isEqualTo(422);
        }
        // a ConfigMap may be named like a subdomain, a Service may not
        assertThat(code(() -> client.configMaps().inNamespace("ns").resource(new ConfigMapBuilder().withNewMetadata()
                .withName("courses.v2").endMetadata().build()).create())).isEqualTo(200);
        assertThat(code(() -> client.configMaps().inNamespace("ns").resource(new ConfigMapBuilder().withNewMetadata()
                .withName("Fast_SSD").endMetadata().build()).create())).isEqualTo(422);
        assertThat(code(() -> client.configMaps().inNamespace("ns").resource(new ConfigMapBuilder().withNewMetadata()
                .withName("l").withLabels(Map.of("team", "web platform")).endMetadata().build()).create())).isEqualTo(422);
        assertThat(code(() -> client.configMaps().inNamespace("ns").resource(new ConfigMapBuilder().withNewMetadata()
                .withName("k").withLabels(Map.of("-bad/key", "x")).endMetadata().build()).create())).isEqualTo(422);
        assertThat(code(() -> client.batch().v1().cronjobs().inNamespace("ns").resource(
                new io.fabric8.kubernetes.api.model.batch.v1.CronJobBuilder().withNewMetadata().withName("c".repeat(53))
                        .endMetadata().build()).create())).isEqualTo(422);
        assertThatThrownBy(() -> client.services().inNamespace("ns").resource(new ServiceBuilder().withNewMetadata()
                .withName("2024-x").endMetadata().build()).create()).hasMessageContaining("DNS-1035");
    }

    /** One place: every test that starts the operator on the mock server runs it through this layer. */
    @Test
    void everyOperatorTestRunsOnTheStrictServer() throws IOException {
        try (var files = Files.walk(Path.of("src/test/java"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String text = Files.readString(f);
                if (text.contains("@WithKubernetesTestServer(")) {
                    assertThat(text).as(f.toString()).contains("setup = OperatorRequests.TestApiServer.class");
                }
            }
        }
    }
}
