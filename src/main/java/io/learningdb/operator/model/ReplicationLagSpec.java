package io.learningdb.operator.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class ReplicationLagSpec {

    @JsonPropertyDescription("How often the operator measures replication lag, e.g. 10s or 1m (1s to 10m).")
    @Pattern("^([1-9][0-9]{0,2}s|[1-9]m|10m)$")
    @Default("10s")
    private String pollInterval = "10s";

    @JsonPropertyDescription("A replica further behind than this many seconds of replay is lagging.")
    @Min(1)
    @Max(86400)
    @Default("30")
    private int maxLagSeconds = 30;

    @JsonPropertyDescription("A replica further behind than this much WAL is lagging, e.g. 64Mi.")
    @Pattern("^[0-9]+(Ki|Mi|Gi|Ti)?$")
    @Default("64Mi")
    private String maxLagBytes = "64Mi";

    public String getPollInterval() {
        return pollInterval;
    }

    public void setPollInterval(String pollInterval) {
        this.pollInterval = pollInterval;
    }

    public int getMaxLagSeconds() {
        return maxLagSeconds;
    }

    public void setMaxLagSeconds(int maxLagSeconds) {
        this.maxLagSeconds = maxLagSeconds;
    }

    public String getMaxLagBytes() {
        return maxLagBytes;
    }

    public void setMaxLagBytes(String maxLagBytes) {
        this.maxLagBytes = maxLagBytes;
    }
}
