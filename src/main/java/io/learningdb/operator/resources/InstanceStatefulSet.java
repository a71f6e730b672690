package io.learningdb.operator.resources;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.learningdb.operator.model.BootstrapSpec;
import io.learningdb.operator.model.DeletionPolicy;
import io.learningdb.operator.model.LearningDatabase;
import io.learningdb.operator.model.MajorUpgradeStatus;

/**
 * StatefulSet {@code <name>}: pods {@code <name>-0..N}, one PVC each. Roles are not in the template: the operator
 * labels each pod {@code learningdb.io/role=primary|replica} and the downward API hands it to instance.sh, so the
 * primary role can move between pods. {@code OnDelete}: the operator decides when and in which order pods restart.
 */
public final class InstanceStatefulSet {

    public static final String CONTAINER = "postgres";
    public static final String DATA_VOLUME = "data";
    public static final String DATA_MOUNT = "/var/lib/postgresql/data";
    public static final String PGDATA = DATA_MOUNT + "/pgdata";
    public static final String SOCKET_DIR = "/var/run/postgresql";
    public static final String CONFIG_MOUNT = "/etc/learningdb/config";
    public static final String SCRIPTS_MOUNT = "/etc/learningdb/scripts";
    public static final String SECRETS_MOUNT = "/etc/learningdb/secrets";
    public static final String INIT_MOUNT = "/etc/learningdb/init";
    public static final String PODINFO_MOUNT = "/etc/podinfo";

    private InstanceStatefulSet() {
    }

    /**
     * A new server certificate or CA bundle does not change the template: instance.sh installs it and reloads
     * (see TlsRotation), so no pod restarts for it.
     */
    public static StatefulSet build(LearningDatabase ldb, String image, String configHash) {
        return build(ldb, image, configHash, DEFAULT_EXPORTER_IMAGE);
    }

    /** @param exporterImage the exporter sidecar's image (learningdb.exporter-image) */
    public static StatefulSet build(LearningDatabase ldb, String image, String configHash, String exporterImage) {
        var spec = ldb.getSpec();
        var storage = spec.getPostgres().getStorage();
        String whenDeleted = spec.getDeletionPolicy() == DeletionPolicy.Delete ? "Delete" : "Retain";
        return new StatefulSetBuilder()
                .withNewMetadata()
                .withName(Names.instances(ldb))
                .withNamespace(ldb.getMetadata().getNamespace())
                .withLabels(Labels.forComponent(ldb, Labels.COMPONENT_INSTANCE))
                .endMetadata()
                .withNewSpec()
                .withReplicas(instances(ldb))
                .withServiceName(Names.headlessService(ldb))
                .withPodManagementPolicy("Parallel")
                .withNewUpdateStrategy().withType("OnDelete").endUpdateStrategy()
                .withNewPersistentVolumeClaimRetentionPolicy()
                .withWhenDeleted(whenDeleted)
                .withWhenScaled("Retain")
                .endPersistentVolumeClaimRetentionPolicy()
                .withNewSelector().withMatchLabels(Labels.selector(ldb, Labels.COMPONENT_INSTANCE)).endSelector()
                .withNewTemplate()
                .withNewMetadata()
                .withLabels(Labels.forComponent(ldb, Labels.COMPONENT_INSTANCE))
                .withAnnotations(Labels.podAnnotations(configHash))
                .endMetadata()
                .withNewSpec()
                .withAutomountServiceAccountToken(false)
                .withEnableServiceLinks(false)
                .withTerminationGracePeriodSeconds(60L)
                .withSecurityContext(PodSecurity.pod(PodSecurity.POSTGRES_UID))
                .withAffinity(Scheduling.spreadAcrossNodes(Labels.selector(ldb, Labels.COMPONENT_INSTANCE)))
                .withContainers(containers(ldb, image, exporterImage))
                .withVolumes(volumes(ldb))
                .endSpec()
                .endTemplate()
                .addToVolumeClaimTemplates(new PersistentVolumeClaimBuilder()
                        .withNewMetadata().withName(DATA_VOLUME)
                        .withLabels(Labels.selector(ldb, Labels.COMPONENT_INSTANCE)).endMetadata()
                        .withNewSpec()
                        .withAccessModes("ReadWriteOnce")
                        .withStorageClassName(storage.getStorageClassName())
                        .withNewResources().addToRequests("storage", new Quantity(storage.getSize())).endResources()
                        .endSpec()
                        .build())
                .endSpec()
                .build();
    }

