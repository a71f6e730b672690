package io.learningdb.operator.resources;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.CronJobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobSpec;
import io.fabric8.kubernetes.api.model.batch.v1.JobSpecBuilder;
import io.learningdb.operator.model.LearningDatabase;
import io.learningdb.operator.model.ObjectStoreSpec;

/**
 * The base backup: CronJob {@code <name>-backup} on spec.backup.schedule, and one Job per on-demand request
 * (annotation {@link #REQUEST_ANNOTATION}). Either runs backup.sh as pgBackRest's repository host: it reads the
 * primary through the instance's TLS server behind {@code <name>-rw} and writes the repository; retention runs after
 * every backup. Its report (the newest backup, the recoverability window) is its termination message.
 */
public final class BackupJob {

    public static final String CONTAINER = "backup";
    public static final String REQUEST_ANNOTATION = "learningdb.io/backup-request";
    /** scheduled or on-demand */
    public static final String TRIGGER_LABEL = "learningdb.io/backup-trigger";
    /** A large database takes hours: the deadline only stops a backup that hangs. */
    public static final long ACTIVE_DEADLINE_SECONDS = 24 * 3600;
    public static final int TTL_SECONDS_AFTER_FINISHED = 7 * 86400;

    private BackupJob() {
    }

    public static List<String> command() {
        return List.of("/bin/bash", BackupConfig.MOUNT + "/" + BackupConfig.BACKUP_SH, "backup", "full");
    }

    public static CronJob cronJob(LearningDatabase ldb, String image) {
        var backup = ldb.getSpec().getBackup();
        var labels = labels(ldb, "scheduled");
        return new CronJobBuilder()
                .withNewMetadata()
                .withName(Names.backup(ldb))
                .withNamespace(ldb.getMetadata().getNamespace())
                .withLabels(labels)
                .endMetadata()
                .withNewSpec()
                .withSchedule(backup.getSchedule())
                .withTimeZone(backup.getTimeZone())
                // pgBackRest holds a lock per stanza: a backup still running makes the next one wait for the next slot
                .withConcurrencyPolicy("Forbid")
                .withStartingDeadlineSeconds(3600L)
                .withSuccessfulJobsHistoryLimit(3)
                .withFailedJobsHistoryLimit(3)
                .withSuspend(false)
                .withNewJobTemplate()
                .withNewMetadata().withLabels(labels).endMetadata()
                .withSpec(jobSpec(ldb, image, labels))
                .endJobTemplate()
                .endSpec()
                .build();
    }

    /** The Job of an on-demand backup request, owned by the LearningDatabase. */
    public static Job onDemand(LearningDatabase ldb, String image, String request) {
        var labels = labels(ldb, "on-demand");
        return new JobBuilder()
                .withNewMetadata()
                .withName(Names.backupRequestJob(ldb, request))
                .withNamespace(ldb.getMetadata().getNamespace())
                .withLabels(labels)
                .withAnnotations(Map.of(REQUEST_ANNOTATION, request))
                .endMetadata()
                .withSpec(jobSpec(ldb, image, labels))
                .build();
    }

    private static Map<String, String> labels(LearningDatabase ldb, String trigger) {
        var labels = Labels.forComponent(ldb, Labels.COMPONENT_BACKUP);
        labels.put(TRIGGER_LABEL, trigger);
        return labels;
    }

    public static List<EnvVar> env(LearningDatabase ldb) {
        var env = new ArrayList<EnvVar>();
        env.add(var("PGBACKREST_CONFIG", BackupConfig.MOUNT + "/" + BackupConfig.JOB_CONF));
        env.addAll(keys(ldb.getSpec().getBackup().getStore(), BackupRepository.KEY_ENV, BackupRepository.SECRET_ENV));
        env.add(var("RUN_DIR", BackupConfig.JOB_RUN_DIR));
        env.add(var("BACKUP_TLS_SOURCE", BackupConfig.TLS_MOUNT));
        env.add(var("TERMINATION_LOG", "/dev/termination-log"));
        env.add(var("HOME", "/tmp"));
        return env;
    }

