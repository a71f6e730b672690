package io.learningdb.operator.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class ReplicationSpec {

    @JsonPropertyDescription("Synchronous replication: a commit is acknowledged only once this many replicas have "
            + "flushed it (synchronous_standby_names = 'ANY n (*)'). 0 (default) is asynchronous. With n >= 1 a "
            + "failover loses no acknowledged commit, at the price of commit latency, and writes wait while fewer "
            + "than n replicas are connected.")
    @Min(0)
    @Max(15)
    @Default("0")
    private int synchronousReplicas = 0;

    public int getSynchronousReplicas() {
        return synchronousReplicas;
    }

    public void setSynchronousReplicas(int synchronousReplicas) {
        this.synchronousReplicas = synchronousReplicas;
    }
}
