package io.learningdb.operator.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** The keys of an S3 access key pair, read from a Secret; never copied into any rendered file. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class S3Credentials {

    @JsonPropertyDescription("Name of the Secret.")
    @Required
    @Size(max = 253)
    @Pattern(Syntax.DNS1123_SUBDOMAIN)
    private String secretName;

    @JsonPropertyDescription("Key of the access key id in the Secret.")
    @Size(max = 253)
    @Pattern("^[-._a-zA-Z0-9]+$")
    @Default("AWS_ACCESS_KEY_ID")
    private String accessKeyIdKey = "AWS_ACCESS_KEY_ID";

    @JsonPropertyDescription("Key of the secret access key in the Secret.")
    @Size(max = 253)
    @Pattern("^[-._a-zA-Z0-9]+$")
    @Default("AWS_SECRET_ACCESS_KEY")
    private String secretAccessKeyKey = "AWS_SECRET_ACCESS_KEY";

    public String getSecretName() {
        return secretName;
    }

    public void setSecretName(String secretName) {
        this.secretName = secretName;
    }

    public String getAccessKeyIdKey() {
        return accessKeyIdKey;
    }

    public void setAccessKeyIdKey(String accessKeyIdKey) {
        this.accessKeyIdKey = accessKeyIdKey;
    }

    public String getSecretAccessKeyKey() {
        return secretAccessKeyKey;
    }

    public void setSecretAccessKeyKey(String secretAccessKeyKey) {
        this.secretAccessKeyKey = secretAccessKeyKey;
    }
}
