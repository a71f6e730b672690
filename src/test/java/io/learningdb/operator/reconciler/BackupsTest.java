package io.learningdb.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.learningdb.operator.model.LearningDatabase;
import io.learningdb.operator.rbac.OperatorRequests;
import io.learningdb.operator.rbac.OperatorTest;
import io.learningdb.operator.resources.BackupJob;
import io.learningdb.operator.resources.Labels;
import io.learningdb.operator.status.Conditions;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;

/**
 * spec.backup on the test API server: what the operator creates (ConfigMap, TLS Secret, CronJob, the instance pods'
 * pgBackRest server and archive settings, the -rw port, the NetworkPolicy rule), an on-demand request making exactly one
 * Job, and the backup Jobs' reports and failures reaching status, conditions and events.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true, setup = OperatorRequests.TestApiServer.class)
class BackupsTest extends OperatorTest {

    static final Duration TIMEOUT = Duration.ofSeconds(30);
    static final String NS = "backups";

    LearningDatabase get(String name) {
        return client.resources(LearningDatabase.class).inNamespace(NS).withName(name).get();
    }

    Optional<Condition> condition(String name, String type) {
        var l = get(name);
        return l == null || l.getStatus() == null ? Optional.empty() : Conditions.find(l.getStatus().getConditions(), type);
    }

    static String env(Container c, String name) {
        return c.getEnv().stream().filter(e -> name.equals(e.getName())).findFirst().map(EnvVar::getValue).orElse(null);
    }

    @Test
    void backupsAreScheduledServedRequestedAndReportedInStatus() {
        client.resource(LearningDatabaseReconcilerTest.ldb(NS, "lms", """
                replicas: 1
                backup:
                  store:
                    endpoint: minio.storage.svc
                    port: 9000
                    bucket: platform-backups
                    uriStyle: path
                    credentials:
                      secretName: minio-keys
                    ca:
                      name: minio-ca
                  schedule: "0 2 * * *"
                  timeZone: Europe/Berlin
                  retention:
                    age: 30d
                """)).create();

        await().atMost(TIMEOUT).until(() -> client.batch().v1().cronjobs().inNamespace(NS).withName("lms-backup").get() != null
                && client.apps().statefulSets().inNamespace(NS).withName("lms").get() != null);
        var files = client.configMaps().inNamespace(NS).withName("lms-backup").get().getData();
        assertThat(files).containsKeys("pgbackrest.conf", "pgbackrest-job.conf", "backup.sh").doesNotContainKey("pgbackrest-recovery.conf");
        assertThat(files.get("pgbackrest.conf")).contains("repo1-s3-endpoint=minio.storage.svc\n", "repo1-path=/learningdb/backups/lms\n",
                "repo1-retention-full-type=time\nrepo1-retention-full=30\n", "repo1-storage-ca-file=/etc/learningdb/backup-store-ca/ca.crt\n",
                "tls-server-auth=learningdb-backup=learningdb\n").doesNotContain("minio-keys");
        assertThat(files.get("pgbackrest-job.conf")).contains("pg1-host=lms-rw.backups.svc\n", "pg1-host-type=tls\n");
        var tls = client.secrets().inNamespace(NS).withName("lms-backup-tls").get();
        assertThat(tls.getData()).containsOnlyKeys("ca.crt", "tls.crt", "tls.key", "client.crt", "client.key");
        assertThat(client.configMaps().inNamespace(NS).withName("lms-postgres-config").get().getData().get("postgresql.conf"))
                .contains("archive_mode = 'on'", "archive_command = 'pgbackrest --stanza=learningdb archive-push %p'");

        CronJob cron = client.batch().v1().cronjobs().inNamespace(NS).withName("lms-backup").get();
        assertThat(cron.getSpec().getSchedule()).isEqualTo("0 2 * * *");
        assertThat(cron.getSpec().getTimeZone()).isEqualTo("Europe/Berlin");
        assertThat(cron.getSpec().getConcurrencyPolicy()).isEqualTo("Forbid");
        var jobPod = cron.getSpec().getJobTemplate().getSpec().getTemplate().getSpec();
        Container backup = jobPod.getContainers().get(0);
        assertThat(backup.getCommand()).containsExactly("/bin/bash", "/etc/learningdb/backup/backup.sh", "backup", "full");
        assertThat(env(backup, "PGBACKREST_CONFIG")).isEqualTo("/etc/learningdb/backup/pgbackrest-job.conf");
        assertThat(backup.getEnv()).filteredOn(e -> e.getName().startsWith("PGBACKREST_REPO1_S3_KEY"))
                .allSatisfy(e -> assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo("minio-keys"));
        assertThat(jobPod.getVolumes()).filteredOn(v -> "backup-tls".equals(v.getName())).singleElement()
                .satisfies(v -> assertThat(v.getSecret().getItems()).extracting(i -> i.getKey())
                        .containsExactlyInAnyOrder("ca.crt", "client.crt", "client.key"));
        assertThat(jobPod.getSecurityContext().getRunAsNonRoot()).isTrue();

        // every instance pod serves pgBackRest's TLS server beside PostgreSQL (and its metrics exporter), and archives
        // with the keys from the Secret
        StatefulSet sts = client.apps().statefulSets().inNamespace(NS).withName("lms").get();
        var pod = sts.getSpec().getTemplate().getSpec();
        assertThat(pod.getContainers()).extracting(Container::getName).containsExactly("postgres", "exporter", "pgbackrest");
        assertThat(pod.getContainers().get(0).getImage()).isEqualTo("ghcr.io/learningdb/postgres-pgbackrest:16");
        assertThat(env(pod.getContainers().get(0), "PGBACKREST_CONFIG")).isEqualTo("/etc/learningdb/backup/pgbackrest.conf");
        assertThat(pod.getContainers().get(2).getCommand()).containsExactly("/bin/bash", "/etc/learningdb/backup/backup.sh", "server");
        assertThat(pod.getVolumes()).filteredOn(v -> "backup-tls".equals(v.getName())).singleElement()
                .satisfies(v -> assertThat(v.getSecret().getItems()).extracting(i -> i.getKey())
                        .containsExactlyInAnyOrder("ca.crt", "tls.crt", "tls.key"));
        assertThat(client.services().inNamespace(NS).withName("lms-rw").get().getSpec().getPorts())
                .extracting(p -> p.getName() + ":" + p.getPort()).containsExactly("postgres:5432", "pgbackrest:8432");
        NetworkPolicy policy = client.network().v1().networkPolicies().inNamespace(NS).withName("lms").get();
        assertThat(policy.getSpec().getIngress()).anySatisfy(rule -> {
            assertThat(rule.getPorts()).singleElement().satisfies(p -> assertThat(p.getPort().getIntVal()).isEqualTo(8432));
            assertThat(rule.getFrom()).singleElement().satisfies(f -> assertThat(f.getPodSelector().getMatchLabels())
                    .containsEntry(Labels.COMPONENT, Labels.COMPONENT_BACKUP));
        });
        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(condition("lms", Conditions.BACKUPS_HEALTHY)).get()
                .satisfies(c -> assertThat(c.getReason()).isEqualTo("NoBackupYet")));

        // an on-demand request: one Job per value, after the cluster has a primary
        var sim = new FakeStatefulSetController(client);
        sim.run(NS, "lms", true);
        await().atMost(TIMEOUT).until(() -> get("lms").getStatus() != null && get("lms").getStatus().getPrimary() != null);
        request("before-migration-42");
        await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(backupJobs()).singleElement().satisfies(j -> {
                assertThat(j.getMetadata().getLabels()).containsEntry(BackupJob.TRIGGER_LABEL, "on-demand");
                assertThat(j.getMetadata().getOwnerReferences()).singleElement().satisfies(o -> assertThat(o.getName()).isEqualTo("lms"));
            });
            assertThat(get("lms").getStatus().getBackup().getLastRequest()).isEqualTo("before-migration-42");
        });
        String requested = backupJobs().get(0).getMetadata().getName();
        assertThat(get("lms").getStatus().getBackup().getLastRequestJob()).isEqualTo(requested);
        // the same value again (any later reconcile) makes no second Job
        update(l -> l.getMetadata().getLabels().put("touched", "yes"));
        await().pollDelay(Duration.ofSeconds(2)).atMost(TIMEOUT).untilAsserted(() -> assertThat(backupJobs()).hasSize(1));

        // it completes: its report is the last backup, the recoverability window and a healthy condition
        finish(requested, "2026-12-02T02:10:05Z", true, """
                backups=3
                firstRecoverable=1796000000
                backup=20261202-020001F
                type=full
                started=1796176801
                completed=1796177401
                size=5368709120
                repositoryBytes=1073741824
                """);
        await().atMost(TIMEOUT).untilAsserted(() -> {
            var b = get("lms").getStatus().getBackup();
            assertThat(b.getLastBackup().getName()).isEqualTo("20261202-020001F");
            assertThat(b.getLastBackup().getDurationSeconds()).isEqualTo(600L);
            assertThat(b.getLastBackup().getSize()).isEqualTo("5.0GiB");
            assertThat(b.getLastBackup().getCompletedAt()).isEqualTo("2026-12-02T02:10:01Z");
            assertThat(b.getBackups()).isEqualTo(3);
            assertThat(b.getFirstRecoverabilityPoint()).isEqualTo("2026-11-30T00:53:20Z");
            assertThat(condition("lms", Conditions.BACKUPS_HEALTHY)).get().satisfies(c -> {
                assertThat(c.getStatus()).isEqualTo("True");
                assertThat(c.getReason()).isEqualTo("BackupSucceeded");
            });
            assertThat(events()).contains("BackupRequested", "BackupCompleted");
            // the gauge the chart's LearningDBBackupLate alert reads
            assertThat(scrape()).contains("learningdb_backup_last_completed_timestamp_seconds{cluster=\"lms\",namespace=\"backups\"} 1.796177401E9");
        });

        // the next scheduled one fails: the condition says why, an event is recorded, the last good backup stays
        createJob("lms-backup-29420001", "scheduled");
        finish("lms-backup-29420001", "2026-12-03T01:00:40Z", false,
                "ERROR: [056]: unable to find primary cluster - cannot proceed\n");
        await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(condition("lms", Conditions.BACKUPS_HEALTHY)).get().satisfies(c -> {
                assertThat(c.getStatus()).isEqualTo("False");
                assertThat(c.getReason()).isEqualTo("BackupFailed");
                assertThat(c.getMessage()).contains("lms-backup-29420001", "unable to find primary cluster");
            });
            assertThat(get("lms").getStatus().getBackup().getLastBackup().getName()).isEqualTo("20261202-020001F");
            assertThat(events()).contains("BackupFailed");
        });

        // spec.backup removed: its objects and the sidecar go, archiving stops
        update(l -> l.getSpec().setBackup(null));
        await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(client.batch().v1().cronjobs().inNamespace(NS).withName("lms-backup").get()).isNull();
            assertThat(client.configMaps().inNamespace(NS).withName("lms-backup").get()).isNull();
            assertThat(client.apps().statefulSets().inNamespace(NS).withName("lms").get().getSpec().getTemplate().getSpec()
                    .getContainers()).extracting(Container::getName).containsExactly("postgres", "exporter");
            assertThat(condition("lms", Conditions.BACKUPS_HEALTHY)).isEmpty();
            assertThat(get("lms").getStatus().getBackup()).isNull();
        });
    }

    @io.quarkus.test.common.http.TestHTTPResource("/q/metrics")
    java.net.URL metrics;

    String scrape() throws Exception {
        return java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(metrics.toURI()).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body();
    }

    java.util.List<Job> backupJobs() {
        return client.batch().v1().jobs().inNamespace(NS).withLabel(Labels.COMPONENT, Labels.COMPONENT_BACKUP).list().getItems();
    }

    java.util.List<String> events() {
        return client.v1().events().inNamespace(NS).list().getItems().stream()
                .filter(e -> "lms".equals(e.getInvolvedObject().getName())).map(Event::getReason).toList();
    }

    void request(String value) {
        update(l -> l.getMetadata().getAnnotations().put(BackupJob.REQUEST_ANNOTATION, value));
    }

    /** get, change, update; again on a conflict (the operator writes status meanwhile, as on a real API server). */
    void update(java.util.function.Consumer<LearningDatabase> change) {
        await().atMost(TIMEOUT).ignoreExceptionsInstanceOf(io.fabric8.kubernetes.client.KubernetesClientException.class).until(() -> {
            var l = get("lms");
            change.accept(l);
            client.resource(l).update();
            return true;
        });
    }

    void createJob(String name, String trigger) {
        var labels = new java.util.HashMap<>(Map.of(Labels.CLUSTER, "lms", Labels.COMPONENT, Labels.COMPONENT_BACKUP,
                BackupJob.TRIGGER_LABEL, trigger, Labels.MANAGED_BY, Labels.MANAGER));
        client.resource(new io.fabric8.kubernetes.api.model.batch.v1.JobBuilder().withNewMetadata().withName(name).withNamespace(NS)
                .withLabels(labels).endMetadata().withNewSpec().withNewTemplate().withNewSpec().addNewContainer()
                .withName(BackupJob.CONTAINER).withImage("postgres:16").endContainer().withRestartPolicy("Never").endSpec()
                .endTemplate().endSpec().build()).create();
    }

    /** What the Job controller and kubelet would write: the pod's termination message and the Job's condition. */
    void finish(String name, String at, boolean succeeded, String message) {
        var labels = Map.of(Labels.CLUSTER, "lms", Labels.COMPONENT, Labels.COMPONENT_BACKUP, "job-name", name,
                Labels.MANAGED_BY, Labels.MANAGER);
        client.resource(new PodBuilder().withNewMetadata().withName(name + "-x1y2z").withNamespace(NS).withLabels(labels).endMetadata()
                .withNewSpec().addNewContainer().withName(BackupJob.CONTAINER).withImage("postgres:16").endContainer().endSpec()
                .withNewStatus().withPhase(succeeded ? "Succeeded" : "Failed").withContainerStatuses(new ContainerStatusBuilder()
                        .withName(BackupJob.CONTAINER).withNewState().withNewTerminated().withExitCode(succeeded ? 0 : 56)
                        .withMessage(message).endTerminated().endState().build())
                .endStatus().build()).create();
        Job job = client.batch().v1().jobs().inNamespace(NS).withName(name).get();
        job.setStatus(new io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder()
                .addNewCondition().withType(succeeded ? "Complete" : "Failed").withStatus("True").withLastTransitionTime(at)
                .endCondition().build());
        client.batch().v1().jobs().inNamespace(NS).resource(job).updateStatus();
    }
}
