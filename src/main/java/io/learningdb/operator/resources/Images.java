package io.learningdb.operator.resources;

import io.learningdb.operator.config.OperatorConfig;
import io.learningdb.operator.model.LearningDatabase;

/** Which image each workload runs: the spec's override, else the operator's configured default. */
public final class Images {

    private Images() {
    }

    public static String postgres(LearningDatabase ldb, OperatorConfig config) {
        String image = ldb.getSpec().getPostgres().getImage();
        return image != null && !image.isBlank() ? image
                : config.postgresImageRepository() + ":" + ldb.getSpec().getPostgres().getVersion();
    }

    public static String pooler(LearningDatabase ldb, OperatorConfig config) {
        String image = ldb.getSpec().getPooler().getImage();
        return image != null && !image.isBlank() ? image : config.poolerImage();
    }
}
