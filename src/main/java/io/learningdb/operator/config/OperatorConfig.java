package io.learningdb.operator.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

@ConfigMapping(prefix = "learningdb")
public interface OperatorConfig {

    /** Repository of the PostgreSQL image; the tag is the major version from the spec. */
    @WithDefault("docker.io/library/postgres")
    String postgresImageRepository();

    /**
     * Repository of the PostgreSQL image that also carries pgBackRest, used when spec.backup or bootstrap.recovery is
     * set (tag: the major version). Built from src/main/docker/postgres-pgbackrest.Dockerfile.
     */
    @WithDefault("ghcr.io/learningdb/postgres-pgbackrest")
    String postgresBackupImageRepository();

    /** PgBouncer image used when spec.pooler.image is unset. */
    @WithDefault("ghcr.io/cloudnative-pg/pgbouncer:1.24.1")
    String poolerImage();

    /** The operator's own namespace (the chart sets it from the downward API); empty when it runs outside a pod. */
    @io.smallrye.config.WithName("operator-namespace")
    java.util.Optional<String> operatorNamespace();

    /** Labels of the operator's pods, admitted to PostgreSQL by the per-cluster NetworkPolicies (a=b,c=d). */
    @WithDefault("app.kubernetes.io/name=learningdb-operator")
    @io.smallrye.config.WithName("operator-pod-labels")
    String operatorPodLabels();

    /**
     * How the operator reaches instance pods: auto (pod DNS names inside a pod, the API server's port-forward
     * outside, as in quarkus:dev), dns or port-forward.
     */
    @WithDefault("auto")
    @io.smallrye.config.WithName("instance-access")
    String instanceAccess();
}
