package io.learningdb.operator.resources;

import io.learningdb.operator.config.OperatorConfig;
import io.learningdb.operator.model.LearningDatabase;

/** Which image each workload runs: the spec's override, else the operator's configured default. */
public final class Images {

    private Images() {
    }

    public static String postgres(LearningDatabase ldb, OperatorConfig config) {
        String image = ldb.getSpec().getPostgres().getImage();
        if (image != null && !image.isBlank()) {
            return image;
        }
        // backups and recovery need pgBackRest in the instance image (archive_command, restore, the TLS server)
        String repository = BackupConfig.needed(ldb) ? config.postgresBackupImageRepository() : config.postgresImageRepository();
        return repository + ":" + ldb.getSpec().getPostgres().getVersion();
    }

    public static String pooler(LearningDatabase ldb, OperatorConfig config) {
        String image = ldb.getSpec().getPooler().getImage();
        return image != null && !image.isBlank() ? image : config.poolerImage();
    }
}
