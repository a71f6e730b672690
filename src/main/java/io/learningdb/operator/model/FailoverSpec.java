package io.learningdb.operator.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class FailoverSpec {

    @JsonPropertyDescription("Automatic failover: promote the most advanced replica when the primary is lost.")
    @Default("true")
    private boolean enabled = true;

    @JsonPropertyDescription("How long the primary must be unavailable (pod gone or not ready) before failover.")
    @Min(1)
    @Max(3600)
    @Default("10")
    private int delaySeconds = 10;

    @JsonPropertyDescription("A replica whose last measured lag exceeded this is not promoted, unless every candidate "
            + "did and promoteLaggingReplica allows it.")
    @Pattern("^[0-9]+(Ki|Mi|Gi|Ti)?$")
    @Default("64Mi")
    private String maxLagBytes = "64Mi";

    @JsonPropertyDescription("Promote the most advanced replica even when every candidate lagged beyond maxLagBytes "
            + "(availability over the lagged data). Default false: wait and report FailoverBlocked.")
    @Default("false")
    private boolean promoteLaggingReplica = false;

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public int getDelaySeconds() {
        return delaySeconds;
    }

    public void setDelaySeconds(int delaySeconds) {
        this.delaySeconds = delaySeconds;
    }

    public String getMaxLagBytes() {
        return maxLagBytes;
    }

    public void setMaxLagBytes(String maxLagBytes) {
        this.maxLagBytes = maxLagBytes;
    }

    public boolean isPromoteLaggingReplica() {
        return promoteLaggingReplica;
    }

    public void setPromoteLaggingReplica(boolean promoteLaggingReplica) {
        this.promoteLaggingReplica = promoteLaggingReplica;
    }
}
