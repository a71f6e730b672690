package io.learningdb.operator.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

@ConfigMapping(prefix = "learningdb")
public interface OperatorConfig {

    /** Repository of the PostgreSQL image; the tag is the major version from the spec. */
    @WithDefault("docker.io/library/postgres")
    String postgresImageRepository();

    /** PgBouncer image used when spec.pooler.image is unset. */
    @WithDefault("ghcr.io/cloudnative-pg/pgbouncer:1.24.1")
    String poolerImage();
}
