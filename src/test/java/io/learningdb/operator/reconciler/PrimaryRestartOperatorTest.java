package io.learningdb.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.learningdb.operator.model.LearningDatabase;
import io.learningdb.operator.model.PrimaryRestartStatus;
import io.learningdb.operator.rbac.OperatorRequests;
import io.learningdb.operator.rbac.OperatorTest;
import io.learningdb.operator.resources.Labels;
import io.learningdb.operator.status.Conditions;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;

/**
 * A restart of the primary in place, from the intent recorded in status (as the reconcile that planned it wrote it,
 * or as an operator restarted meanwhile finds it), on the strict test API server: that pod and only that pod is
 * deleted, once; Progressing says so; the primary stays the primary; the replacement pod ready ends it. (The plan
 * itself needs a database's settings: PrimaryRestartsTest; the order on real PostgreSQL: ConfigReloadTest.)
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true, setup = OperatorRequests.TestApiServer.class)
class PrimaryRestartOperatorTest extends OperatorTest {

    static final Duration TIMEOUT = Duration.ofSeconds(30);
    static final String NS = "restarts";

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

    String uid(String pod) {
        var p = client.pods().inNamespace(NS).withName(pod).get();
        return p == null ? null : p.getMetadata().getUid();
    }

    @Test
    void theRecordedRestartDeletesThePrimarysPodOnceKeepsItPrimaryAndEndsWhenItsReplacementIsReady() {
        client.resource(LearningDatabaseReconcilerTest.ldb(NS, "lms", "replicas: 2\n")).create();
        await().atMost(TIMEOUT).until(() -> client.apps().statefulSets().inNamespace(NS).withName("lms").get() != null
                && client.apps().statefulSets().inNamespace(NS).withName("lms-pooler").get() != null);
        var sts = new FakeStatefulSetController(client);
        sts.run(NS, "lms", true);
        sts.run(NS, "lms-pooler", true);
        await().atMost(TIMEOUT).until(() -> get("lms").getStatus() != null && "lms-0".equals(get("lms").getStatus().getPrimary())
                && condition("lms", Conditions.READY).map(c -> "True".equals(c.getStatus())).orElse(false));
        String primaryUid = uid("lms-0");
        String replicaUid = uid("lms-1");

        updateLearningDatabaseStatus(NS, "lms", l -> l.getStatus().setPrimaryRestart(new PrimaryRestartStatus("lms-0",
                primaryUid, "lowering max_connections: 200 → 100", Instant.now().toString())));
        // a status write brings no reconcile (the planning reconcile looks again after 2 s): an edit does
        updateLearningDatabase(NS, "lms", l -> l.getMetadata().setAnnotations(
                new java.util.HashMap<>(java.util.Map.of("example.com/touched", "1"))));

        await().atMost(TIMEOUT).until(() -> !primaryUid.equals(uid("lms-0")));
        assertThat(events("lms")).extracting(Event::getReason).contains(PrimaryRestarts.REASON);
        assertThat(events("lms")).filteredOn(e -> PrimaryRestarts.REASON.equals(e.getReason())).singleElement()
                .satisfies(e -> assertThat(e.getMessage()).contains("stopping primary lms-0").contains("max_connections"));
        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(condition("lms", Conditions.PROGRESSING)).hasValueSatisfying(c -> {
            assertThat(c.getReason()).isEqualTo(PrimaryRestarts.REASON);
            assertThat(c.getMessage()).contains("restarting primary lms-0 in place");
        }));
        assertThat(uid("lms-1")).as("no replica touched").isEqualTo(replicaUid);
        assertThat(get("lms").getStatus().getPrimary()).isEqualTo("lms-0");
        assertThat(get("lms").getStatus().getTargetPrimary()).as("no switchover").isNull();

        // the StatefulSet controller brings the pod back (same name, same claim), the operator labels it primary again
        sts.createMissing(NS, "lms");
        await().atMost(TIMEOUT).until(() -> client.pods().inNamespace(NS).withName("lms-0").get().getMetadata().getLabels()
                .get(Labels.ROLE) != null);
        assertThat(client.pods().inNamespace(NS).withName("lms-0").get().getMetadata().getLabels())
                .containsEntry(Labels.ROLE, Labels.ROLE_PRIMARY);
        String replacement = uid("lms-0");
        sts.setReady(NS, "lms-0", true);

        await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(get("lms").getStatus().getPrimaryRestart()).isNull();
            assertThat(events("lms")).extracting(Event::getReason).contains("PrimaryRestarted");
            assertThat(condition("lms", Conditions.PROGRESSING)).hasValueSatisfying(c ->
                    assertThat(c.getReason()).isNotEqualTo(PrimaryRestarts.REASON));
        });
        assertThat(uid("lms-0")).as("the replacement is not deleted again").isEqualTo(replacement);
        assertThat(events("lms")).filteredOn(e -> PrimaryRestarts.REASON.equals(e.getReason())).hasSize(1);
        assertThat(get("lms").getStatus().getLastFailover()).isNull();
        assertThat(get("lms").getStatus().getPrimary()).isEqualTo("lms-0");
    }
}