    /**
     * The store's key pair as environment variables. Optional references: a missing Secret or key fails the
     * archive-push or the backup (and shows in status), never the start of a database pod.
     */
    public static List<EnvVar> keys(ObjectStoreSpec store, String keyEnv, String secretEnv) {
        var c = store.getCredentials();
        return List.of(secretRef(keyEnv, c.getSecretName(), c.getAccessKeyIdKey()),
                secretRef(secretEnv, c.getSecretName(), c.getSecretAccessKeyKey()));
    }

    private static EnvVar secretRef(String name, String secret, String key) {
        return new EnvVarBuilder().withName(name).withNewValueFrom().withNewSecretKeyRef()
                .withName(secret).withKey(key).withOptional(true).endSecretKeyRef().endValueFrom().build();
    }

    private static JobSpec jobSpec(LearningDatabase ldb, String image, Map<String, String> labels) {
        var mounts = new ArrayList<VolumeMount>(List.of(
                mount("backup", BackupConfig.MOUNT),
                mount("backup-tls", BackupConfig.TLS_MOUNT),
                new VolumeMountBuilder().withName("tmp").withMountPath("/tmp").build()));
        var volumes = new ArrayList<Volume>(List.of(
                new VolumeBuilder().withName("backup").withNewConfigMap().withName(Names.backup(ldb)).withDefaultMode(0444)
                        .endConfigMap().build(),
                // the client's certificate and key and the CA: never the server's key
                new VolumeBuilder().withName("backup-tls").withNewSecret().withSecretName(Names.backupTlsSecret(ldb))
                        .withDefaultMode(0440)
                        .addNewItem().withKey(BackupTls.CA_CRT).withPath(BackupConfig.CA_FILE).endItem()
                        .addNewItem().withKey(BackupTls.CLIENT_CRT).withPath(BackupConfig.CLIENT_CRT).endItem()
                        .addNewItem().withKey(BackupTls.CLIENT_KEY).withPath(BackupConfig.CLIENT_KEY).endItem()
                        .endSecret().build(),
                new VolumeBuilder().withName("tmp").withNewEmptyDir().endEmptyDir().build()));
        var storeCa = ldb.getSpec().getBackup().getStore().getCa();
        if (storeCa != null) {
            mounts.add(mount("store-ca", BackupConfig.STORE_CA_MOUNT));
            volumes.add(caVolume("store-ca", storeCa));
        }
        return new JobSpecBuilder()
                .withBackoffLimit(1)
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
                .withCommand(command())
                .withEnv(env(ldb))
                // success: the report backup.sh writes; failure: the end of the log. The operator shows either.
                .withTerminationMessagePolicy("FallbackToLogsOnError")
                .withSecurityContext(PodSecurity.container())
                .withNewResources()
                .addToRequests("cpu", new Quantity("250m"))
                .addToRequests("memory", new Quantity("128Mi"))
                .addToLimits("memory", new Quantity("1Gi"))
                .endResources()
                .withVolumeMounts(mounts)
                .endContainer()
                .withVolumes(volumes)
                .endSpec()
                .endTemplate()
                .build();
    }

    static Volume caVolume(String name, io.learningdb.operator.model.SecretKeyRef ca) {
        return new VolumeBuilder().withName(name).withNewSecret().withSecretName(ca.getName()).withDefaultMode(0444)
                .addNewItem().withKey(ca.getKey()).withPath(BackupConfig.CA_FILE).endItem()
                .endSecret().build();
    }

    private static VolumeMount mount(String name, String path) {
        return new VolumeMountBuilder().withName(name).withMountPath(path).withReadOnly(true).build();
    }

    private static EnvVar var(String name, String value) {
        return new EnvVarBuilder().withName(name).withValue(value).build();
    }
}
