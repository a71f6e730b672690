package io.learningdb.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;


import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.learningdb.operator.model.LearningDatabase;
import io.learningdb.operator.model.MaintenanceTaskStatus;
import io.learningdb.operator.resources.Labels;
import io.learningdb.operator.status.Conditions;
import io.quarkus.test.junit.QuarkusTest;
import io.learningdb.operator.rbac.OperatorRequests;
import io.learningdb.operator.rbac.OperatorTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;

@QuarkusTest
@WithKubernetesTestServer(crud = true, setup = OperatorRequests.TestApiServer.class)
class MaintenanceCronJobsTest extends OperatorTest {

    static final Duration TIMEOUT = Duration.ofSeconds(30);
    static final String NS = "maint";

    LearningDatabase get(String name) {
        return client.resources(LearningDatabase.class).inNamespace(NS).withName(name).get();
    }

    CronJob cronJob(String name) {
        return client.batch().v1().cronjobs().inNamespace(NS).withName(name).get();
    }

    Optional<Condition> maintenanceHealthy(String name) {
        var l = get(name);
        return l == null || l.getStatus() == null ? Optional.empty()
                : Conditions.find(l.getStatus().getConditions(), Conditions.MAINTENANCE_HEALTHY);
    }

    MaintenanceTaskStatus task(String name, String task) {
        return get(name).getStatus().getMaintenance().stream().filter(t -> t.getTask().equals(task)).findFirst().orElseThrow();
    }

