package io.learningdb.operator.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class InstanceStatus {

    private String name;
    @JsonPropertyDescription("primary, replica, or pending (not labelled yet).")
    private String role;
    private boolean ready;

    @JsonPropertyDescription("Replicas: streaming, catchup, startup, backup or disconnected (as the primary sees it).")
    private String state;
    @JsonPropertyDescription("Replicas: async, potential, sync or quorum.")
    private String syncState;
    @JsonPropertyDescription("Replicas: WAL bytes the replica has not replayed yet (2 significant digits).")
    private Long lagBytes;
    @JsonPropertyDescription("Replicas: seconds of replay lag; 0 when everything received is replayed.")
    private Long lagSeconds;
    @JsonPropertyDescription("Replicas: over a lag threshold (with hysteresis: back under 80% of it to clear).")
    private Boolean lagging;
    @JsonPropertyDescription("Replicas: the physical replication slot on the primary.")
    private String slot;
    @JsonPropertyDescription("Replicas: WAL the primary keeps for the slot, in bytes (2 significant digits).")
    private Long retainedWalBytes;
    @JsonPropertyDescription("True when the lag shown is the last known value because the database cannot be reached.")
    private Boolean lagStale;
    @JsonPropertyDescription("The PostgreSQL version the instance runs (server_version), as it last answered.")
    private String version;
    @JsonPropertyDescription("Parameters this instance has loaded but applies only after a restart (pg_settings."
            + "pending_restart); the operator restarts it in turn. Absent when none.")
    private java.util.List<String> pendingRestart;

    @JsonPropertyDescription("The size the instance's PersistentVolumeClaim asks for (spec.resources.requests).")
    private String storageRequested;
    @JsonPropertyDescription("The size its volume has (status.capacity); below storageRequested while it grows.")
    private String storageCapacity;

    public String getStorageRequested() {
        return storageRequested;
    }

    public void setStorageRequested(String storageRequested) {
        this.storageRequested = storageRequested;
    }

    public String getStorageCapacity() {
        return storageCapacity;
    }

    public void setStorageCapacity(String storageCapacity) {
        this.storageCapacity = storageCapacity;
    }

    public java.util.List<String> getPendingRestart() {
        return pendingRestart;
    }

    public void setPendingRestart(java.util.List<String> pendingRestart) {
        this.pendingRestart = pendingRestart;
    }

    public String getVersion() {
        return version;
    }

    public void setVersion(String version) {
        this.version = version;
    }

    public InstanceStatus() {
    }

    public InstanceStatus(String name, String role, boolean ready) {
        this.name = name;
        this.role = role;
        this.ready = ready;
    }

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public String getRole() {
        return role;
    }

    public void setRole(String role) {
        this.role = role;
    }

    public boolean isReady() {
        return ready;
    }

    public void setReady(boolean ready) {
        this.ready = ready;
    }

    public String getState() {
        return state;
    }

    public void setState(String state) {
        this.state = state;
    }

    public String getSyncState() {
        return syncState;
    }

    public void setSyncState(String syncState) {
        this.syncState = syncState;
    }

    public Long getLagBytes() {
        return lagBytes;
    }

    public void setLagBytes(Long lagBytes) {
        this.lagBytes = lagBytes;
    }

    public Long getLagSeconds() {
        return lagSeconds;
    }

    public void setLagSeconds(Long lagSeconds) {
        this.lagSeconds = lagSeconds;
    }

    public Boolean getLagging() {
        return lagging;
    }

    public void setLagging(Boolean lagging) {
        this.lagging = lagging;
    }

    public String getSlot() {
        return slot;
    }

    public void setSlot(String slot) {
        this.slot = slot;
    }

    public Long getRetainedWalBytes() {
        return retainedWalBytes;
    }

    public void setRetainedWalBytes(Long retainedWalBytes) {
        this.retainedWalBytes = retainedWalBytes;
    }

    public Boolean getLagStale() {
        return lagStale;
    }

    public void setLagStale(Boolean lagStale) {
        this.lagStale = lagStale;
    }
}