    /**
     * 1 + replicas, but never fewer than needed to keep the current primary's pod: scaling down past the primary
     * waits for the operator to switch over to a lower ordinal first.
     */
    public static int instances(LearningDatabase ldb) {
        var upgrade = ldb.getStatus() == null ? null : ldb.getStatus().getMajorUpgrade();
        if (upgrade != null && (MajorUpgradeStatus.STOPPING.equals(upgrade.getPhase())
                || MajorUpgradeStatus.UPGRADING.equals(upgrade.getPhase()))) {
            return 0; // a major upgrade: every instance stops while pg_upgrade runs on the primary's volume
        }
        int wanted = Names.members(ldb);
        String primary = ldb.getStatus() == null ? null : ldb.getStatus().getPrimary();
        return Math.max(wanted, Names.instanceOrdinal(ldb, primary).orElse(0) + 1);
    }

    public static final String BACKUP_SERVER_CONTAINER = "pgbackrest";

    private static List<Container> containers(LearningDatabase ldb, String image, String exporterImage) {
        var containers = new java.util.ArrayList<Container>(List.of(container(ldb, image), exporter(ldb, exporterImage)));
        if (ldb.getSpec().getBackup() != null) {
            containers.add(backupServer(ldb, image));
        }
        return containers;
    }

    public static final String EXPORTER_CONTAINER = "exporter";
    public static final int EXPORTER_PORT = 9187;
    public static final String EXPORTER_PORT_NAME = "metrics";
    /** postgres_exporter, the version the tests run (Debian's package of the same release). */
    public static final String DEFAULT_EXPORTER_IMAGE = "quay.io/prometheuscommunity/postgres-exporter:v0.11.1";

    /**
     * postgres_exporter beside PostgreSQL: its default metrics and the operator's queries (exporter-queries.yaml in
     * the scripts ConfigMap), over the pod's Unix socket as learningdb_monitor (pg_monitor and the learningdb views,
     * password from {@code <name>-monitor}). Scraped by Prometheus on port {@value #EXPORTER_PORT} (the chart's
     * PodMonitor); nothing reaches PostgreSQL over the network for metrics.
     */
    static Container exporter(LearningDatabase ldb, String exporterImage) {
        return new ContainerBuilder()
                .withName(EXPORTER_CONTAINER)
                .withImage(exporterImage)
                .withImagePullPolicy("IfNotPresent")
                .withArgs(exporterArgs())
                .withEnv(exporterEnv(ldb))
                .addNewPort().withName(EXPORTER_PORT_NAME).withContainerPort(EXPORTER_PORT).withProtocol("TCP").endPort()
                .withSecurityContext(PodSecurity.container())
                .withNewResources()
                .addToRequests("cpu", new Quantity("10m"))
                .addToRequests("memory", new Quantity("24Mi"))
                .addToLimits("memory", new Quantity("128Mi"))
                .endResources()
                .withVolumeMounts(mount("run", SOCKET_DIR, false), mount("scripts", SCRIPTS_MOUNT, true),
                        mount("monitor", SECRETS_MOUNT + "/monitor", true))
                .build();
    }

    /** The exporter's arguments (the tests run the same against real PostgreSQL). */
    public static List<String> exporterArgs() {
        return List.of("--web.listen-address=:" + EXPORTER_PORT,
                "--extend.query-path=" + SCRIPTS_MOUNT + "/" + ScriptsConfig.EXPORTER_QUERIES,
                "--log.level=warn");
    }

    /** The exporter's environment: the application database over the Unix socket, as learningdb_monitor. */
    public static List<EnvVar> exporterEnv(LearningDatabase ldb) {
        return List.of(
                var("DATA_SOURCE_URI", ":" + Names.POSTGRES_PORT + "/" + ldb.getSpec().getBootstrap().getDatabase()
                        + "?host=" + SOCKET_DIR + "&sslmode=disable"),
                var("DATA_SOURCE_USER", Names.MONITOR_USER),
                var("DATA_SOURCE_PASS_FILE", SECRETS_MOUNT + "/monitor/" + Credentials.PASSWORD));
    }


