package io.learningdb.operator.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "self == oldSelf", message = "bootstrap is immutable: it only applies when the first primary is created")
@ValidationRule(value = "!(has(self.recovery) && has(self.initSQL))",
        message = "bootstrap.initSQL does not apply to a cluster recovered from a backup: its schema comes from the source")
public class BootstrapSpec {

    @JsonPropertyDescription("Name of the application database.")
    @Pattern("^[a-z_][a-z0-9_]{0,62}$")
    @Size(max = 63)
    @Default("app")
    @ValidationRule(value = "!(self in ['postgres', 'template0', 'template1'])", message = "bootstrap.database may not be a system database")
    private String database = "app";

    @JsonPropertyDescription("Owner role of the application database; its credentials are in the Secret <name>-app.")
    @Pattern("^[a-z_][a-z0-9_]{0,62}$")
    @Size(max = 63)
    @Default("app")
    @ValidationRule(value = "!(self in [" + ManagedSettings.RESERVED_ROLES_LIST + "])",
            message = "bootstrap.owner may not be a role the operator manages: " + ManagedSettings.RESERVED_ROLES_LIST)
    private String owner = "app";

    @JsonPropertyDescription("SQL run once, as the owner, in the application database when the first primary is "
            + "created (the platform's schema: partitioned tables, indexes, materialized views).")
    private ConfigMapKeyRef initSQL;

    @JsonPropertyDescription("Create the first primary from another cluster's backups (point-in-time recovery) "
            + "instead of an empty database. database and owner must be the source's.")
    private RecoverySpec recovery;

    public RecoverySpec getRecovery() {
        return recovery;
    }

    public void setRecovery(RecoverySpec recovery) {
        this.recovery = recovery;
    }

    public String getDatabase() {
        return database;
    }

    public void setDatabase(String database) {
        this.database = database;
    }

    public String getOwner() {
        return owner;
    }

    public void setOwner(String owner) {
        this.owner = owner;
    }

    public ConfigMapKeyRef getInitSQL() {
        return initSQL;
    }

    public void setInitSQL(ConfigMapKeyRef initSQL) {
        this.initSQL = initSQL;
    }
}
