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

    @JsonPropertyDescription("PostgreSQL major version. Raising it upgrades the cluster in place (offline pg_upgrade "
            + "--link in Job <name>-upgrade-<version>, replicas re-cloned), once annotation "
            + "learningdb.io/approve-major-upgrade names the new version or a backup completed in the last 24 hours; "
            + "status.majorUpgrade shows the progress. Lowering it back before the upgrade started withdraws it; below "
            + "the major the data is on (status.postgresVersion) it is refused (InvalidSpec): a data directory is never "
            + "downgraded.")
    @Min(14)
    @Max(17)
    @Default("16")
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
