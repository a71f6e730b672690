package io.learningdb.operator.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;

import io.fabric8.generator.annotation.ValidationRule;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "self == oldSelf", message = "postgres.storage is immutable after creation (volume expansion is not supported yet)")
public class StorageSpec {

    @JsonPropertyDescription("Size of each instance's PersistentVolumeClaim, e.g. 10Gi.")
    @Pattern("^[0-9]+(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$")
    @Default("10Gi")
    @Size(max = 32)
    private String size = "10Gi";

    @JsonPropertyDescription("StorageClass of the PersistentVolumeClaims; the cluster default when unset.")
    @Size(max = 253)
    @Pattern(Syntax.DNS1123_SUBDOMAIN)
    private String storageClassName;

    public String getSize() {
        return size;
    }

    public void setSize(String size) {
        this.size = size;
    }

    public String getStorageClassName() {
        return storageClassName;
    }

    public void setStorageClassName(String storageClassName) {
        this.storageClassName = storageClassName;
    }
}