    @Test
    void cronJobsFollowTheSpecAndFailuresReachStatusAndEvents() {
        client.resource(LearningDatabaseReconcilerTest.ldb(NS, "lms", """
                replicas: 1
                bootstrap:
                  database: learning
                  owner: learning_app
                partitioning:
                  timeZone: Europe/Berlin
                  tables:
                    - {table: public.analytics_events, column: ts, retention: 18}
                materializedViews:
                  schedule: "*/10 * * * *"
                maintenance:
                  vacuum:
                    schedule: "30 2 * * *"
                """)).create();

        await().atMost(TIMEOUT).until(() -> cronJob("lms-partitions") != null && cronJob("lms-views") != null
                && cronJob("lms-vacuum") != null);
        CronJob partitions = cronJob("lms-partitions");
        assertThat(partitions.getSpec().getSchedule()).isEqualTo("15 3 * * *");
        assertThat(partitions.getSpec().getTimeZone()).isEqualTo("Europe/Berlin");
        assertThat(partitions.getSpec().getConcurrencyPolicy()).isEqualTo("Forbid");
        assertThat(partitions.getSpec().getSuccessfulJobsHistoryLimit()).isEqualTo(3);
        assertThat(partitions.getSpec().getFailedJobsHistoryLimit()).isEqualTo(3);
        var job = partitions.getSpec().getJobTemplate().getSpec();
        assertThat(job.getBackoffLimit()).isEqualTo(2);
        assertThat(job.getActiveDeadlineSeconds()).isEqualTo(3600L);
        assertThat(job.getTtlSecondsAfterFinished()).isEqualTo(86400);
        var container = job.getTemplate().getSpec().getContainers().get(0);
        assertThat(container.getCommand()).containsExactly("psql", "-X", "-v", "ON_ERROR_STOP=1", "-f",
                "/etc/learningdb/maintenance/partition-rollover.sql");
        assertThat(container.getEnv()).anySatisfy(e -> assertThat(e.getName() + "=" + e.getValue())
                .isEqualTo("PGHOST=lms-rw.maint.svc"));
        assertThat(container.getEnv()).anySatisfy(e -> assertThat(e.getName() + "=" + e.getValue())
                .isEqualTo("PGUSER=learningdb_maintenance"));
        assertThat(container.getEnv()).anySatisfy(e -> {
            assertThat(e.getName()).isEqualTo("PGPASSWORD");
            assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo("lms-maintenance");
        });
        assertThat(job.getTemplate().getSpec().getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(job.getTemplate().getMetadata().getLabels()).containsEntry(Labels.CLUSTER, "lms")
                .containsEntry("learningdb.io/task", "partitions");
        assertThat(partitions.getMetadata().getOwnerReferences()).singleElement()
                .satisfies(o -> assertThat(o.getName()).isEqualTo("lms"));
        assertThat(cronJob("lms-views").getSpec().getSchedule()).isEqualTo("*/10 * * * *");
        ConfigMap sql = client.configMaps().inNamespace(NS).withName("lms-maintenance").get();
        assertThat(sql.getData()).containsOnlyKeys("partition-rollover.sql", "refresh-views.sql", "vacuum.sql");
        assertThat(sql.getData().get("partition-rollover.sql")).contains("('public.analytics_events', 'ts', 'monthly', 3, 18, 'detach')");
        assertThat(client.secrets().inNamespace(NS).withName("lms-maintenance").get()).isNotNull();

        // spec changes reach the CronJob; removing a block removes its CronJob and its SQL
        var ldb = get("lms");
        ldb.getSpec().getMaintenance().getVacuum().setSchedule("0 4 * * 0");
        ldb.getSpec().setMaterializedViews(null);
        client.resource(ldb).update();
        await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(cronJob("lms-vacuum").getSpec().getSchedule()).isEqualTo("0 4 * * 0");
            assertThat(cronJob("lms-views")).isNull();
            assertThat(client.configMaps().inNamespace(NS).withName("lms-maintenance").get().getData())
                    .containsOnlyKeys("partition-rollover.sql", "vacuum.sql");
        });
        await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(get("lms").getStatus().getMaintenance()).extracting(MaintenanceTaskStatus::getTask)
                    .containsExactly("partitions", "vacuum");
            assertThat(maintenanceHealthy("lms")).get().satisfies(c -> assertThat(c.getStatus()).isEqualTo("True"));
        });

        // a failed rollover job: its log's error reaches status, the condition and an event
        failedJob("lms-partitions-29100001", "2026-11-20T03:15:30Z",
                "SET\npsql:/etc/learningdb/maintenance/partition-rollover.sql:160: ERROR:  partition rollover could not handle every table:\n"
                        + "public.analytics_events: table does not exist in database learning\n");
        await().atMost(TIMEOUT).untilAsserted(() -> {
            var t = task("lms", "partitions");
            assertThat(t.getLastFailureTime()).isEqualTo("2026-11-20T03:15:30Z");
            assertThat(t.getLastFailureMessage()).startsWith("job lms-partitions-29100001 failed: ERROR:")
                    .contains("public.analytics_events: table does not exist");
            assertThat(maintenanceHealthy("lms")).get().satisfies(c -> {
                assertThat(c.getStatus()).isEqualTo("False");
                assertThat(c.getReason()).isEqualTo("MaintenanceJobFailed");
                assertThat(c.getMessage()).contains("partitions: job lms-partitions-29100001 failed");
            });
            assertThat(client.v1().events().inNamespace(NS).list().getItems()).filteredOn(e -> "lms".equals(e.getInvolvedObject().getName()))
                    .extracting(Event::getReason).contains("MaintenanceJobFailed");
        });

        // the next run succeeds: healthy again, the failure stays on record
        completedJob("lms-partitions-29101441", "2026-11-21T03:15:20Z");
        await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(task("lms", "partitions").getLastSuccessTime()).isEqualTo("2026-11-21T03:15:20Z");
            assertThat(task("lms", "partitions").getLastFailureTime()).isEqualTo("2026-11-20T03:15:30Z");
            assertThat(maintenanceHealthy("lms")).get().satisfies(c -> assertThat(c.getStatus()).isEqualTo("True"));
        });

        // no maintenance blocks: no CronJobs, no SQL ConfigMap, no condition
        ldb = get("lms");
        ldb.getSpec().setPartitioning(null);
        ldb.getSpec().setMaintenance(null);
        client.resource(ldb).update();
        await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(client.batch().v1().cronjobs().inNamespace(NS).list().getItems()).isEmpty();
            assertThat(client.configMaps().inNamespace(NS).withName("lms-maintenance").get()).isNull();
            assertThat(maintenanceHealthy("lms")).isEmpty();
            assertThat(get("lms").getStatus().getMaintenance()).isNull();
        });
    }

    Map<String, String> jobLabels(String job) {
        return Map.of(Labels.CLUSTER, "lms", Labels.COMPONENT, Labels.COMPONENT_MAINTENANCE, "learningdb.io/task",
                "partitions", "job-name", job);
    }

    void failedJob(String name, String at, String log) {
        client.resource(new JobBuilder().withNewMetadata().withName(name).withNamespace(NS).withLabels(jobLabels(name))
                .endMetadata().withNewSpec().withNewTemplate().withNewSpec().addNewContainer().withName("maintenance")
                .withImage("postgres:16").endContainer().withRestartPolicy("Never").endSpec().endTemplate().endSpec()
                .build()).create();
        client.resource(new PodBuilder().withNewMetadata().withName(name + "-abcde").withNamespace(NS)
                .withLabels(jobLabels(name)).endMetadata()
                .withNewSpec().addNewContainer().withName("maintenance").withImage("postgres:16").endContainer().endSpec()
                .withNewStatus().withPhase("Failed").withContainerStatuses(new ContainerStatusBuilder().withName("maintenance")
                        .withNewState().withNewTerminated().withExitCode(3).withMessage(log).endTerminated().endState().build())
                .endStatus().build()).create();
        Job job = client.batch().v1().jobs().inNamespace(NS).withName(name).get();
        job.setStatus(new io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder().withFailed(3)
                .addNewCondition().withType("Failed").withStatus("True").withReason("BackoffLimitExceeded")
                .withMessage("Job has reached the specified backoff limit").withLastTransitionTime(at).endCondition().build());
        client.batch().v1().jobs().inNamespace(NS).resource(job).updateStatus();
    }

    void completedJob(String name, String at) {
        client.resource(new JobBuilder().withNewMetadata().withName(name).withNamespace(NS).withLabels(jobLabels(name))
                .endMetadata().withNewSpec().withNewTemplate().withNewSpec().addNewContainer().withName("maintenance")
                .withImage("postgres:16").endContainer().withRestartPolicy("Never").endSpec().endTemplate().endSpec()
                .build()).create();
        Job job = client.batch().v1().jobs().inNamespace(NS).withName(name).get();
        job.setStatus(new io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder().withSucceeded(1)
                .addNewCondition().withType("Complete").withStatus("True").withLastTransitionTime(at).endCondition().build());
        client.batch().v1().jobs().inNamespace(NS).resource(job).updateStatus();
        List.of();
    }
}
