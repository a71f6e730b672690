package io.learningdb.operator.postgres;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.learningdb.operator.model.LearningDatabase;
import io.learningdb.operator.resources.BackupConfig;
import io.learningdb.operator.resources.BackupRepository;

/** Lets operator tests in other packages use the backup tests' S3 server (s3rver over TLS on loopback). */
public final class ObjectStoreAccess {

    private ObjectStoreAccess() {
    }

    /** Starts the S3 server (skips the test where pgBackRest or s3rver is missing, fails on CI). */
    public static void start() throws Exception {
        BackupRestoreTest.objectStore();
    }

    public static void stop() {
        BackupRestoreTest.down();
    }

    public static int port() {
        return BackupRestoreTest.s3Port;
    }

    public static String bucket() {
        return BackupRestoreTest.BUCKET;
    }

    /**
     * An instance environment for {@code ldb}'s spec.backup with these keys, pgBackRest's run directory at the pod's
     * path (so the operator finds pgBackRest's messages where it looks in a pod: one instance at a time).
     */
    public static LoopbackTopology.InstanceEnv env(LearningDatabase ldb, String key, String secret) {
        return (name, dir, port) -> {
            var instance = new BackupRepository.Instance(dir.resolve("pgdata").toString(), dir.resolve("sock").toString(), port,
                    BackupConfig.INSTANCE_RUN_DIR);
            var conf = dir.resolve("pgbackrest.conf");
            BackupRestoreTest.write(conf, BackupRepository.config(BackupRestoreTest.store, BackupConfig.repoPath(ldb), instance,
                    BackupRepository.Retention.of(null), "lz4"));
            LoopbackTopology.run(List.of("chown", "-R", "postgres:postgres", dir.toString()));
            var env = new HashMap<String, String>(Map.of("PGBACKREST_CONFIG", conf.toString(),
                    BackupRepository.KEY_ENV, key, BackupRepository.SECRET_ENV, secret, "HOME", "/tmp",
                    "BACKUP_SH", BackupRestoreTest.base.resolve("backup.sh").toString(), "RUN_DIR", BackupConfig.INSTANCE_RUN_DIR));
            return env;
        };
    }

    /** Removes pgBackRest's run directory at the pod path (the loopback instance uses it). */
    public static void clearPodRunDir() {
        LoopbackTopology.run(List.of("rm", "-rf", BackupConfig.INSTANCE_RUN_DIR));
    }

    public static String key() {
        return BackupRestoreTest.KEY;
    }
}
