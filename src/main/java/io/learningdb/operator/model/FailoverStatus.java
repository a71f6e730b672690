package io.learningdb.operator.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** The last failover, kept in status: the decision survives an operator restart. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class FailoverStatus {

    @JsonPropertyDescription("The primary that was lost.")
    private String from;
    @JsonPropertyDescription("The replica promoted in its place.")
    private String to;
    @JsonPropertyDescription("When the promotion completed.")
    private String time;
    @JsonPropertyDescription("Seconds from the primary becoming unavailable to the new primary accepting writes.")
    private Long durationSeconds;
    @JsonPropertyDescription("Why: e.g. 'pod lms-0 not ready for 12s'.")
    private String reason;

    public String getFrom() {
        return from;
    }

    public void setFrom(String from) {
        this.from = from;
    }

    public String getTo() {
        return to;
    }

    public void setTo(String to) {
        this.to = to;
    }

    public String getTime() {
        return time;
    }

    public void setTime(String time) {
        this.time = time;
    }

    public Long getDurationSeconds() {
        return durationSeconds;
    }

    public void setDurationSeconds(Long durationSeconds) {
        this.durationSeconds = durationSeconds;
    }

    public String getReason() {
        return reason;
    }

    public void setReason(String reason) {
        this.reason = reason;
    }
}
