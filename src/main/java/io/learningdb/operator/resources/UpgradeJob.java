package io.learningdb.operator.resources;

import static io.learningdb.operator.resources.InstanceStatefulSet.mount;
import static io.learningdb.operator.resources.InstanceStatefulSet.var;

import java.util.List;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.learningdb.operator.model.LearningDatabase;

/**
 * Job {@code <name>-upgrade-<to>}: scripts/upgrade.sh on the primary's volume while every instance is stopped. It runs
 * the new major's image; the old major's binaries come from the old image, copied by an init container into two
 * emptyDirs mounted where the old image has them ({@code /usr/lib/postgresql/<from>}, {@code
 * /usr/share/postgresql/<from>}), which pg_upgrade needs to read the old cluster. The old binaries use the new image's
 * shared libraries: both images must be of the same distribution release (the catalogue's images of one release are).
 * {@code restartPolicy: Never} with a few retries: every step of upgrade.sh can be run again after a kill.
 */
public final class UpgradeJob {

    public static final String CONTAINER = "upgrade";
    public static final String INIT_CONTAINER = "old-binaries";
    public static final int BACKOFF_LIMIT = 2;
    public static final long ACTIVE_DEADLINE_SECONDS = 6 * 3600;

    private UpgradeJob() {
    }

    public static String libDir(int major) {
        return "/usr/lib/postgresql/" + major;
    }

    public static String shareDir(int major) {
        return "/usr/share/postgresql/" + major;
    }

    /**
     * @param claim the primary's PersistentVolumeClaim
     */
    public static Job build(LearningDatabase ldb, int from, int to, String fromImage, String toImage, String claim) {
        var labels = Labels.forComponent(ldb, Labels.COMPONENT_UPGRADE);
        return new JobBuilder()
                .withNewMetadata()
                .withName(Names.upgradeJob(ldb, to))
                .withNamespace(ldb.getMetadata().getNamespace())
                .withLabels(labels)
                .endMetadata()
                .withNewSpec()
                .withBackoffLimit(BACKOFF_LIMIT)
                .withActiveDeadlineSeconds(ACTIVE_DEADLINE_SECONDS)
                .withNewTemplate()
                .withNewMetadata().withLabels(labels).endMetadata()
                .withNewSpec()
                .withRestartPolicy("Never")
                .withAutomountServiceAccountToken(false)
                .withEnableServiceLinks(false)
                .withSecurityContext(PodSecurity.pod(PodSecurity.POSTGRES_UID))
                .addNewInitContainer()
                .withName(INIT_CONTAINER)
                .withImage(fromImage)
                .withImagePullPolicy("IfNotPresent")
                .withCommand("/bin/sh", "-c", "cp -a " + libDir(from) + "/. /old/lib/ && cp -a " + shareDir(from) + "/. /old/share/")
                .withSecurityContext(PodSecurity.container())
                .withVolumeMounts(mount("old-lib", "/old/lib", false), mount("old-share", "/old/share", false))
                .endInitContainer()
                .addNewContainer()
                .withName(CONTAINER)
                .withImage(toImage)
                .withImagePullPolicy("IfNotPresent")
                .withCommand("/bin/bash", InstanceStatefulSet.SCRIPTS_MOUNT + "/" + ScriptsConfig.UPGRADE_SH)
                .withEnv(env(from, to))
                // success: the new system identifier; failure: why, and whether the old cluster is untouched
                .withTerminationMessagePolicy("FallbackToLogsOnError")
                .withSecurityContext(PodSecurity.container())
                .withNewResources()
                .addToRequests("cpu", new Quantity("500m"))
                .addToRequests("memory", new Quantity("256Mi"))
                .addToLimits("memory", new Quantity("2Gi"))
                .endResources()
                .withVolumeMounts(mount(InstanceStatefulSet.DATA_VOLUME, InstanceStatefulSet.DATA_MOUNT, false),
                        mount("old-lib", libDir(from), true), mount("old-share", shareDir(from), true),
                        mount("scripts", InstanceStatefulSet.SCRIPTS_MOUNT, true),
                        mount("superuser", InstanceStatefulSet.SECRETS_MOUNT + "/superuser", true),
                        mount("tmp", "/tmp", false))
                .endContainer()
                .withVolumes(
                        new VolumeBuilder().withName(InstanceStatefulSet.DATA_VOLUME).withNewPersistentVolumeClaim()
                                .withClaimName(claim).endPersistentVolumeClaim().build(),
                        new VolumeBuilder().withName("old-lib").withNewEmptyDir().endEmptyDir().build(),
                        new VolumeBuilder().withName("old-share").withNewEmptyDir().endEmptyDir().build(),
                        InstanceStatefulSet.configMap("scripts", Names.scripts(ldb)),
                        InstanceStatefulSet.secret("superuser", Names.superuserSecret(ldb)),
                        new VolumeBuilder().withName("tmp").withNewEmptyDir().endEmptyDir().build())
                .endSpec()
                .endTemplate()
                .endSpec()
                .build();
    }

    public static List<EnvVar> env(int from, int to) {
        return List.of(var("PGDATA", InstanceStatefulSet.PGDATA),
                var("OLD_BINDIR", libDir(from) + "/bin"),
                var("NEW_BINDIR", libDir(to) + "/bin"),
                var("SECRETS_DIR", InstanceStatefulSet.SECRETS_MOUNT),
                var("RUN_DIR", "/tmp/learningdb"),
                var("TERMINATION_LOG", "/dev/termination-log"),
                var("HOME", "/tmp"));
    }
}