    /**
     * pgBackRest's TLS server beside PostgreSQL: the backup job reads the data directory through it (the volume is
     * ReadWriteOnce: nothing outside this pod can mount it). It admits only the backup job's client certificate.
     */
    private static Container backupServer(LearningDatabase ldb, String image) {
        return new ContainerBuilder()
                .withName(BACKUP_SERVER_CONTAINER)
                .withImage(image)
                .withImagePullPolicy("IfNotPresent")
                .withCommand("/bin/bash", BackupConfig.MOUNT + "/" + BackupConfig.BACKUP_SH, "server")
                .withEnv(backupServerEnv(ldb))
                .addNewPort().withName(Services.BACKUP_PORT_NAME).withContainerPort(BackupRepository.SERVER_PORT)
                .withProtocol("TCP").endPort()
                .withSecurityContext(PodSecurity.container())
                .withNewResources()
                .addToRequests("cpu", new Quantity("10m"))
                .addToRequests("memory", new Quantity("32Mi"))
                .addToLimits("memory", new Quantity("512Mi"))
                .endResources()
                .withVolumeMounts(mount(DATA_VOLUME, DATA_MOUNT, false),
                        mount("run", SOCKET_DIR, false),
                        mount("tmp", "/tmp", false),
                        mount("backup", BackupConfig.MOUNT, true),
                        mount("backup-tls", BackupConfig.TLS_MOUNT, true))
                .build();
    }

    /** The server checks the repository options of the commands it runs for the job (stanza-create): it gets the keys too. */
    private static List<EnvVar> backupServerEnv(LearningDatabase ldb) {
        var env = new ArrayList<EnvVar>(List.of(var("PGBACKREST_CONFIG", BackupConfig.MOUNT + "/" + BackupConfig.INSTANCE_CONF),
                var("RUN_DIR", BackupConfig.INSTANCE_RUN_DIR),
                var("BACKUP_TLS_SOURCE", BackupConfig.TLS_MOUNT),
                var("HOME", "/tmp")));
        env.addAll(BackupJob.keys(ldb.getSpec().getBackup().getStore(), BackupRepository.KEY_ENV, BackupRepository.SECRET_ENV));
        return env;
    }

    private static Container container(LearningDatabase ldb, String image) {
        var b = new ContainerBuilder()
                .withName(CONTAINER)
                .withImage(image)
                .withImagePullPolicy("IfNotPresent")
                .withCommand("/bin/bash", SCRIPTS_MOUNT + "/" + ScriptsConfig.INSTANCE_SH)
                .withEnv(env(ldb))
                .addNewPort().withName("postgres").withContainerPort(Names.POSTGRES_PORT).withProtocol("TCP").endPort()
                // basebackup of a large database can take hours: the startup probe only bounds a stuck start
                .withStartupProbe(probe(isReady(), 10, 8640))
                .withReadinessProbe(probe(isReady(), 5, 3))
                // liveness fails only when the server does not answer at all (exit 2), not while it starts or recovers
                .withLivenessProbe(probe(List.of("/bin/bash", "-c",
                        "pg_isready -q -h " + SOCKET_DIR + " -p " + Names.POSTGRES_PORT + "; test $? -ne 2"), 10, 6))
                .withSecurityContext(PodSecurity.container())
                .withVolumeMounts(mounts(ldb));
        if (ldb.getSpec().getPostgres().getResources() != null) {
            b.withResources(ldb.getSpec().getPostgres().getResources());
        }
        return b.build();
    }

    private static List<String> isReady() {
        return List.of("pg_isready", "-q", "-h", SOCKET_DIR, "-p", Integer.toString(Names.POSTGRES_PORT));
    }

    private static Probe probe(List<String> command, int period, int failureThreshold) {
        return new ProbeBuilder()
                .withNewExec().withCommand(command).endExec()
                .withPeriodSeconds(period)
                .withTimeoutSeconds(5)
                .withFailureThreshold(failureThreshold)
                .build();
    }

