package io.learningdb.operator.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;

import io.fabric8.generator.annotation.ValidationRule;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "has(self.storageClassName) == has(oldSelf.storageClassName) && (!has(self.storageClassName) "
        + "|| self.storageClassName == oldSelf.storageClassName)",
        message = "postgres.storage.storageClassName is immutable after creation")
@ValidationRule(value = StorageSpec.SIZE_GROWS, message = "postgres.storage.size can grow but not shrink")
public class StorageSpec {

    /** The new size in bytes is at least the old one (quantities as the pattern admits them, compared by amount). */
    static final String SIZE_GROWS = "(self.size.endsWith('Ki') ? int(self.size.substring(0, self.size.size() - 2)) * 1024 : (self.size.en"
            + "dsWith('Mi') ? int(self.size.substring(0, self.size.size() - 2)) * 1048576 : (self.size.endsWith('Gi"
            + "') ? int(self.size.substring(0, self.size.size() - 2)) * 1073741824 : (self.size.endsWith('Ti') ? in"
            + "t(self.size.substring(0, self.size.size() - 2)) * 1099511627776 : (self.size.endsWith('Pi') ? int(se"
            + "lf.size.substring(0, self.size.size() - 2)) * 1125899906842624 : (self.size.endsWith('Ei') ? int(sel"
            + "f.size.substring(0, self.size.size() - 2)) * 1152921504606846976 : (self.size.endsWith('k') ? int(se"
            + "lf.size.substring(0, self.size.size() - 1)) * 1000 : (self.size.endsWith('M') ? int(self.size.substr"
            + "ing(0, self.size.size() - 1)) * 1000000 : (self.size.endsWith('G') ? int(self.size.substring(0, self"
            + ".size.size() - 1)) * 1000000000 : (self.size.endsWith('T') ? int(self.size.substring(0, self.size.si"
            + "ze() - 1)) * 1000000000000 : (self.size.endsWith('P') ? int(self.size.substring(0, self.size.size() "
            + "- 1)) * 1000000000000000 : (self.size.endsWith('E') ? int(self.size.substring(0, self.size.size() - "
            + "1)) * 1000000000000000000 : (int(self.size)))))))))))))) >= (oldSelf.size.endsWith('Ki') ? int(oldSe"
            + "lf.size.substring(0, oldSelf.size.size() - 2)) * 1024 : (oldSelf.size.endsWith('Mi') ? int(oldSelf.s"
            + "ize.substring(0, oldSelf.size.size() - 2)) * 1048576 : (oldSelf.size.endsWith('Gi') ? int(oldSelf.si"
            + "ze.substring(0, oldSelf.size.size() - 2)) * 1073741824 : (oldSelf.size.endsWith('Ti') ? int(oldSelf."
            + "size.substring(0, oldSelf.size.size() - 2)) * 1099511627776 : (oldSelf.size.endsWith('Pi') ? int(old"
            + "Self.size.substring(0, oldSelf.size.size() - 2)) * 1125899906842624 : (oldSelf.size.endsWith('Ei') ?"
            + " int(oldSelf.size.substring(0, oldSelf.size.size() - 2)) * 1152921504606846976 : (oldSelf.size.endsW"
            + "ith('k') ? int(oldSelf.size.substring(0, oldSelf.size.size() - 1)) * 1000 : (oldSelf.size.endsWith('"
            + "M') ? int(oldSelf.size.substring(0, oldSelf.size.size() - 1)) * 1000000 : (oldSelf.size.endsWith('G'"
            + ") ? int(oldSelf.size.substring(0, oldSelf.size.size() - 1)) * 1000000000 : (oldSelf.size.endsWith('T"
            + "') ? int(oldSelf.size.substring(0, oldSelf.size.size() - 1)) * 1000000000000 : (oldSelf.size.endsWit"
            + "h('P') ? int(oldSelf.size.substring(0, oldSelf.size.size() - 1)) * 1000000000000000 : (oldSelf.size."
            + "endsWith('E') ? int(oldSelf.size.substring(0, oldSelf.size.size() - 1)) * 1000000000000000000 : (int"
            + "(oldSelf.size))))))))))))))";

    @JsonPropertyDescription("Size of each instance's PersistentVolumeClaim, e.g. 10Gi. It can grow (every claim is "
            + "expanded in place, when its StorageClass allows expansion) but not shrink.")
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
