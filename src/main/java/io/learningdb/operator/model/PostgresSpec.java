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
public class PostgresSpec {

    @JsonPropertyDescription("PostgreSQL major version. Immutable: in-place major upgrades are not supported.")
    @Min(14)
    @Max(17)
    @Default("16")
    @ValidationRule(value = "self == oldSelf", message = "postgres.version is immutable: in-place major upgrades are not supported")
    private int version = 16;

    @JsonPropertyDescription("Container image; defaults to the operator's image for the version, pinned to a minor "
            + "release (e.g. docker.io/library/postgres:16.16). Must provide initdb, pg_ctl, pg_basebackup, pg_rewind "
            + "and psql.")
    @Size(max = 512)
    private String image;

    @JsonPropertyDescription("Persistent volume of each instance.")
    @Default("{}")
    private StorageSpec storage = new StorageSpec();

    @JsonPropertyDescription("CPU and memory of each PostgreSQL container. When a memory limit or request is set and "
            + "shared_buffers/effective_cache_size are not, they are derived from it (25% / 75%).")
    private ResourceRequirements resources;

    @JsonPropertyDescription("postgresql.conf settings. Settings the operator manages (replication, ports, TLS, "
            + "paths) are refused.")
    @ValidationRule(value = ManagedSettings.POSTGRES_RULE, message = ManagedSettings.POSTGRES_MESSAGE)
    @ValidationRule(value = ManagedSettings.KEY_AND_VALUE_RULE, message = ManagedSettings.KEY_AND_VALUE_MESSAGE)
    @Size(max = ManagedSettings.MAX_PARAMETERS)
    private Map<String, String> parameters = new LinkedHashMap<>();

    public int getVersion() {
        return version;
    }

    public void setVersion(int version) {
        this.version = version;
    }

    public String getImage() {
        return image;
    }

    public void setImage(String image) {
        this.image = image;
    }

    public StorageSpec getStorage() {
        return storage;
    }

    public void setStorage(StorageSpec storage) {
        this.storage = storage;
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