    private static List<EnvVar> env(LearningDatabase ldb) {
        BootstrapSpec bootstrap = ldb.getSpec().getBootstrap();
        var env = new ArrayList<EnvVar>();
        env.add(new EnvVarBuilder().withName("POD_NAME")
                .withNewValueFrom().withNewFieldRef().withApiVersion("v1").withFieldPath("metadata.name").endFieldRef()
                .endValueFrom().build());
        env.add(var("PGDATA", PGDATA));
        env.add(var("PGPORT", Integer.toString(Names.POSTGRES_PORT)));
        env.add(var("PG_SOCKET_DIR", SOCKET_DIR));
        env.add(var("PRIMARY_HOST", Names.serviceHost(ldb, Names.readWriteService(ldb))));
        env.add(var("PRIMARY_PORT", Integer.toString(Names.POSTGRES_PORT)));
        env.add(var("PODINFO_LABELS", PODINFO_MOUNT + "/labels"));
        env.add(var("PODINFO_ANNOTATIONS", PODINFO_MOUNT + "/annotations"));
        env.add(var("CONFIG_DIR", CONFIG_MOUNT));
        env.add(var("SCRIPTS_DIR", SCRIPTS_MOUNT));
        env.add(var("SECRETS_DIR", SECRETS_MOUNT));
        env.add(var("RUN_DIR", "/tmp/learningdb"));
        env.add(var("APP_DATABASE", bootstrap.getDatabase()));
        env.add(var("APP_OWNER", bootstrap.getOwner()));
        if (bootstrap.getInitSQL() != null) {
            env.add(var("INIT_SQL", INIT_MOUNT + "/" + bootstrap.getInitSQL().getKey()));
        }
        if (BackupConfig.needed(ldb)) {
            env.add(var("BACKUP_SH", BackupConfig.MOUNT + "/" + BackupConfig.BACKUP_SH));
        }
        if (ldb.getSpec().getBackup() != null) {
            // archive_command and the stanza read the file from here; the keys stay in the environment
            env.add(var("PGBACKREST_CONFIG", BackupConfig.MOUNT + "/" + BackupConfig.INSTANCE_CONF));
            env.addAll(BackupJob.keys(ldb.getSpec().getBackup().getStore(), BackupRepository.KEY_ENV, BackupRepository.SECRET_ENV));
        }
        if (BackupConfig.recovery(ldb) != null && BackupConfig.recoveryStore(ldb) != null) {
            env.add(var("RECOVERY_CONFIG", BackupConfig.MOUNT + "/" + BackupConfig.RECOVERY_CONF));
            env.add(var("RECOVERY_SOURCE_PATH", BackupConfig.recoverySourcePath(ldb)));
            env.add(var("RECOVERY_TARGET", BackupConfig.recoveryTarget(ldb)));
            env.addAll(BackupJob.keys(BackupConfig.recoveryStore(ldb), "RECOVERY_S3_KEY", "RECOVERY_S3_KEY_SECRET"));
        }
        return env;
    }

    static EnvVar var(String name, String value) {
        return new EnvVarBuilder().withName(name).withValue(value).build();
    }

    private static List<VolumeMount> mounts(LearningDatabase ldb) {
        var m = new ArrayList<VolumeMount>();
        m.add(mount(DATA_VOLUME, DATA_MOUNT, false));
        m.add(mount("config", CONFIG_MOUNT, true));
        m.add(mount("scripts", SCRIPTS_MOUNT, true));
        m.add(mount("superuser", SECRETS_MOUNT + "/superuser", true));
        m.add(mount("replication", SECRETS_MOUNT + "/replication", true));
        m.add(mount("app", SECRETS_MOUNT + "/app", true));
        m.add(mount("pooler-auth", SECRETS_MOUNT + "/pooler-auth", true));
        m.add(mount("maintenance", SECRETS_MOUNT + "/maintenance", true));
        m.add(mount("podinfo", PODINFO_MOUNT, true));
        m.add(mount("run", SOCKET_DIR, false));
        m.add(mount("tmp", "/tmp", false));
        m.add(mount("shm", "/dev/shm", false));
        if (ldb.getSpec().getBootstrap().getInitSQL() != null) {
            m.add(mount("init-sql", INIT_MOUNT, true));
        }
        if (TlsSecrets.enabled(ldb)) {
            m.add(mount("tls", TlsSecrets.MOUNT, true));
        }
        if (BackupConfig.needed(ldb)) {
            m.add(mount("backup", BackupConfig.MOUNT, true));
        }
        if (ldb.getSpec().getBackup() != null && ldb.getSpec().getBackup().getStore().getCa() != null) {
            m.add(mount("store-ca", BackupConfig.STORE_CA_MOUNT, true));
        }
        var recoveryStore = BackupConfig.recoveryStore(ldb);
        if (BackupConfig.recovery(ldb) != null && recoveryStore != null && recoveryStore.getCa() != null) {
            m.add(mount("recovery-ca", BackupConfig.RECOVERY_CA_MOUNT, true));
        }
        return m;
    }

