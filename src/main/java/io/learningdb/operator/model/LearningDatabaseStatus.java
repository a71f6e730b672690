package io.learningdb.operator.model;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class LearningDatabaseStatus {

    @JsonPropertyDescription("The metadata.generation this status describes.")
    private Long observedGeneration;

    @JsonPropertyDescription("Provisioning (never ready yet), Ready, Degraded (was ready, something is not now) or "
            + "Failed (the spec or its references cannot be used; see the Ready condition).")
    private Phase phase;

    @JsonPropertyDescription("Pod name of the current primary; the <name>-rw service selects it.")
    private String primary;

    @JsonPropertyDescription("The instance a switchover in progress is making primary. Recorded before the operator "
            + "acts, so an operator restart or a conflicting write resumes the switchover instead of reversing it.")
    private String targetPrimary;

    @JsonPropertyDescription("When the switchover to targetPrimary started (its catch-up deadline counts from here).")
    private String targetPrimarySince;

    @JsonPropertyDescription("PostgreSQL system identifier of this cluster's data (pg_control_system()), recorded the "
            + "first time the primary answers. Every instance must serve this database and no other; its presence "
            + "also means the cluster has served, so failover applies whatever the phase.")
    private String systemIdentifier;

    @JsonPropertyDescription("The PostgreSQL major version the cluster's data is on (spec.postgres.version once a "
            + "major upgrade to it has completed).")
    private Integer postgresVersion;

    @JsonPropertyDescription("The major upgrade in progress or the last one: from, to, phase (Stopping, Upgrading, "
            + "Starting, Completed, Failed) and why.")
    private MajorUpgradeStatus majorUpgrade;

    @JsonPropertyDescription("A restart of the primary in place under way (lowering a setting replicas must not run "
            + "below: the primary first). Recorded before the pod is stopped; failover waits for its return meanwhile.")
    private PrimaryRestartStatus primaryRestart;

    @JsonPropertyDescription("Ready replicas / desired replicas, e.g. 2/2.")
    private String replicaReadiness;

    @JsonPropertyDescription("Largest replay lag of any replica in bytes of WAL (reported at 2 significant digits).")
    private Long maxLagBytes;

    @JsonPropertyDescription("Largest replay lag of any replica in seconds.")
    private Long maxLagSeconds;

    @JsonPropertyDescription("Largest lag for humans, e.g. '3s / 1.2MiB' (the MAX LAG column); 'unknown' while the "
            + "database cannot be reached.")
    private String maxLag;

    @JsonPropertyDescription("Every instance pod with its role and readiness.")
    private List<InstanceStatus> instances = new ArrayList<>();

    @JsonPropertyDescription("The last automatic failover.")
    private FailoverStatus lastFailover;

    @JsonPropertyDescription("The last planned switchover.")
    private FailoverStatus lastSwitchover;

    @JsonPropertyDescription("Each scheduled maintenance task: schedule, last run, last success, last failure.")
    private List<MaintenanceTaskStatus> maintenance;

    @JsonPropertyDescription("Backups and WAL archiving (when spec.backup is set).")
    private BackupStatus backup;

    @JsonPropertyDescription("What the application database's statistics say (unused indexes, dead tuples, the "
            + "slowest statement), read from the primary at most every 5 minutes, rounded, written only when it changes.")
    private InsightsStatus insights;

    @JsonPropertyDescription("Where clients connect (host:port inside the cluster).")
    private Endpoints endpoints;

    @JsonPropertyDescription("Kubernetes-style conditions: Ready, PrimaryAvailable, PoolerReady, ReplicationHealthy, MaintenanceHealthy.")
    private List<Condition> conditions = new ArrayList<>();

    public Long getObservedGeneration() {
        return observedGeneration;
    }

    public void setObservedGeneration(Long observedGeneration) {
        this.observedGeneration = observedGeneration;
    }

    public Phase getPhase() {
        return phase;
    }

    public void setPhase(Phase phase) {
        this.phase = phase;
    }

    public String getPrimary() {
        return primary;
    }

    public void setPrimary(String primary) {
        this.primary = primary;
    }

    public String getTargetPrimary() {
        return targetPrimary;
    }

    public void setTargetPrimary(String targetPrimary) {
        this.targetPrimary = targetPrimary;
    }

    public String getTargetPrimarySince() {
        return targetPrimarySince;
    }

    public void setTargetPrimarySince(String targetPrimarySince) {
        this.targetPrimarySince = targetPrimarySince;
    }

    public String getReplicaReadiness() {
        return replicaReadiness;
    }

    public void setReplicaReadiness(String replicaReadiness) {
        this.replicaReadiness = replicaReadiness;
    }

    public Long getMaxLagBytes() {
        return maxLagBytes;
    }

    public void setMaxLagBytes(Long maxLagBytes) {
        this.maxLagBytes = maxLagBytes;
    }

    public Long getMaxLagSeconds() {
        return maxLagSeconds;
    }

    public void setMaxLagSeconds(Long maxLagSeconds) {
        this.maxLagSeconds = maxLagSeconds;
    }

    public String getMaxLag() {
        return maxLag;
    }

    public void setMaxLag(String maxLag) {
        this.maxLag = maxLag;
    }

    public List<InstanceStatus> getInstances() {
        return instances;
    }

    public void setInstances(List<InstanceStatus> instances) {
        this.instances = instances;
    }

    public FailoverStatus getLastFailover() {
        return lastFailover;
    }

    public void setLastFailover(FailoverStatus lastFailover) {
        this.lastFailover = lastFailover;
    }

    public FailoverStatus getLastSwitchover() {
        return lastSwitchover;
    }

    public void setLastSwitchover(FailoverStatus lastSwitchover) {
        this.lastSwitchover = lastSwitchover;
    }

    public List<MaintenanceTaskStatus> getMaintenance() {
        return maintenance;
    }

    public void setMaintenance(List<MaintenanceTaskStatus> maintenance) {
        this.maintenance = maintenance;
    }

    public InsightsStatus getInsights() {
        return insights;
    }

    public void setInsights(InsightsStatus insights) {
        this.insights = insights;
    }

    public BackupStatus getBackup() {
        return backup;
    }

    public void setBackup(BackupStatus backup) {
        this.backup = backup;
    }

    public Endpoints getEndpoints() {
        return endpoints;
    }

    public void setEndpoints(Endpoints endpoints) {
        this.endpoints = endpoints;
    }

    public List<Condition> getConditions() {
        return conditions;
    }

    public void setConditions(List<Condition> conditions) {
        this.conditions = conditions;
    }

    public enum Phase {
        Provisioning,
        Ready,
        Degraded,
        Failed
    }

    public Integer getPostgresVersion() {
        return postgresVersion;
    }

    public void setPostgresVersion(Integer postgresVersion) {
        this.postgresVersion = postgresVersion;
    }

    public MajorUpgradeStatus getMajorUpgrade() {
        return majorUpgrade;
    }

    public void setMajorUpgrade(MajorUpgradeStatus majorUpgrade) {
        this.majorUpgrade = majorUpgrade;
    }

    public PrimaryRestartStatus getPrimaryRestart() {
        return primaryRestart;
    }

    public void setPrimaryRestart(PrimaryRestartStatus primaryRestart) {
        this.primaryRestart = primaryRestart;
    }

    public String getSystemIdentifier() {
        return systemIdentifier;
    }

    public void setSystemIdentifier(String systemIdentifier) {
        this.systemIdentifier = systemIdentifier;
    }
}
