package io.learningdb.operator.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

@ConfigMapping(prefix = "learningdb")
public interface OperatorConfig {

    /**
     * The PostgreSQL image of each major version, pinned to a minor release or a digest:
     * {@code 15=docker.io/library/postgres:15.20,16=...}. Changing an entry upgrades that major's clusters in a rolling
     * update (replicas first, then a switchover).
     */
    @io.smallrye.config.WithName("postgres-images")
    @WithDefault(io.learningdb.operator.resources.Images.DEFAULT_CATALOGUE)
    String postgresImages();

    /** For a major version the catalogue lacks: this repository, tagged with the major version. */
    @WithDefault("docker.io/library/postgres")
    String postgresImageRepository();

    /**
     * Repository of the PostgreSQL image that also carries pgBackRest, used when spec.backup or bootstrap.recovery is
     * set (tag: the major version). Built from src/main/docker/postgres-pgbackrest.Dockerfile.
     */
    @WithDefault("ghcr.io/learningdb/postgres-pgbackrest")
    String postgresBackupImageRepository();

    /**
     * During a CA rotation, how long the bundle of the old and the new CA is published in {@code <name>-tls} before a
     * certificate of the new CA is served (clients that read ca.crt from the Secret pick the bundle up meanwhile).
     */
    @io.smallrye.config.WithName("ca-trust-period")
    @WithDefault("PT5M")
    java.time.Duration caTrustPeriod();

    /** How often status.insights is read from each cluster's primary (one query; written only when it changes). */
    @io.smallrye.config.WithName("insights-interval")
    @WithDefault("PT5M")
    java.time.Duration insightsInterval();

    /** The PostgreSQL exporter sidecar of every instance pod. */
    @io.smallrye.config.WithName("exporter-image")
    @WithDefault(io.learningdb.operator.resources.InstanceStatefulSet.DEFAULT_EXPORTER_IMAGE)
    String exporterImage();

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