    static VolumeMount mount(String name, String path, boolean readOnly) {
        return new VolumeMountBuilder().withName(name).withMountPath(path).withReadOnly(readOnly).build();
    }

    private static List<Volume> volumes(LearningDatabase ldb) {
        var v = new ArrayList<Volume>();
        v.add(configMap("config", Names.postgresConfig(ldb)));
        v.add(configMap("scripts", Names.scripts(ldb)));
        v.add(secret("superuser", Names.superuserSecret(ldb)));
        v.add(secret("replication", Names.replicationSecret(ldb)));
        v.add(secret("app", Names.appSecret(ldb)));
        v.add(secret("pooler-auth", Names.poolerAuthSecret(ldb)));
        v.add(secret("maintenance", Names.maintenanceSecret(ldb)));
        v.add(secret("monitor", Names.monitorSecret(ldb)));
        v.add(new VolumeBuilder().withName("podinfo").withNewDownwardAPI()
                .addNewItem().withPath("labels").withNewFieldRef().withApiVersion("v1").withFieldPath("metadata.labels")
                .endFieldRef().endItem()
                .addNewItem().withPath("annotations").withNewFieldRef().withApiVersion("v1")
                .withFieldPath("metadata.annotations").endFieldRef().endItem()
                .withDefaultMode(0444)
                .endDownwardAPI().build());
        v.add(new VolumeBuilder().withName("run").withNewEmptyDir().endEmptyDir().build());
        v.add(new VolumeBuilder().withName("tmp").withNewEmptyDir().endEmptyDir().build());
        v.add(new VolumeBuilder().withName("shm").withNewEmptyDir().withMedium("Memory").endEmptyDir().build());
        if (ldb.getSpec().getBootstrap().getInitSQL() != null) {
            v.add(configMap("init-sql", ldb.getSpec().getBootstrap().getInitSQL().getName()));
        }
        if (TlsSecrets.enabled(ldb)) {
            v.add(secret("tls", TlsSecrets.serverSecret(ldb)));
        }
        if (BackupConfig.needed(ldb)) {
            v.add(configMap("backup", Names.backup(ldb)));
        }
        if (ldb.getSpec().getBackup() != null) {
            // the server's certificate and key and the CA: never the client's key
            v.add(new VolumeBuilder().withName("backup-tls").withNewSecret().withSecretName(Names.backupTlsSecret(ldb))
                    .withDefaultMode(0440)
                    .addNewItem().withKey(BackupTls.CA_CRT).withPath(BackupConfig.CA_FILE).endItem()
                    .addNewItem().withKey(BackupTls.SERVER_CRT).withPath(BackupConfig.SERVER_CRT).endItem()
                    .addNewItem().withKey(BackupTls.SERVER_KEY).withPath(BackupConfig.SERVER_KEY).endItem()
                    .endSecret().build());
            if (ldb.getSpec().getBackup().getStore().getCa() != null) {
                v.add(BackupJob.caVolume("store-ca", ldb.getSpec().getBackup().getStore().getCa()));
            }
        }
        var recoveryStore = BackupConfig.recoveryStore(ldb);
        if (BackupConfig.recovery(ldb) != null && recoveryStore != null && recoveryStore.getCa() != null) {
            v.add(BackupJob.caVolume("recovery-ca", recoveryStore.getCa()));
        }
        return v;
    }

    static Volume configMap(String volume, String name) {
        return new VolumeBuilder().withName(volume)
                .withNewConfigMap().withName(name).withDefaultMode(0444).endConfigMap().build();
    }

    /** The PostgreSQL container's image among a pod's (or template's) containers. */
    public static java.util.Optional<String> postgresImage(List<io.fabric8.kubernetes.api.model.Container> containers) {
        return containers.stream().filter(c -> CONTAINER.equals(c.getName())).map(c -> c.getImage()).findFirst();
    }

    static Volume secret(String volume, String name) {
        return new VolumeBuilder().withName(volume)
                .withNewSecret().withSecretName(name).withDefaultMode(0440).endSecret().build();
    }
}
