package io.learningdb.operator.model;

import java.util.Objects;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class PrimaryRestartStatus {

    @JsonPropertyDescription("The primary's pod being restarted in place.")
    private String pod;

    @JsonPropertyDescription("The UID of the pod that is stopped (its replacement has another).")
    private String uid;

    @JsonPropertyDescription("Why: the settings a replica must not run below the primary's.")
    private String reason;

    @JsonPropertyDescription("When it was decided; failover waits for the primary's return until 2 minutes after.")
    private String since;

    public PrimaryRestartStatus() {
    }

    public PrimaryRestartStatus(String pod, String uid, String reason, String since) {
        this.pod = pod;
        this.uid = uid;
        this.reason = reason;
        this.since = since;
    }

    public String getPod() {
        return pod;
    }

    public void setPod(String pod) {
        this.pod = pod;
    }

    public String getUid() {
        return uid;
    }

    public void setUid(String uid) {
        this.uid = uid;
    }

    public String getReason() {
        return reason;
    }

    public void setReason(String reason) {
        this.reason = reason;
    }

    public String getSince() {
        return since;
    }

    public void setSince(String since) {
        this.since = since;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PrimaryRestartStatus p && Objects.equals(pod, p.pod) && Objects.equals(uid, p.uid)
                && Objects.equals(reason, p.reason) && Objects.equals(since, p.since);
    }

    @Override
    public int hashCode() {
        return Objects.hash(pod, uid, since);
    }
}
