package io.learningdb.operator.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class SecretKeyRef {

    @JsonPropertyDescription("Name of a Secret in the LearningDatabase's namespace.")
    @Required
    @Size(max = 253)
    @Pattern(Syntax.DNS1123_SUBDOMAIN)
    private String name;

    @JsonPropertyDescription("Key in the Secret.")
    @Size(max = 253)
    @Pattern("^[-._a-zA-Z0-9]+$")
    @Default("ca.crt")
    private String key = "ca.crt";

    public SecretKeyRef() {
    }

    public SecretKeyRef(String name, String key) {
        this.name = name;
        this.key = key;
    }

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public String getKey() {
        return key;
    }

    public void setKey(String key) {
        this.key = key;
    }
}
