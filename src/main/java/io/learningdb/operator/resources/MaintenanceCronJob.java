package io.learningdb.operator.resources;

import java.util.List;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.CronJobBuilder;
import io.learningdb.operator.model.LearningDatabase;

/**
 * CronJob {@code <name>-<task>}: psql from the PostgreSQL image runs the task's rendered SQL against
 * {@code <name>-rw} (never the transaction pooler) as the least-privileged maintenance role.
 */
public final class MaintenanceCronJob {

    public static final String CONTAINER = "maintenance";
    public static final String TASK_LABEL = "learningdb.io/task";
    public static final long ACTIVE_DEADLINE_SECONDS = 3600;
    public static final int TTL_SECONDS_AFTER_FINISHED = 86400;

    private MaintenanceCronJob() {
    }

    /** The command the job's container runs; the tests run exactly this. */
    public static List<String> command(MaintenanceTask task) {
        return List.of("psql", "-X", "-v", "ON_ERROR_STOP=1", "-f", MaintenanceSql.MOUNT + "/" + task.file());
    }

    /** The libpq environment of the job; PGPASSWORD comes from the maintenance Secret. */
    public static List<EnvVar> env(LearningDatabase ldb, MaintenanceTask task) {
        var env = new java.util.ArrayList<>(List.of(
                var("PGHOST", Names.serviceHost(ldb, Names.readWriteService(ldb))),
                var("PGPORT", Integer.toString(Names.POSTGRES_PORT)),
                var("PGDATABASE", ldb.getSpec().getBootstrap().getDatabase()),
                var("PGUSER", Names.MAINTENANCE_USER),
                new EnvVarBuilder().withName("PGPASSWORD").withNewValueFrom().withNewSecretKeyRef()
                        .withName(Names.maintenanceSecret(ldb)).withKey(Credentials.PASSWORD).endSecretKeyRef()
                        .endValueFrom().build(),
                var("PGAPPNAME", "learningdb-" + task.id()),
                var("PGCONNECT_TIMEOUT", "10")));
        if (TlsSecrets.enabled(ldb)) {
            // the job verifies the server against the cluster's CA and the -rw name, as every other client should
            env.add(var("PGSSLMODE", "verify-full"));
            env.add(var("PGSSLROOTCERT", CA_MOUNT + "/" + TlsSecrets.CA_CRT));
            // no client certificate: keep libpq away from $HOME/.postgresql
            env.add(var("PGSSLCERT", "/tmp/no-client-cert.crt"));
            env.add(var("PGSSLKEY", "/tmp/no-client-cert.key"));
        } else {
            env.add(var("PGSSLMODE", "prefer"));
        }
        return List.copyOf(env);
    }

    /** Where a job finds the cluster CA's certificate (only ca.crt of the TLS Secret is mounted, never a key). */
    public static final String CA_MOUNT = "/etc/learningdb/ca";

    public static CronJob build(LearningDatabase ldb, MaintenanceTask task, String image) {
        var schedule = task.schedule(ldb).orElseThrow();
        var labels = Labels.forComponent(ldb, Labels.COMPONENT_MAINTENANCE);
        labels.put(TASK_LABEL, task.id());
        return new CronJobBuilder()
                .withNewMetadata()
                .withName(task.cronJobName(ldb))
                .withNamespace(ldb.getMetadata().getNamespace())
                .withLabels(labels)
                .endMetadata()
                .withNewSpec()
                .withSchedule(schedule.cron())
                .withTimeZone(schedule.timeZone())
                .withConcurrencyPolicy("Forbid")
                .withStartingDeadlineSeconds(600L)
                .withSuccessfulJobsHistoryLimit(3)
                .withFailedJobsHistoryLimit(3)
                .withSuspend(false)
                .withNewJobTemplate()
                .withNewMetadata().withLabels(labels).endMetadata()
                .withNewSpec()
                .withBackoffLimit(2)
                .withActiveDeadlineSeconds(ACTIVE_DEADLINE_SECONDS)
                .withTtlSecondsAfterFinished(TTL_SECONDS_AFTER_FINISHED)
                .withNewTemplate()
                .withNewMetadata().withLabels(labels).endMetadata()
                .withNewSpec()
                .withRestartPolicy("Never")
                .withAutomountServiceAccountToken(false)
                .withEnableServiceLinks(false)
                .withSecurityContext(PodSecurity.pod(PodSecurity.POSTGRES_UID))
                .addNewContainer()
                .withName(CONTAINER)
                .withImage(image)
                .withImagePullPolicy("IfNotPresent")
                .withCommand(command(task))
                .withEnv(env(ldb, task))
                // the end of the log becomes the termination message: the operator shows it in status
                .withTerminationMessagePolicy("FallbackToLogsOnError")
                .withSecurityContext(PodSecurity.container())
                .withNewResources()
                .addToRequests("cpu", new Quantity("50m"))
                .addToRequests("memory", new Quantity("64Mi"))
                .addToLimits("memory", new Quantity("256Mi"))
                .endResources()
                .addNewVolumeMount().withName("sql").withMountPath(MaintenanceSql.MOUNT).withReadOnly(true).endVolumeMount()
                .addNewVolumeMount().withName("tmp").withMountPath("/tmp").endVolumeMount()
                .addAllToVolumeMounts(TlsSecrets.enabled(ldb)
                        ? List.of(new io.fabric8.kubernetes.api.model.VolumeMountBuilder().withName("ca")
                                .withMountPath(CA_MOUNT).withReadOnly(true).build())
                        : List.of())
                .endContainer()
                .addNewVolume().withName("sql").withNewConfigMap().withName(MaintenanceSql.configMapName(ldb))
                .withDefaultMode(0444).addNewItem().withKey(task.file()).withPath(task.file()).endItem()
                .endConfigMap().endVolume()
                .addNewVolume().withName("tmp").withNewEmptyDir().endEmptyDir().endVolume()
                .addAllToVolumes(TlsSecrets.enabled(ldb)
                        ? List.of(new io.fabric8.kubernetes.api.model.VolumeBuilder().withName("ca").withNewSecret()
                                .withSecretName(TlsSecrets.serverSecret(ldb)).withDefaultMode(0444)
                                .addNewItem().withKey(TlsSecrets.CA_CRT).withPath(TlsSecrets.CA_CRT).endItem()
                                .endSecret().build())
                        : List.of())
                .endSpec()
                .endTemplate()
                .endSpec()
                .endJobTemplate()
                .endSpec()
                .build();
    }

    private static EnvVar var(String name, String value) {
        return new EnvVarBuilder().withName(name).withValue(value).build();
    }
}
