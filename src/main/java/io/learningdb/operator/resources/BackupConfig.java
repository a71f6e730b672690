package io.learningdb.operator.resources;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.learningdb.operator.model.BackupSpec;
import io.learningdb.operator.model.LearningDatabase;
import io.learningdb.operator.model.ObjectStoreSpec;
import io.learningdb.operator.model.RecoverySpec;

/**
 * ConfigMap {@code <name>-backup}: pgBackRest's configuration for the instances (archive-push, restore, the TLS
 * server), for the backup job (the repository host), for a recovery from another cluster's repository, and
 * backup.sh, which the instances and the jobs run and the tests run verbatim. Present when spec.backup or
 * bootstrap.recovery is set. Keys are never in it: they reach pgBackRest as environment variables from the Secret
 * the spec names.
 */
public final class BackupConfig {

    public static final String MOUNT = "/etc/learningdb/backup";
    public static final String BACKUP_SH = "backup.sh";
    public static final String INSTANCE_CONF = "pgbackrest.conf";
    public static final String JOB_CONF = "pgbackrest-job.conf";
    public static final String RECOVERY_CONF = "pgbackrest-recovery.conf";
    /** The backup Secret's files (CA, certificates, keys) as mounted; backup.sh copies them privately. */
    public static final String TLS_MOUNT = "/etc/learningdb/backup-tls";
    /** The object store's CA (spec.backup.store.ca), and the recovery store's. */
    public static final String STORE_CA_MOUNT = "/etc/learningdb/backup-store-ca";
    public static final String RECOVERY_CA_MOUNT = "/etc/learningdb/recovery-store-ca";
    public static final String CA_FILE = "ca.crt";
    /** RUN_DIR of instance.sh, shared with the sidecar: pgBackRest's spool, lock and the private TLS copies. */
    public static final String INSTANCE_RUN_DIR = "/tmp/learningdb";
    public static final String JOB_RUN_DIR = "/tmp/pgbackrest";
    /** Where pgBackRest's asynchronous archive-push leaves the message of a failure (read by the operator over SQL). */
    public static final String ARCHIVE_ERROR_DIR = INSTANCE_RUN_DIR + "/pgbackrest/spool/archive/" + BackupRepository.STANZA + "/out";
    public static final String SERVER_CRT = "tls.crt";
    public static final String SERVER_KEY = "tls.key";
    public static final String CLIENT_CRT = "client.crt";
    public static final String CLIENT_KEY = "client.key";

    private static final String SCRIPT = load("/backup/backup.sh");

    private BackupConfig() {
    }

    public static boolean needed(LearningDatabase ldb) {
        return ldb.getSpec().getBackup() != null || recovery(ldb) != null;
    }

    public static RecoverySpec recovery(LearningDatabase ldb) {
        return ldb.getSpec().getBootstrap() == null ? null : ldb.getSpec().getBootstrap().getRecovery();
    }

    /** The store a recovery reads: its own, else spec.backup's. */
    public static ObjectStoreSpec recoveryStore(LearningDatabase ldb) {
        RecoverySpec r = recovery(ldb);
        if (r == null) {
            return null;
        }
        return r.getStore() != null ? r.getStore() : ldb.getSpec().getBackup() == null ? null : ldb.getSpec().getBackup().getStore();
    }

    public static BackupRepository.Instance instance() {
        return new BackupRepository.Instance(InstanceStatefulSet.PGDATA, InstanceStatefulSet.SOCKET_DIR, Names.POSTGRES_PORT,
                INSTANCE_RUN_DIR);
    }

    /** This cluster's own repository path. */
    public static String repoPath(LearningDatabase ldb) {
        return BackupRepository.repoPath(store(ldb.getSpec().getBackup().getStore(), STORE_CA_MOUNT), ldb.getMetadata().getNamespace(),
                ldb.getMetadata().getName());
    }

    /** The source's repository path a recovery reads. */
    public static String recoverySourcePath(LearningDatabase ldb) {
        RecoverySpec r = recovery(ldb);
        String namespace = r.getSourceNamespace() != null ? r.getSourceNamespace() : ldb.getMetadata().getNamespace();
        return BackupRepository.repoPath(store(recoveryStore(ldb), RECOVERY_CA_MOUNT), namespace, r.getSource());
    }

    /** What a recovery targets, as backup.sh restore reads it. */
    public static String recoveryTarget(LearningDatabase ldb) {
        RecoverySpec r = recovery(ldb);
        if (r.getTargetTime() != null) {
            return r.getTargetTime();
        }
        return r.getTargetLSN() != null ? "lsn:" + r.getTargetLSN() : "latest";
    }

    static BackupRepository.Store store(ObjectStoreSpec spec, String caMount) {
        return BackupRepository.store(spec, caMount + "/" + CA_FILE);
    }

    public static Map<String, String> files(LearningDatabase ldb) {
        var files = new LinkedHashMap<String, String>();
        BackupSpec backup = ldb.getSpec().getBackup();
        if (backup != null) {
            var store = store(backup.getStore(), STORE_CA_MOUNT);
            var retention = BackupRepository.Retention.of(backup.getRetention());
            String compression = backup.getCompression().name();
            String path = repoPath(ldb);
            String tls = INSTANCE_RUN_DIR + "/backup-tls/";
            files.put(INSTANCE_CONF, BackupRepository.config(store, path, instance(), retention, compression,
                    new BackupRepository.TlsFiles(tls + SERVER_CRT, tls + SERVER_KEY, tls + CA_FILE), BackupRepository.SERVER_PORT));
            String client = JOB_RUN_DIR + "/backup-tls/";
            files.put(JOB_CONF, BackupRepository.jobConfig(store, path, instance(),
                    Names.serviceHost(ldb, Names.readWriteService(ldb)), BackupRepository.SERVER_PORT,
                    new BackupRepository.TlsFiles(client + CLIENT_CRT, client + CLIENT_KEY, client + CA_FILE), JOB_RUN_DIR,
                    retention, compression));
        }
        if (recovery(ldb) != null && recoveryStore(ldb) != null) {
            // read-only use: restore and archive-get; retention never runs against the source
            files.put(RECOVERY_CONF, BackupRepository.config(store(recoveryStore(ldb), RECOVERY_CA_MOUNT), recoverySourcePath(ldb),
                    instance(), BackupRepository.Retention.of(null), "lz4"));
        }
        files.put(BACKUP_SH, SCRIPT);
        return files;
    }

    public static ConfigMap build(LearningDatabase ldb) {
        return new ConfigMapBuilder()
                .withNewMetadata()
                .withName(Names.backup(ldb))
                .withNamespace(ldb.getMetadata().getNamespace())
                .withLabels(Labels.forComponent(ldb, Labels.COMPONENT_BACKUP))
                .endMetadata()
                .withData(files(ldb))
                .build();
    }

    /** backup.sh as it goes into the ConfigMap. */
    public static String script() {
        return SCRIPT;
    }

    private static String load(String resource) {
        try (InputStream in = BackupConfig.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + resource);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
