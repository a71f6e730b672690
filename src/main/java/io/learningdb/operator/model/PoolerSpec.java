package io.learningdb.operator.model;

import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.ResourceRequirements;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class PoolerSpec {

    @JsonPropertyDescription("Number of PgBouncer pods behind the <name>-pooler service.")
    @Min(1)
    @Max(10)
    @Default("2")
    private int instances = 2;

    @JsonPropertyDescription("PgBouncer pool_mode: session, transaction (default) or statement. Transaction pooling "
            + "does not support session state such as protocol-level prepared statements of old drivers.")
    @Default("transaction")
    private PoolMode poolMode = PoolMode.TRANSACTION;

    @JsonPropertyDescription("Server connections per user/database pair and pooler pod (default_pool_size).")
    @Min(1)
    @Max(10000)
    @Default("20")
    private int defaultPoolSize = 20;

    @JsonPropertyDescription("Client connections each pooler pod accepts (max_client_conn).")
    @Min(10)
    @Max(100000)
    @Default("5000")
    private int maxClientConnections = 5000;

    @JsonPropertyDescription("Container image; defaults to the operator's configured PgBouncer image.")
    @Size(max = 512)
    private String image;

    @JsonPropertyDescription("CPU and memory of each PgBouncer container.")
    private ResourceRequirements resources;

    @JsonPropertyDescription("Extra pgbouncer.ini [pgbouncer] settings. Settings the operator manages are refused.")
    @ValidationRule(value = ManagedSettings.POOLER_RULE, message = ManagedSettings.POOLER_MESSAGE)
    @ValidationRule(value = ManagedSettings.KEY_AND_VALUE_RULE, message = ManagedSettings.KEY_AND_VALUE_MESSAGE)
    @Size(max = ManagedSettings.MAX_PARAMETERS)
    private Map<String, String> parameters = new LinkedHashMap<>();

    public int getInstances() {
        return instances;
    }

    public void setInstances(int instances) {
        this.instances = instances;
    }

    public PoolMode getPoolMode() {
        return poolMode;
    }

    public void setPoolMode(PoolMode poolMode) {
        this.poolMode = poolMode;
    }

    public int getDefaultPoolSize() {
        return defaultPoolSize;
    }

    public void setDefaultPoolSize(int defaultPoolSize) {
        this.defaultPoolSize = defaultPoolSize;
    }

    public int getMaxClientConnections() {
        return maxClientConnections;
    }

    public void setMaxClientConnections(int maxClientConnections) {
        this.maxClientConnections = maxClientConnections;
    }

    public String getImage() {
        return image;
    }

    public void setImage(String image) {
        this.image = image;
    }

    public ResourceRequirements getResources() {
        return resources;
    }

    public void setResources(ResourceRequirements resources) {
        this.resources = resources;
    }

    public Map<String, String> getParameters() {
        return parameters;
    }

    public void setParameters(Map<String, String> parameters) {
        this.parameters = parameters;
    }
}
