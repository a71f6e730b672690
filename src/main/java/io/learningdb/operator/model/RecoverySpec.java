package io.learningdb.operator.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * Create the cluster from another cluster's backups instead of initdb: newest base backup before the target, WAL
 * replayed to it, promoted on a new timeline. The new cluster archives into its own path, never the source's.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "!(has(self.targetTime) && has(self.targetLSN))",
        message = "recovery has one target: targetTime or targetLSN (neither: the latest archived WAL)")
public class RecoverySpec {

    @JsonPropertyDescription("Name of the LearningDatabase whose backups are restored.")
    @Required
    @Size(max = 63)
    @Pattern(Syntax.DNS1035_LABEL)
    private String source;

    @JsonPropertyDescription("Namespace the source cluster ran in (this one when unset).")
    @Size(max = 63)
    @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
    private String sourceNamespace;

    @JsonPropertyDescription("Object store holding the source's repository; spec.backup.store when unset.")
    private ObjectStoreSpec store;

    @JsonPropertyDescription("Recover up to this time (RFC 3339, e.g. 2026-12-01T10:15:00Z); transactions committed "
            + "after it are not replayed.")
    @Size(max = 40)
    @Pattern("^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})$")
    private String targetTime;

    @JsonPropertyDescription("Recover up to this WAL location (e.g. 0/3000060).")
    @Size(max = 17)
    @Pattern("^[0-9A-Fa-f]{1,8}/[0-9A-Fa-f]{1,8}$")
    private String targetLSN;

    public String getSource() {
        return source;
    }

    public void setSource(String source) {
        this.source = source;
    }

    public String getSourceNamespace() {
        return sourceNamespace;
    }

    public void setSourceNamespace(String sourceNamespace) {
        this.sourceNamespace = sourceNamespace;
    }

    public ObjectStoreSpec getStore() {
        return store;
    }

    public void setStore(ObjectStoreSpec store) {
        this.store = store;
    }

    public String getTargetTime() {
        return targetTime;
    }

    public void setTargetTime(String targetTime) {
        this.targetTime = targetTime;
    }

    public String getTargetLSN() {
        return targetLSN;
    }

    public void setTargetLSN(String targetLSN) {
        this.targetLSN = targetLSN;
    }
}
