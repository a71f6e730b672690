package io.learningdb.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import io.learningdb.operator.model.LearningDatabase;
import io.learningdb.operator.rbac.OperatorRequests;
import io.learningdb.operator.rbac.OperatorTest;
import io.learningdb.operator.resources.InstanceStatefulSet;
import io.learningdb.operator.resources.Labels;
import io.learningdb.operator.resources.UpgradeJob;
import io.learningdb.operator.status.Conditions;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;

/**
 * A raised postgres.version on the strict test API server: held until approved, then every instance stopped, the
 * upgrade Job run on the primary's claim with the old binaries from the old image, the instances started on the new
 * image under the new system identifier — with no failover meanwhile. A failed Job brings the old image back.
 * (upgrade.sh itself runs on real PostgreSQL in MajorUpgradeTest; no database answers here.)
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true, setup = OperatorRequests.TestApiServer.class)
class MajorUpgradeOperatorTest extends OperatorTest {

    static final Duration TIMEOUT = Duration.ofSeconds(30);
    static final String NS = "upgrades";
    static final String OLD = "docker.io/library/postgres:15.20";
    static final String NEW = "docker.io/library/postgres:16.16";

    LearningDatabase get(String name) {
        return client.resources(LearningDatabase.class).inNamespace(NS).withName(name).get();
    }

    Optional<Condition> condition(String name, String type) {
        var l = get(name);
        return l == null || l.getStatus() == null ? Optional.empty() : Conditions.find(l.getStatus().getConditions(), type);
    }

    List<String> events(String name) {
        return client.v1().events().inNamespace(NS).list().getItems().stream()
                .filter(e -> name.equals(e.getInvolvedObject().getName())).map(Event::getReason).toList();
    }

    StatefulSet instances(String name) {
        return client.apps().statefulSets().inNamespace(NS).withName(name).get();
    }

    static String image(StatefulSet sts) {
        return sts.getSpec().getTemplate().getSpec().getContainers().stream()
                .filter(c -> InstanceStatefulSet.CONTAINER.equals(c.getName())).findFirst().orElseThrow().getImage();
    }

    String phase(String name) {
        var l = get(name);
        return l == null || l.getStatus() == null || l.getStatus().getMajorUpgrade() == null ? null
                : l.getStatus().getMajorUpgrade().getPhase();
    }

    FakeStatefulSetController createReadyCluster(String name) {
        client.resource(LearningDatabaseReconcilerTest.ldb(NS, name, """
                replicas: 1
                postgres:
                  version: 15
                """)).create();
        await().atMost(TIMEOUT).until(() -> instances(name) != null
                && client.apps().statefulSets().inNamespace(NS).withName(name + "-pooler").get() != null);
        var sts = new FakeStatefulSetController(client);
        sts.run(NS, name, true);
        sts.run(NS, name + "-pooler", true);
        await().atMost(TIMEOUT).until(() -> get(name).getStatus() != null && (name + "-0").equals(get(name).getStatus().getPrimary())
                && Integer.valueOf(15).equals(get(name).getStatus().getPostgresVersion()));
        return sts;
    }

    void approve(String name, String value) {
        updateLearningDatabase(NS, name, l -> {
            var annotations = new HashMap<String, String>(Optional.ofNullable(l.getMetadata().getAnnotations()).orElse(Map.of()));
            annotations.put("learningdb.io/approve-major-upgrade", value);
            l.getMetadata().setAnnotations(annotations);
        });
    }

    /** What the StatefulSet controller does at replicas 0: the pods go. */
    void deleteInstancePods(String name) {
        client.pods().inNamespace(NS).withLabel(Labels.CLUSTER, name).withLabel(Labels.COMPONENT, Labels.COMPONENT_INSTANCE)
                .delete();
        await().atMost(TIMEOUT).until(() -> client.pods().inNamespace(NS).withLabel(Labels.CLUSTER, name)
                .withLabel(Labels.COMPONENT, Labels.COMPONENT_INSTANCE).list().getItems().isEmpty());
    }

    /** What the Job controller and the kubelet make of the Job: one pod that ended with upgrade.sh's message. */
    void finishJob(Job job, boolean succeeded, String message) {
        var template = job.getSpec().getTemplate();
        var pod = client.pods().inNamespace(NS).resource(new PodBuilder().withNewMetadata()
                .withName(job.getMetadata().getName() + "-abcde").withLabels(template.getMetadata().getLabels())
                .addNewOwnerReference().withApiVersion("batch/v1").withKind("Job").withName(job.getMetadata().getName())
                .withUid(job.getMetadata().getUid()).withController(true).endOwnerReference()
                .endMetadata().withSpec(template.getSpec()).build()).create();
        pod.setStatus(new io.fabric8.kubernetes.api.model.PodStatusBuilder().withPhase(succeeded ? "Succeeded" : "Failed")
                .addNewContainerStatus().withName(UpgradeJob.CONTAINER).withNewState().withNewTerminated()
                .withExitCode(succeeded ? 0 : 3).withMessage(message).endTerminated().endState().endContainerStatus()
                .build());
        client.pods().inNamespace(NS).resource(pod).updateStatus();
        var status = succeeded ? new JobStatusBuilder().withSucceeded(1).build()
                : new JobStatusBuilder().withFailed(3).addNewCondition().withType("Failed").withStatus("True").endCondition().build();
        client.batch().v1().jobs().inNamespace(NS).withName(job.getMetadata().getName()).editStatus(j -> {
            j.setStatus(status);
            return j;
        });
    }

    @Test
    void aRaisedVersionIsHeldUntilApprovedThenStopsUpgradesOnThePrimarysClaimAndStartsOnTheNewImage() {
        var sts = createReadyCluster("lms");
        assertThat(image(instances("lms"))).isEqualTo(OLD);

        updateLearningDatabase(NS, "lms", l -> l.getSpec().getPostgres().setVersion(16));

        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(condition("lms", Conditions.SPEC_APPLIED)).hasValueSatisfying(c -> {
            assertThat(c.getStatus()).isEqualTo("False");
            assertThat(c.getReason()).isEqualTo(MajorUpgrades.REASON_HELD);
            assertThat(c.getMessage()).contains("learningdb.io/approve-major-upgrade=16");
        }));
        assertThat(image(instances("lms"))).as("nothing restarts on the new major before the upgrade").isEqualTo(OLD);
        assertThat(instances("lms").getSpec().getReplicas()).isEqualTo(2);
        assertThat(phase("lms")).isNull();

        approve("lms", "16");

        await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(phase("lms")).isEqualTo(MajorUpgrades.STOPPING);
            assertThat(instances("lms").getSpec().getReplicas()).isZero();
        });
        assertThat(image(instances("lms"))).isEqualTo(OLD);
        assertThat(condition("lms", Conditions.PROGRESSING)).hasValueSatisfying(c ->
                assertThat(c.getReason()).isEqualTo(MajorUpgrades.REASON_UPGRADING));
        deleteInstancePods("lms");

        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(phase("lms")).isEqualTo(MajorUpgrades.UPGRADING));
        var job = client.batch().v1().jobs().inNamespace(NS).withName("lms-upgrade-16").get();
        assertThat(job).isNotNull();
        assertThat(job.getMetadata().getOwnerReferences()).singleElement()
                .satisfies(o -> assertThat(o.getName()).isEqualTo("lms"));
        var pod = job.getSpec().getTemplate().getSpec();
        assertThat(pod.getInitContainers()).singleElement().satisfies(c -> {
            assertThat(c.getImage()).as("the old binaries come from the old image").isEqualTo(OLD);
            assertThat(String.join(" ", c.getCommand())).contains("/usr/lib/postgresql/15/.");
        });
        assertThat(pod.getContainers()).singleElement().satisfies(c -> {
            assertThat(c.getImage()).isEqualTo(NEW);
            assertThat(c.getEnv()).anySatisfy(e -> {
                assertThat(e.getName()).isEqualTo("OLD_BINDIR");
                assertThat(e.getValue()).isEqualTo("/usr/lib/postgresql/15/bin");
            });
        });
        assertThat(pod.getVolumes()).anySatisfy(v -> assertThat(v.getPersistentVolumeClaim().getClaimName())
                .isEqualTo("data-lms-0"));

        finishJob(job, true, "upgraded /var/lib/postgresql/data/pgdata from PostgreSQL 15 to 16 (system identifier 7450000000000000123)");

        await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(phase("lms")).isEqualTo(MajorUpgrades.STARTING);
            assertThat(get("lms").getStatus().getPostgresVersion()).isEqualTo(16);
            assertThat(get("lms").getStatus().getSystemIdentifier()).isEqualTo("7450000000000000123");
            assertThat(instances("lms").getSpec().getReplicas()).isEqualTo(2);
            assertThat(image(instances("lms"))).isEqualTo(NEW);
        });
        sts.run(NS, "lms", true);

        await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(phase("lms")).isEqualTo(MajorUpgrades.COMPLETED);
            assertThat(condition("lms", Conditions.PROGRESSING)).hasValueSatisfying(c ->
                    assertThat(c.getReason()).isNotEqualTo(MajorUpgrades.REASON_UPGRADING));
            assertThat(condition("lms", Conditions.SPEC_APPLIED)).isEmpty();
            assertThat(client.pods().inNamespace(NS).withName("lms-0").get().getMetadata().getAnnotations())
                    .containsEntry(Labels.SYSTEM_IDENTIFIER, "7450000000000000123");
        });
        assertThat(events("lms")).contains("MajorUpgradeStarted", "MajorUpgradeRunning", "MajorUpgradeDataUpgraded",
                "MajorUpgradeCompleted").doesNotContain("PrimaryLost");
        assertThat(get("lms").getStatus().getLastFailover()).as("no failover while every instance was stopped").isNull();
        assertThat(get("lms").getStatus().getPrimary()).isEqualTo("lms-0");
    }

    @Test
    void aFailedUpgradeStartsTheOldImageAgainAndSaysWhy() {
        createReadyCluster("failing");
        updateLearningDatabase(NS, "failing", l -> l.getSpec().getPostgres().setVersion(16));
        approve("failing", "16");
        await().atMost(TIMEOUT).until(() -> instances("failing").getSpec().getReplicas() == 0);
        deleteInstancePods("failing");
        await().atMost(TIMEOUT).until(() -> client.batch().v1().jobs().inNamespace(NS).withName("failing-upgrade-16").get() != null);

        finishJob(client.batch().v1().jobs().inNamespace(NS).withName("failing-upgrade-16").get(), false,
                "pg_upgrade --check failed, the old cluster is untouched and can start again: Checking for reg* data types in user tables fatal");

        await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(phase("failing")).isEqualTo(MajorUpgrades.FAILED);
            assertThat(instances("failing").getSpec().getReplicas()).isEqualTo(2);
            assertThat(image(instances("failing"))).isEqualTo(OLD);
            assertThat(get("failing").getStatus().getPostgresVersion()).isEqualTo(15);
            assertThat(condition("failing", Conditions.SPEC_APPLIED)).hasValueSatisfying(c -> {
                assertThat(c.getReason()).isEqualTo(MajorUpgrades.REASON_FAILED);
                assertThat(c.getMessage()).contains("reg* data types").contains("16-retry");
            });
        });
        assertThat(events("failing")).contains(MajorUpgrades.REASON_FAILED);
    }
}
