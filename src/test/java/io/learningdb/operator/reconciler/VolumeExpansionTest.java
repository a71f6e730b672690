package io.learningdb.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.storage.StorageClassBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.learningdb.operator.config.OperatorUserAgent;
import io.learningdb.operator.model.InstanceStatus;
import io.learningdb.operator.model.LearningDatabase;
import io.learningdb.operator.rbac.OperatorRequests;
import io.learningdb.operator.rbac.OperatorTest;
import io.learningdb.operator.resources.Labels;
import io.learningdb.operator.status.Conditions;
import io.learningdb.operator.status.Rollout;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;

/**
 * A larger postgres.storage.size on the strict test API server (which refuses, like kube-apiserver, any update of a
 * StatefulSet's volumeClaimTemplates and any shrinking of a claim): every claim is patched, the StatefulSet is
 * replaced by delete-with-Orphan and create, no pod is deleted, and status follows the volumes as they grow. A
 * StorageClass that does not allow expansion changes nothing and says so.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true, setup = OperatorRequests.TestApiServer.class)
class VolumeExpansionTest extends OperatorTest {

    static final Duration TIMEOUT = Duration.ofSeconds(30);
    static final String NS = "volumes";

    LearningDatabase get(String name) {
        return client.resources(LearningDatabase.class).inNamespace(NS).withName(name).get();
    }

    Optional<Condition> condition(String name, String type) {
        var l = get(name);
        return l == null || l.getStatus() == null ? Optional.empty() : Conditions.find(l.getStatus().getConditions(), type);
    }

    List<Event> events(String name) {
        return client.v1().events().inNamespace(NS).list().getItems().stream()
                .filter(e -> name.equals(e.getInvolvedObject().getName())).toList();
    }

    Map<String, String> podUids(String cluster) {
        return client.pods().inNamespace(NS).withLabel(Labels.CLUSTER, cluster).list().getItems().stream()
                .collect(Collectors.toMap(p -> p.getMetadata().getName(), p -> p.getMetadata().getUid()));
    }

    PersistentVolumeClaim claim(String name) {
        return client.persistentVolumeClaims().inNamespace(NS).withName(name).get();
    }

    /** What the StatefulSet controller and the storage driver make of the claim template: a bound claim. */
    void createClaims(String cluster, int instances, String size, String storageClass) {
        var template = client.apps().statefulSets().inNamespace(NS).withName(cluster).get().getSpec()
                .getVolumeClaimTemplates().get(0);
        for (int i = 0; i < instances; i++) {
            var claim = client.persistentVolumeClaims().inNamespace(NS).resource(new PersistentVolumeClaimBuilder()
                    .withNewMetadata().withName("data-" + cluster + "-" + i).withLabels(template.getMetadata().getLabels())
                    .endMetadata()
                    .withNewSpec().withAccessModes("ReadWriteOnce").withStorageClassName(storageClass)
                    .withVolumeName("pv-" + cluster + "-" + i)
                    .withNewResources().addToRequests("storage", new Quantity(size)).endResources().endSpec()
                    .build()).create();
            setCapacity(claim.getMetadata().getName(), size);
        }
    }

    /** The storage driver (and kubelet) having grown the volume. */
    void setCapacity(String claim, String size) {
        for (int attempt = 0;; attempt++) {
            var c = claim(claim);
            c.setStatus(new io.fabric8.kubernetes.api.model.PersistentVolumeClaimStatusBuilder().withPhase("Bound")
                    .addToCapacity("storage", new Quantity(size)).build());
            try {
                client.persistentVolumeClaims().inNamespace(NS).resource(c).updateStatus();
                return;
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409 || attempt > 20) {
                    throw e;
                }
            }
        }
    }

    void resize(String cluster, String size) {
        updateLearningDatabase(NS, cluster, l -> l.getSpec().getPostgres().getStorage().setSize(size));
    }

    List<RecordedRequest> operatorRequests() {
        return OperatorRequests.drain(server, "VolumeExpansionTest").stream()
                .filter(r -> r.getHeader("User-Agent") != null && r.getHeader("User-Agent").startsWith(OperatorUserAgent.NAME))
                .toList();
    }

    void createCluster(String name, String storageClass) {
        client.resource(LearningDatabaseReconcilerTest.ldb(NS, name, """
                replicas: 2
                postgres:
                  storage:
                    size: 10Gi
                    storageClassName: %s
                """.formatted(storageClass))).create();
        await().atMost(TIMEOUT).until(() -> client.apps().statefulSets().inNamespace(NS).withName(name).get() != null
                && client.apps().statefulSets().inNamespace(NS).withName(name + "-pooler").get() != null);
        var sts = new FakeStatefulSetController(client);
        sts.run(NS, name, true);
        sts.run(NS, name + "-pooler", true);
        createClaims(name, 3, "10Gi", storageClass);
        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(get(name).getStatus().getInstances())
                .extracting(InstanceStatus::getStorageCapacity).containsExactly("10Gi", "10Gi", "10Gi"));
    }

    @Test
    void aLargerSizeGrowsEveryClaimAndReplacesTheStatefulSetWithoutDeletingAPod() {
        client.storage().v1().storageClasses().resource(new StorageClassBuilder().withNewMetadata().withName("expandable")
                .endMetadata().withProvisioner("csi.example.com").withAllowVolumeExpansion(true).build()).create();
        createCluster("grow", "expandable");
        var pods = podUids("grow");
        assertThat(pods).hasSize(5);
        String stsUid = client.apps().statefulSets().inNamespace(NS).withName("grow").get().getMetadata().getUid();
        operatorRequests();

        resize("grow", "20Gi");

        await().atMost(TIMEOUT).untilAsserted(() -> {
            for (int i = 0; i < 3; i++) {
                assertThat(claim("data-grow-" + i).getSpec().getResources().getRequests().get("storage"))
                        .isEqualTo(new Quantity("20Gi"));
            }
            var sts = client.apps().statefulSets().inNamespace(NS).withName("grow").get();
            assertThat(sts).isNotNull();
            assertThat(sts.getMetadata().getUid()).as("a new StatefulSet").isNotEqualTo(stsUid);
            assertThat(sts.getSpec().getVolumeClaimTemplates().get(0).getSpec().getResources().getRequests().get("storage"))
                    .isEqualTo(new Quantity("20Gi"));
        });
        assertThat(podUids("grow")).as("no pod deleted or re-created").isEqualTo(pods);
        var requests = operatorRequests();
        assertThat(requests).filteredOn(r -> r.getPath().contains("/statefulsets/grow") && "DELETE".equals(r.getMethod()))
                .singleElement().satisfies(r -> assertThat(new String(r.getBody().getBytes(), StandardCharsets.UTF_8))
                        .contains("\"propagationPolicy\":\"Orphan\""));
        assertThat(requests).as("no update of the StatefulSet (kube-apiserver refuses it)")
                .noneMatch(r -> r.getPath().contains("/statefulsets/grow") && List.of("PUT", "PATCH").contains(r.getMethod()));
        assertThat(requests).noneMatch(r -> r.getPath().contains("/pods/") && "DELETE".equals(r.getMethod()));

        // the volumes grow as the storage driver gets to them: status follows
        await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(condition("grow", Conditions.PROGRESSING)).hasValueSatisfying(c -> {
                assertThat(c.getReason()).isEqualTo(Rollout.VOLUME_EXPANDING);
                assertThat(c.getMessage()).contains("data-grow-0 10Gi of 20Gi");
            });
            assertThat(get("grow").getStatus().getInstances()).extracting(InstanceStatus::getStorageRequested)
                    .containsOnly("20Gi");
        });
        assertThat(events("grow")).extracting(Event::getReason).contains("VolumeExpansion");
        for (int i = 0; i < 3; i++) {
            setCapacity("data-grow-" + i, "20Gi");
        }
        await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(condition("grow", Conditions.PROGRESSING)).hasValueSatisfying(c -> assertThat(c.getReason())
                    .as(c.getMessage()).isEqualTo(Rollout.UP_TO_DATE));
            assertThat(get("grow").getStatus().getInstances()).extracting(InstanceStatus::getStorageCapacity)
                    .containsOnly("20Gi");
        });
        assertThat(condition("grow", Conditions.SPEC_APPLIED)).isEmpty();
    }

    @Test
    void aStorageClassThatCannotExpandChangesNothingAndSaysWhy() {
        client.storage().v1().storageClasses().resource(new StorageClassBuilder().withNewMetadata().withName("fixed")
                .endMetadata().withProvisioner("csi.example.com").withAllowVolumeExpansion(false).build()).create();
        createCluster("keep", "fixed");
        String stsUid = client.apps().statefulSets().inNamespace(NS).withName("keep").get().getMetadata().getUid();

        resize("keep", "20Gi");

        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(condition("keep", Conditions.SPEC_APPLIED)).hasValueSatisfying(c -> {
            assertThat(c.getStatus()).isEqualTo("False");
            assertThat(c.getReason()).isEqualTo(Conditions.UNSUPPORTED_CHANGE);
            assertThat(c.getMessage()).contains("volume expansion to 20Gi: StorageClass fixed does not allow volume "
                    + "expansion");
        }));
        assertThat(events("keep")).extracting(Event::getReason).contains(Conditions.UNSUPPORTED_CHANGE);
        for (int i = 0; i < 3; i++) {
            assertThat(claim("data-keep-" + i).getSpec().getResources().getRequests().get("storage"))
                    .isEqualTo(new Quantity("10Gi"));
        }
        var sts = client.apps().statefulSets().inNamespace(NS).withName("keep").get();
        assertThat(sts.getMetadata().getUid()).isEqualTo(stsUid);
        assertThat(sts.getSpec().getVolumeClaimTemplates().get(0).getSpec().getResources().getRequests().get("storage"))
                .isEqualTo(new Quantity("10Gi"));

        // the administrator allows expansion on the StorageClass: the operator proceeds (it looks again every 30 s
        // while a change is not applied; an edit of the resource brings it sooner, as here)
        client.storage().v1().storageClasses().withName("fixed").edit(sc -> {
            sc.setAllowVolumeExpansion(true);
            return sc;
        });
        updateLearningDatabase(NS, "keep", l -> {
            var annotations = new java.util.HashMap<String, String>(
                    Optional.ofNullable(l.getMetadata().getAnnotations()).orElse(Map.of()));
            annotations.put("example.com/touched", "1");
            l.getMetadata().setAnnotations(annotations);
        });
        await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(claim("data-keep-1").getSpec().getResources().getRequests().get("storage")).isEqualTo(new Quantity("20Gi"));
            assertThat(condition("keep", Conditions.SPEC_APPLIED)).isEmpty();
        });
    }
}
