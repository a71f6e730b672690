package io.learningdb.operator.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

@JsonInclude(JsonInclude.Include.NON_NULL)
@io.fabric8.generator.annotation.ValidationRule(value = "!has(self.replication) || self.replication.synchronousReplicas <= self.replicas",
        message = "replication.synchronousReplicas cannot exceed replicas: commits would wait forever")
@io.fabric8.generator.annotation.ValidationRule(value = "!has(self.replication) || self.replication.synchronousReplicas == 0 "
        + "|| !has(self.postgres) || !has(self.postgres.parameters) || !('synchronous_commit' in self.postgres.parameters)",
        message = "postgres.parameters.synchronous_commit is managed by the operator while replication.synchronousReplicas "
                + "is set: an acknowledged commit must be flushed on the synchronous replicas")
@io.fabric8.generator.annotation.ValidationRule(value = "!has(self.bootstrap) || !has(self.bootstrap.recovery) "
        + "|| has(self.bootstrap.recovery.store) || has(self.backup)",
        message = "bootstrap.recovery needs the store of the source's backups: bootstrap.recovery.store or backup.store")
public class LearningDatabaseSpec {

    @JsonPropertyDescription("PostgreSQL version, image, storage, resources and postgresql.conf parameters.")
    @Default("{}")
    private PostgresSpec postgres = new PostgresSpec();

    @JsonPropertyDescription("Number of streaming replicas (physical replication slots). Instances = 1 primary + replicas.")
    @Min(0)
    @Max(15)
    @Default("2")
    private int replicas = 2;

    @JsonPropertyDescription("PgBouncer pooler in front of the primary (service <name>-pooler).")
    @Default("{}")
    private PoolerSpec pooler = new PoolerSpec();

    @JsonPropertyDescription("Application database created on the first primary; immutable after creation.")
    @Default("{}")
    private BootstrapSpec bootstrap = new BootstrapSpec();

    @JsonPropertyDescription("How replication lag is measured and when a replica counts as lagging.")
    private ReplicationLagSpec replicationLag = new ReplicationLagSpec();

    @JsonPropertyDescription("Asynchronous (default) or synchronous streaming replication.")
    private ReplicationSpec replication = new ReplicationSpec();

    @JsonPropertyDescription("Automatic failover when the primary is lost.")
    private FailoverSpec failover = new FailoverSpec();

    @JsonPropertyDescription("Monthly (or daily) partition rollover of time-partitioned tables, as a CronJob.")
    private PartitioningSpec partitioning;

    @JsonPropertyDescription("Scheduled refresh of materialized views, as a CronJob.")
    private MaterializedViewsSpec materializedViews;

    @JsonPropertyDescription("Scheduled table maintenance, as CronJobs.")
    private MaintenanceSpec maintenance;

    @JsonPropertyDescription("Continuous WAL archiving and scheduled base backups to S3-compatible object storage "
            + "(pgBackRest). Take one now with the annotation learningdb.io/backup-request=<any new value>.")
    private BackupSpec backup;

    @JsonPropertyDescription("Network isolation of the instances and the pooler.")
    private NetworkPolicySpec networkPolicy = new NetworkPolicySpec();

    @JsonPropertyDescription("TLS for PostgreSQL and PgBouncer: server certificates from an operator-generated CA "
            + "(default) or from a Secret you provide.")
    private TlsSpec tls = new TlsSpec();

    @JsonPropertyDescription("What happens to the instances' PersistentVolumeClaims when the LearningDatabase is deleted: "
            + "Retain (default) keeps them and their data, Delete removes them.")
    @Default("Retain")
    private DeletionPolicy deletionPolicy = DeletionPolicy.Retain;

    public NetworkPolicySpec getNetworkPolicy() {
        return networkPolicy;
    }

    public void setNetworkPolicy(NetworkPolicySpec networkPolicy) {
        this.networkPolicy = networkPolicy;
    }

    public BackupSpec getBackup() {
        return backup;
    }

    public void setBackup(BackupSpec backup) {
        this.backup = backup;
    }

    public TlsSpec getTls() {
        return tls;
    }

    public void setTls(TlsSpec tls) {
        this.tls = tls;
    }

    public PostgresSpec getPostgres() {
        return postgres;
    }

    public void setPostgres(PostgresSpec postgres) {
        this.postgres = postgres;
    }

    public int getReplicas() {
        return replicas;
    }

    public void setReplicas(int replicas) {
        this.replicas = replicas;
    }

    public PoolerSpec getPooler() {
        return pooler;
    }

    public void setPooler(PoolerSpec pooler) {
        this.pooler = pooler;
    }

    public BootstrapSpec getBootstrap() {
        return bootstrap;
    }

    public void setBootstrap(BootstrapSpec bootstrap) {
        this.bootstrap = bootstrap;
    }

    public ReplicationLagSpec getReplicationLag() {
        return replicationLag;
    }

    public void setReplicationLag(ReplicationLagSpec replicationLag) {
        this.replicationLag = replicationLag;
    }

    public ReplicationSpec getReplication() {
        return replication;
    }

    public void setReplication(ReplicationSpec replication) {
        this.replication = replication;
    }

    public FailoverSpec getFailover() {
        return failover;
    }

    public void setFailover(FailoverSpec failover) {
        this.failover = failover;
    }

    public PartitioningSpec getPartitioning() {
        return partitioning;
    }

    public void setPartitioning(PartitioningSpec partitioning) {
        this.partitioning = partitioning;
    }

    public MaterializedViewsSpec getMaterializedViews() {
        return materializedViews;
    }

    public void setMaterializedViews(MaterializedViewsSpec materializedViews) {
        this.materializedViews = materializedViews;
    }

    public MaintenanceSpec getMaintenance() {
        return maintenance;
    }

    public void setMaintenance(MaintenanceSpec maintenance) {
        this.maintenance = maintenance;
    }

    public DeletionPolicy getDeletionPolicy() {
        return deletionPolicy;
    }

    public void setDeletionPolicy(DeletionPolicy deletionPolicy) {
        this.deletionPolicy = deletionPolicy;
    }
}
