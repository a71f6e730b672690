package io.learningdb.operator.model;

import java.util.Objects;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class MajorUpgradeStatus {

    public static final String STOPPING = "Stopping";
    public static final String UPGRADING = "Upgrading";
    public static final String STARTING = "Starting";
    public static final String COMPLETED = "Completed";
    public static final String FAILED = "Failed";

    @JsonPropertyDescription("The major version upgraded from.")
    private Integer from;

    @JsonPropertyDescription("The major version upgraded to.")
    private Integer to;

    @JsonPropertyDescription("Stopping (every instance stops), Upgrading (Job <name>-upgrade-<to> runs pg_upgrade on the "
            + "primary's volume), Starting (instances start on the new major, replicas re-clone), Completed or Failed "
            + "(the cluster serves the old major again).")
    private String phase;

    @JsonPropertyDescription("The instance whose data is upgraded (the primary when the upgrade started).")
    private String primary;

    @JsonPropertyDescription("The image the instances ran before the upgrade (the old binaries come from it).")
    private String fromImage;

    @JsonPropertyDescription("The image of the new major.")
    private String toImage;

    @JsonPropertyDescription("What allowed the upgrade: the approval annotation's value, or 'backup <completedAt>'.")
    private String approvedBy;

    @JsonPropertyDescription("When the upgrade started.")
    private String startedAt;

    @JsonPropertyDescription("When it completed or failed.")
    private String finishedAt;

    @JsonPropertyDescription("Why it failed, or what it is waiting for.")
    private String message;

    public MajorUpgradeStatus() {
    }

    public MajorUpgradeStatus(MajorUpgradeStatus other) {
        this.from = other.from;
        this.to = other.to;
        this.phase = other.phase;
        this.primary = other.primary;
        this.fromImage = other.fromImage;
        this.toImage = other.toImage;
        this.approvedBy = other.approvedBy;
        this.startedAt = other.startedAt;
        this.finishedAt = other.finishedAt;
        this.message = other.message;
    }

    public Integer getFrom() {
        return from;
    }

    public void setFrom(Integer from) {
        this.from = from;
    }

    public Integer getTo() {
        return to;
    }

    public void setTo(Integer to) {
        this.to = to;
    }

    public String getPhase() {
        return phase;
    }

    public void setPhase(String phase) {
        this.phase = phase;
    }

    public String getPrimary() {
        return primary;
    }

    public void setPrimary(String primary) {
        this.primary = primary;
    }

    public String getFromImage() {
        return fromImage;
    }

    public void setFromImage(String fromImage) {
        this.fromImage = fromImage;
    }

    public String getToImage() {
        return toImage;
    }

    public void setToImage(String toImage) {
        this.toImage = toImage;
    }

    public String getApprovedBy() {
        return approvedBy;
    }

    public void setApprovedBy(String approvedBy) {
        this.approvedBy = approvedBy;
    }

    public String getStartedAt() {
        return startedAt;
    }

    public void setStartedAt(String startedAt) {
        this.startedAt = startedAt;
    }

    public String getFinishedAt() {
        return finishedAt;
    }

    public void setFinishedAt(String finishedAt) {
        this.finishedAt = finishedAt;
    }

    public String getMessage() {
        return message;
    }

    public void setMessage(String message) {
        this.message = message;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MajorUpgradeStatus m && Objects.equals(from, m.from) && Objects.equals(to, m.to)
                && Objects.equals(phase, m.phase) && Objects.equals(primary, m.primary)
                && Objects.equals(fromImage, m.fromImage) && Objects.equals(toImage, m.toImage)
                && Objects.equals(approvedBy, m.approvedBy) && Objects.equals(startedAt, m.startedAt)
                && Objects.equals(finishedAt, m.finishedAt) && Objects.equals(message, m.message);
    }

    @Override
    public int hashCode() {
        return Objects.hash(from, to, phase, primary, startedAt);
    }
}
